#include "txaio/replay/detail/output_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>

#include "txaio/replay/detail/file_kind.hpp"
#include "txaio/replay/detail/unique_fd.hpp"
#include "txaio/replay/detail/input_file.hpp"

namespace txaio::replay::detail {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail_errno(const fs::path& path, std::string_view doing) {
  throw std::runtime_error(fmt::format("cannot write {}: {}: {}", path.generic_string(), doing, std::strerror(errno)));
}

// `path`'s target through symlinks, which must be a regular file or not exist.
fs::path writable_target(const fs::path& path) {
  fs::path target = follow_symlinks(path);
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    throw std::runtime_error(fmt::format("{}: not a regular file ({}): expected a regular file or a new path",
                                         path.generic_string(), kind_name(st.st_mode)));
  }
  return target;
}


// A new file beside `target`, named `.<name>.tmp-<pid>-<random>` so that concurrent writers
// never share one; removed unless committed over `target`.
class TempFile {
public:
  TempFile(const fs::path& path, const fs::path& target) : path_(path) {
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    for (int attempt = 0; fd_.get() < 0; ++attempt) {
      tmp_ = dir / fmt::format(".{}.tmp-{}-{:08x}{:04x}", target.filename().string(), ::getpid(), rd(), counter++ & 0xFFFFu);
      fd_.reset(::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));  // the umask applies
      if (fd_.get() < 0 && (errno != EEXIST || attempt == 100)) fail_errno(path_, "cannot create a temporary file");
    }
  }
  ~TempFile() {
    if (!committed_) ::unlink(tmp_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  void write(std::string_view text) {
    for (std::size_t done = 0; done < text.size();) {
      const ssize_t n = ::write(fd_.get(), text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail_errno(path_, "write");
      done += static_cast<std::size_t>(n);
    }
  }

  // Gives the temporary file the mode (and, where permitted, the owner) of `st`.
  void keep_mode_of(const struct stat& st) {
    if (::fchmod(fd_.get(), st.st_mode & 07777) != 0) fail_errno(path_, "chmod");
    if (::fchown(fd_.get(), st.st_uid, st.st_gid) != 0) {
      // Only root may give a file away; the writer then owns the new file.
    }
  }

  // Flushes the file to disk and renames it over `target`.
  void commit(const fs::path& target) {
    if (::fsync(fd_.get()) != 0) fail_errno(path_, "fsync");
    if (fd_.close() != 0) fail_errno(path_, "close");
    if (::rename(tmp_.c_str(), target.c_str()) != 0) fail_errno(path_, "rename");
    committed_ = true;
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    const UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir_fd.get() >= 0) ::fsync(dir_fd.get());  // the rename itself on disk; best effort
  }

private:
  fs::path path_;  // as the user named it, for messages
  fs::path tmp_;
  UniqueFd fd_;
  bool committed_ = false;
};

}  // namespace

void check_output_path(std::string_view option, const fs::path& path, std::span<const fs::path> inputs) {
  auto refuse = [&](std::string_view why) {
    throw std::runtime_error(fmt::format("{} {}: {}", option, path.generic_string(), why));
  };
  fs::path target;
  try {
    target = follow_symlinks(path);
  } catch (const std::runtime_error&) {
    refuse("symlink loop: expected a regular file or a new path");
  }
  struct stat st {};
  if (::stat(target.c_str(), &st) != 0) return;  // a new file
  if (!S_ISREG(st.st_mode)) {
    refuse(fmt::format("not a regular file ({}): expected a regular file or a new path", kind_name(st.st_mode)));
  }
  const FileId id{st.st_dev, st.st_ino};
  for (const fs::path& input : inputs) {
    if (file_id(input) == id) {
      refuse(fmt::format("is the scenario file {}, an input: expected a separate output file", input.generic_string()));
    }
  }
}

bool same_output_path(const fs::path& a, const fs::path& b) {
  std::error_code ec_a, ec_b;
  const fs::path ta = fs::weakly_canonical(fs::absolute(follow_symlinks(a)), ec_a);
  const fs::path tb = fs::weakly_canonical(fs::absolute(follow_symlinks(b)), ec_b);
  return !ec_a && !ec_b && ta == tb;
}

void write_output_file(const fs::path& path, std::string_view text) {
  const fs::path target = writable_target(path);
  if (target.has_parent_path()) {
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
  }
  TempFile tmp(path, target);
  tmp.write(text);
  if (struct stat st {}; ::stat(target.c_str(), &st) == 0) tmp.keep_mode_of(st);
  tmp.commit(target);
}

Replaced replace_file_text(const fs::path& path, std::string_view before, std::string_view after) {
  const fs::path target = writable_target(path);
  for (int attempt = 0; attempt < 100; ++attempt) {
    const UniqueFd fd(::open(target.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
    if (fd.get() < 0) fail_errno(path, "open");
    while (::flock(fd.get(), LOCK_EX) != 0) {
      if (errno != EINTR) fail_errno(path, "flock");
    }
    // Another writer may have renamed a new file over the one locked while this one waited.
    struct stat locked {}, now {};
    if (::fstat(fd.get(), &locked) != 0) fail_errno(path, "fstat");
    if (::stat(target.c_str(), &now) != 0) fail_errno(path, "stat");
    if (locked.st_dev != now.st_dev || locked.st_ino != now.st_ino) continue;
    const std::string current = read_input_file(target);
    if (current == after) return Replaced::already_current;
    if (current != before) {
      throw std::runtime_error(fmt::format("{}: changed by another writer since it was read; left as it is", path.generic_string()));
    }
    TempFile tmp(path, target);
    tmp.write(after);
    tmp.keep_mode_of(locked);
    tmp.commit(target);
    return Replaced::written;
  }
  throw std::runtime_error(fmt::format("{}: replaced by other writers 100 times while waiting; left as it is", path.generic_string()));
}

}  // namespace txaio::replay::detail
