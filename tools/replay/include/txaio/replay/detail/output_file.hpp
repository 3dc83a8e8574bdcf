#pragma once
/// Writing txaio-replay's outputs (`--junit`, `--report`) and rewritten scenarios (`--update`)
/// so that no input, symlink, FIFO or device is ever replaced and concurrent writers never see
/// or leave a half-written file.

#include <filesystem>
#include <span>
#include <string_view>

namespace txaio::replay::detail {

/// Checks, before anything runs, that the output path `path` given to `option` may be written:
/// throws `std::runtime_error` "<option> <path>: ..." when it (through symlinks) exists and is
/// not a regular file, is a symlink loop, or is the same file (device and inode) as one of
/// `inputs`.
void check_output_path(std::string_view option, const std::filesystem::path& path,
                       std::span<const std::filesystem::path> inputs);

/// True when the output paths `a` and `b` lead (through symlinks, `.` and `..`) to the same
/// file, existing or not.
bool same_output_path(const std::filesystem::path& a, const std::filesystem::path& b);

/// Writes `text` to `path` whole or not at all: into a new uniquely named file in the folder
/// of `path`'s target (symlinks are followed, so a link stays a link), flushed to disk, then
/// renamed over the target, keeping an existing target's mode. Creates missing folders.
/// Throws `std::runtime_error` naming `path` (and removes the temporary file) when the target
/// is not a regular file or anything fails.
void write_output_file(const std::filesystem::path& path, std::string_view text);

/// What `replace_file_text` did.
enum class Replaced {
  written,          ///< the file held `before`; it now holds `after`
  already_current,  ///< the file already held `after` (another writer got there first)
};

/// `--update`'s write: as `write_output_file`, but only while the file still holds exactly
/// `before` (the text the caller read), checked and replaced under an exclusive `flock` on the
/// file so that concurrent writers take turns. Throws `std::runtime_error` naming `path`, and
/// leaves the file as it is, when it now holds something else.
Replaced replace_file_text(const std::filesystem::path& path, std::string_view before, std::string_view after);

}  // namespace txaio::replay::detail
