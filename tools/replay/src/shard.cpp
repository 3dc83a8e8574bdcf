#include "txaio/replay/shard.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string_view>

namespace txaio::replay {

namespace {

struct Family {
  const char* total;
  const char* index;
};

constexpr Family gtest{"GTEST_TOTAL_SHARDS", "GTEST_SHARD_INDEX"};
constexpr Family bazel{"TEST_TOTAL_SHARDS", "TEST_SHARD_INDEX"};

/// `value` of variable `name` as a whole number in [min, max].
std::size_t parse_count(const char* name, std::string_view value, std::size_t min, std::size_t max) {
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size() || n < min || n > max) {
    throw std::invalid_argument(fmt::format("{}='{}': expected a whole number from {} to {}", name,
                                            std::string(value), min, max));
  }
  return static_cast<std::size_t>(n);
}

/// The family's shard, nullopt when neither of its variables is set.
std::optional<Shard> read_family(const Getenv& getenv, const Family& f) {
  const char* total = getenv(f.total);
  const char* index = getenv(f.index);
  if (total == nullptr && index == nullptr) return std::nullopt;
  if (total == nullptr || index == nullptr) {
    const char* set = total != nullptr ? f.total : f.index;
    const char* unset = total != nullptr ? f.index : f.total;
    throw std::invalid_argument(fmt::format("{} is set but {} is not: set both or neither", set, unset));
  }
  constexpr std::size_t max_shards = 1'000'000'000;
  const std::size_t n = parse_count(f.total, total, 1, max_shards);
  const std::size_t k = parse_count(f.index, index, 0, n - 1);
  return Shard{k + 1, n};
}

}  // namespace

std::optional<Shard> shard_from_environment(const Getenv& getenv) {
  const auto from_gtest = read_family(getenv, gtest);
  const auto from_bazel = read_family(getenv, bazel);
  if (from_gtest && from_bazel &&
      (from_gtest->index != from_bazel->index || from_gtest->count != from_bazel->count)) {
    throw std::invalid_argument(fmt::format("GoogleTest's shard {}/{} and Bazel's shard {}/{} disagree "
                                            "(GTEST_SHARD_INDEX is 0-based, like TEST_SHARD_INDEX)",
                                            from_gtest->index - 1, from_gtest->count, from_bazel->index - 1,
                                            from_bazel->count));
  }
  return from_gtest ? from_gtest : from_bazel;
}

void touch_shard_status_files(const Getenv& getenv) {
  for (const char* name : {"TEST_SHARD_STATUS_FILE", "GTEST_SHARD_STATUS_FILE"}) {
    const char* file = getenv(name);
    if (file == nullptr || *file == '\0') continue;
    std::ofstream out(std::filesystem::path(file), std::ios::app);
    if (!out) throw std::runtime_error(fmt::format("{}='{}': cannot write the file", name, std::string(file)));
  }
}

std::string junit_from_environment(const Getenv& getenv) {
  const char* file = getenv("XML_OUTPUT_FILE");
  return file != nullptr ? std::string(file) : std::string();
}

std::optional<Shard> shard_from_process_environment() {
  const Getenv getenv = [](const char* name) -> const char* { return std::getenv(name); };
  auto shard = shard_from_environment(getenv);
  if (shard) touch_shard_status_files(getenv);
  return shard;
}

}  // namespace txaio::replay
