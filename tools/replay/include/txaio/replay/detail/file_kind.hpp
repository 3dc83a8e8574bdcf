#pragma once
/// What a path names, as txaio-replay's readers and writers check it: a file's identity
/// (device and inode, through symlinks), the kind of a non-regular file in words, and the
/// target a chain of symlinks leads to.

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace txaio::replay::detail {

/// Device and inode: two paths name the same file exactly when their ids are equal.
struct FileId {
  dev_t dev = 0;
  ino_t ino = 0;
  friend bool operator==(const FileId&, const FileId&) = default;
};

/// The id of the file `path` names, following symlinks; nullopt when it does not exist or
/// cannot be examined.
std::optional<FileId> file_id(const std::filesystem::path& path);

/// "a regular file", "a folder", "a FIFO", "a character device", "a block device", "a socket"
/// or "a special file", for an `st_mode`.
std::string_view kind_name(mode_t mode) noexcept;

/// `path` with symlinks in its last component followed (a relative target is taken from the
/// link's folder) until it names something that is not a symlink, or nothing. Throws
/// `std::runtime_error` "<path>: symlink loop" after 40 links, naming `path` as given.
std::filesystem::path follow_symlinks(const std::filesystem::path& path);

}  // namespace txaio::replay::detail
