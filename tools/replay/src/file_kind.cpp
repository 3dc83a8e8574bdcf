#include "txaio/replay/detail/file_kind.hpp"

#include <sys/stat.h>

#include <fmt/format.h>

#include <stdexcept>

namespace txaio::replay::detail {

namespace fs = std::filesystem;

std::optional<FileId> file_id(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return FileId{st.st_dev, st.st_ino};
}

std::string_view kind_name(mode_t mode) noexcept {
  if (S_ISREG(mode)) return "a regular file";
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "a special file";
}

fs::path follow_symlinks(const fs::path& path) {
  constexpr int max_links = 40;  // as the kernel's ELOOP limit
  fs::path p = path;
  for (int links = 0;; ++links) {
    std::error_code ec;
    if (!fs::is_symlink(fs::symlink_status(p, ec))) return p;
    if (links == max_links) throw std::runtime_error(fmt::format("{}: symlink loop", path.generic_string()));
    const fs::path target = fs::read_symlink(p, ec);
    if (ec) throw std::runtime_error(fmt::format("{}: cannot read symlink: {}", path.generic_string(), ec.message()));
    p = target.is_absolute() ? target : p.parent_path() / target;
  }
}

}  // namespace txaio::replay::detail
