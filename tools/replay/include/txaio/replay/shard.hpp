#pragma once
/// Sharding by the environment, the way CI engines ask a test binary for one slice of its
/// tests: GoogleTest's protocol (`GTEST_TOTAL_SHARDS`, `GTEST_SHARD_INDEX`, and
/// `GTEST_SHARD_STATUS_FILE`) and Bazel's (`TEST_TOTAL_SHARDS`, `TEST_SHARD_INDEX`,
/// `TEST_SHARD_STATUS_FILE`). `txaio-replay` uses it when `--shard` is not given. Also where
/// Bazel asks for the JUnit XML report (`XML_OUTPUT_FILE`), used when `--junit` is not given.

#include <functional>
#include <optional>
#include <string>

#include "txaio/replay/cli.hpp"

namespace txaio::replay {

/// Reads an environment variable: its value, or nullptr when unset (as `std::getenv`).
using Getenv = std::function<const char*(const char*)>;

/// The shard the environment asks for, as `--shard K/N` (K = index + 1): from GoogleTest's
/// variables or Bazel's, nullopt when neither family is set. The index is 0-based and below
/// the total, as both protocols define it. Throws `std::invalid_argument` naming the variable
/// and its value when a value is not a whole number in range, when one variable of a family
/// is set without the other, or when both families are set and disagree.
std::optional<Shard> shard_from_environment(const Getenv& getenv);

/// Creates (or updates the time of) the files named by `TEST_SHARD_STATUS_FILE` and
/// `GTEST_SHARD_STATUS_FILE`, where set: how a test tells Bazel and GoogleTest-aware runners
/// that it honoured the sharding variables. Throws `std::runtime_error` naming the variable
/// and the file when it cannot be written.
void touch_shard_status_files(const Getenv& getenv);

/// The JUnit XML report the environment asks for: Bazel's `XML_OUTPUT_FILE` (a file per test
/// target); empty when unset or empty. (GoogleTest's `GTEST_OUTPUT` is not read: a folder
/// there would have every replay of a ctest run write the same file.)
std::string junit_from_environment(const Getenv& getenv);

/// What `txaio-replay` does without `--shard`: `shard_from_environment` on this process's
/// environment, and when it names a shard, `touch_shard_status_files`. Throws as they do.
std::optional<Shard> shard_from_process_environment();

}  // namespace txaio::replay
