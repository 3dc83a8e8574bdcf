#pragma once
/// The `txaio-replay` command line, callable in-process.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

namespace txaio::replay {

/// `--shard K/N`: this run takes the files whose index i (0-based, in sorted order) has
/// i % N == K - 1.
struct Shard {
  std::size_t index = 1;  ///< K, from 1
  std::size_t count = 1;  ///< N
};

/// Parses "K/N" with 1 <= K <= N; nullopt when malformed.
std::optional<Shard> parse_shard(std::string_view text);

/// Every `*.txs` file under `paths` (files are taken as given, folders searched recursively),
/// sorted by path and without duplicates. Throws `std::runtime_error` naming a path that does
/// not exist or a folder without scenarios.
std::vector<std::filesystem::path> collect_scenarios(std::span<const std::string> paths);

/// Runs `txaio-replay` with `args` (without the program name), writing results to `out` and
/// diagnostics to `err`. `interactive` enables the progress bar (main passes
/// isatty(stderr)); it is drawn on `err`. Returns the exit code (see `ExitCode`).
int run_cli(std::span<const std::string> args, std::ostream& out, std::ostream& err, bool interactive = false);

}  // namespace txaio::replay
