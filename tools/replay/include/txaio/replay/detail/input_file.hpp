#pragma once
/// Reading a scenario file without ever blocking on a FIFO or device, and within a size bound.

#include <cstddef>
#include <filesystem>
#include <string>

namespace txaio::replay::detail {

/// Largest scenario file read, in bytes (256 MiB; the bundled 100,000-call scenario is 4 MiB).
inline constexpr std::size_t max_scenario_bytes = std::size_t{256} << 20;

/// The contents of the regular file `path`. Opens without blocking and refuses, before reading
/// a byte, anything that is not a regular file (a FIFO, a device, a socket, a folder) and a
/// file over `max_bytes`; a file that grows past `max_bytes` while read is refused too. Throws
/// `std::runtime_error` naming `path` and what was wrong.
std::string read_input_file(const std::filesystem::path& path, std::size_t max_bytes = max_scenario_bytes);

}  // namespace txaio::replay::detail
