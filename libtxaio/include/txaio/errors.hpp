#pragma once
/// txaio's error types.

#include <stdexcept>
#include <string>
#include <vector>

namespace txaio {

/// The API was used wrongly: no loop chosen, `reject()` outside a `catch`, ...
class UsageError : public std::logic_error {
public:
  using std::logic_error::logic_error;
};

/// A future was resolved or rejected twice.
class InvalidStateError : public std::logic_error {
public:
  using std::logic_error::logic_error;
};

/// A future was cancelled. `what()` is the cancel message (may be empty).
class CancelledError : public std::runtime_error {
public:
  explicit CancelledError(const std::string& msg = "") : std::runtime_error(msg) {}
};

/// The exceptions raised by the calls of one batched-timer bucket, reported together after
/// the bucket's last chunk ran.
class BatchError : public std::runtime_error {
public:
  explicit BatchError(std::vector<std::string> messages);
  /// One entry per failed call, in the order the calls ran: `"<type>: <what>"`.
  const std::vector<std::string>& messages() const noexcept { return messages_; }

private:
  std::vector<std::string> messages_;
};

}  // namespace txaio
