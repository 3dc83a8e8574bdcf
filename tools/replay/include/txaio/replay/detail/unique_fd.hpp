#pragma once
/// An owned POSIX file descriptor, closed at scope exit.

#include <unistd.h>

namespace txaio::replay::detail {

/// Owns `fd` (when >= 0) and closes it once.
class UniqueFd {
public:
  explicit UniqueFd(int fd = -1) noexcept : fd_(fd) {}
  ~UniqueFd() { close(); }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const noexcept { return fd_; }
  /// Takes ownership of `fd`, closing the one held.
  void reset(int fd) noexcept {
    close();
    fd_ = fd;
  }
  /// Closes the descriptor now; returns close()'s result (0 when none was held).
  int close() noexcept {
    const int r = fd_ >= 0 ? ::close(fd_) : 0;
    fd_ = -1;
    return r;
  }

private:
  int fd_;
};

}  // namespace txaio::replay::detail
