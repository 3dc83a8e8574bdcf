#include "txaio/replay/detail/input_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "txaio/replay/detail/file_kind.hpp"
#include "txaio/replay/detail/unique_fd.hpp"

namespace txaio::replay::detail {

namespace {


std::string too_big(const std::filesystem::path& path, std::size_t max_bytes) {
  return fmt::format("{}: file is larger than {} bytes: expected a scenario of at most {} MiB", path.generic_string(),
                     max_bytes, max_bytes >> 20);
}

}  // namespace

std::string read_input_file(const std::filesystem::path& path, std::size_t max_bytes) {
  const std::string name = path.generic_string();
  // O_NONBLOCK: opening a FIFO without a writer returns at once instead of waiting for one.
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) throw std::runtime_error(fmt::format("cannot read {}: {}", name, std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw std::runtime_error(fmt::format("cannot read {}: {}", name, std::strerror(errno)));
  if (!S_ISREG(st.st_mode)) {
    throw std::runtime_error(fmt::format("{}: not a regular file ({}): expected a scenario file", name, kind_name(st.st_mode)));
  }
  if (static_cast<std::uintmax_t>(st.st_size) > max_bytes) throw std::runtime_error(too_big(path, max_bytes));
  std::string text(static_cast<std::size_t>(st.st_size) + 1, '\0');  // one more: notices growth
  std::size_t size = 0;
  for (;;) {
    if (size == text.size()) {
      if (size > max_bytes) throw std::runtime_error(too_big(path, max_bytes));
      text.resize(std::min(max_bytes + 1, 2 * size));
    }
    const ssize_t n = ::read(fd.get(), text.data() + size, text.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(fmt::format("cannot read {}: {}", name, std::strerror(errno)));
    if (n == 0) break;
    size += static_cast<std::size_t>(n);
  }
  if (size > max_bytes) throw std::runtime_error(too_big(path, max_bytes));
  text.resize(size);
  return text;
}

}  // namespace txaio::replay::detail
