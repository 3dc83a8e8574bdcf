// txaio-replay's inputs: the scenario files that the paths on the command line name.
#include <sys/stat.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <set>
#include <stdexcept>

#include "txaio/replay/cli.hpp"
#include "txaio/replay/detail/file_kind.hpp"

namespace txaio::replay {

namespace fs = std::filesystem;

namespace {

// Calls `add` for every regular `*.txs` file under the folder `root`, following symlinks to
// folders, and returns how many it found; a symlink back to a folder it is inside is an error
// naming the link.
template <class Add>
std::size_t scan_folder(const std::string& root, Add&& add) {
  std::vector<detail::FileId> chain;  // chain[d]: the folder holding the entries at depth d
  if (const auto id = detail::file_id(root)) chain.push_back(*id);
  std::size_t found = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::follow_directory_symlink, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const auto depth = static_cast<std::size_t>(it.depth());
    std::error_code entry_ec;  // a dangling symlink is neither a folder nor a file
    if (it->is_directory(entry_ec)) {
      const auto id = detail::file_id(it->path());
      chain.resize(depth + 1);
      if (id && std::find(chain.begin(), chain.end(), *id) != chain.end()) {
        throw std::runtime_error(fmt::format("cannot read folder {}: symlink loop at {}", root, it->path().generic_string()));
      }
      if (id) chain.push_back(*id);
    } else if (it->is_regular_file(entry_ec) && it->path().extension() == ".txs") {
      add(it->path());
      ++found;
    }
  }
  if (ec) throw std::runtime_error(fmt::format("cannot read folder {}: {}", root, ec.message()));
  return found;
}

}  // namespace

std::vector<fs::path> collect_scenarios(std::span<const std::string> paths) {
  std::set<std::string> seen;
  std::vector<fs::path> out;
  auto add = [&](const fs::path& p) {
    const fs::path norm = p.lexically_normal();
    if (seen.insert(norm.generic_string()).second) out.push_back(norm);
  };
  for (const std::string& arg : paths) {
    const fs::path p(arg);
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) {
      if (errno == ELOOP) throw std::runtime_error(fmt::format("{}: symlink loop", arg));
      throw std::runtime_error(fmt::format("no such file or folder: {}", arg));
    }
    if (S_ISDIR(st.st_mode)) {
      if (scan_folder(arg, add) == 0) throw std::runtime_error(fmt::format("no *.txs scenario files under {}", arg));
    } else if (S_ISREG(st.st_mode)) {
      add(p);
    } else {
      // Checked here, without opening it: reading a FIFO would wait for a writer.
      throw std::runtime_error(
          fmt::format("{}: not a regular file ({}): expected a scenario file or a folder", arg, detail::kind_name(st.st_mode)));
    }
  }
  std::sort(out.begin(), out.end(), [](const fs::path& a, const fs::path& b) { return a.generic_string() < b.generic_string(); });
  return out;
}

}  // namespace txaio::replay
