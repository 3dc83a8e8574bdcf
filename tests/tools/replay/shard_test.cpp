// Sharding by GoogleTest's and Bazel's environment variables, and `--shard`: the union of the
// K shards of a folder is every scenario exactly once.
#include "txaio/replay/shard.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "process.hpp"

namespace {

using namespace txaio::replay;
namespace fs = std::filesystem;

/// A fake environment.
Getenv env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    const auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

std::string shard_error(std::map<std::string, std::string> vars) {
  try {
    shard_from_environment(env(std::move(vars)));
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ShardEnvironment, NeitherFamilyMeansNoShard) { EXPECT_FALSE(shard_from_environment(env({}))); }

TEST(ShardEnvironment, BothFamiliesAreZeroBasedIndexOfTotal) {
  for (const auto& [total, index] : {std::pair{"GTEST_TOTAL_SHARDS", "GTEST_SHARD_INDEX"},
                                     std::pair{"TEST_TOTAL_SHARDS", "TEST_SHARD_INDEX"}}) {
    const auto s = shard_from_environment(env({{total, "4"}, {index, "0"}}));
    ASSERT_TRUE(s) << total;
    EXPECT_EQ(s->index, 1u);
    EXPECT_EQ(s->count, 4u);
    EXPECT_EQ(shard_from_environment(env({{total, "4"}, {index, "3"}}))->index, 4u);
  }
  // Both families set alike (a runner may export both): one shard.
  const auto both = shard_from_environment(
      env({{"GTEST_TOTAL_SHARDS", "3"}, {"GTEST_SHARD_INDEX", "2"}, {"TEST_TOTAL_SHARDS", "3"}, {"TEST_SHARD_INDEX", "2"}}));
  ASSERT_TRUE(both);
  EXPECT_EQ(both->index, 3u);
}

TEST(ShardEnvironment, InvalidValuesAreErrorsNamingTheVariable) {
  EXPECT_EQ(shard_error({{"GTEST_TOTAL_SHARDS", "4"}, {"GTEST_SHARD_INDEX", "4"}}),
            "GTEST_SHARD_INDEX='4': expected a whole number from 0 to 3");
  EXPECT_EQ(shard_error({{"TEST_TOTAL_SHARDS", "0"}, {"TEST_SHARD_INDEX", "0"}}),
            "TEST_TOTAL_SHARDS='0': expected a whole number from 1 to 1000000000");
  for (const char* bad : {"", "-1", "x", "1.5", " 2", "2 ", "99999999999999999999"}) {
    EXPECT_NE(shard_error({{"GTEST_TOTAL_SHARDS", bad}, {"GTEST_SHARD_INDEX", "0"}}).find("GTEST_TOTAL_SHARDS='"),
              std::string::npos)
        << bad;
  }
  EXPECT_EQ(shard_error({{"TEST_SHARD_INDEX", "1"}}), "TEST_SHARD_INDEX is set but TEST_TOTAL_SHARDS is not: set both or neither");
  EXPECT_EQ(shard_error({{"GTEST_TOTAL_SHARDS", "2"}}),
            "GTEST_TOTAL_SHARDS is set but GTEST_SHARD_INDEX is not: set both or neither");
  EXPECT_NE(shard_error({{"GTEST_TOTAL_SHARDS", "2"}, {"GTEST_SHARD_INDEX", "0"}, {"TEST_TOTAL_SHARDS", "2"}, {"TEST_SHARD_INDEX", "1"}})
                .find("disagree"),
            std::string::npos);
}

TEST(ShardEnvironment, StatusFilesAreCreated) {
  TempDir dir;
  const auto bazel = dir.path() / "bazel_status";
  const auto gtest = dir.path() / "gtest_status";
  touch_shard_status_files(env({{"TEST_SHARD_STATUS_FILE", bazel.string()}, {"GTEST_SHARD_STATUS_FILE", gtest.string()}}));
  EXPECT_TRUE(fs::exists(bazel));
  EXPECT_TRUE(fs::exists(gtest));
  EXPECT_THROW(touch_shard_status_files(env({{"TEST_SHARD_STATUS_FILE", (dir.path() / "no/such/dir/f").string()}})),
               std::runtime_error);
}

// The installed program, run as a CI engine runs it: a clean environment plus the variables.
class ShardUnion : public ::testing::Test {
protected:
  static constexpr int files = 11;

  void SetUp() override {
    for (int i = 0; i < files; ++i) {
      dir_.write(fmt_name(i), "txaio-scenario 1\nat 0 call_later a 1\nexpect 1 fire a\n");
    }
  }

  static std::string fmt_name(int i) { return "sub" + std::to_string(i % 3) + "/s" + std::to_string(i) + ".txs"; }

  /// Runs txaio-replay on the folder with `prefix` before it (variables) and `args` after.
  CommandResult replay(const std::string& prefix, const std::string& args) const {
    return run_command("env -u GTEST_TOTAL_SHARDS -u GTEST_SHARD_INDEX -u TEST_TOTAL_SHARDS -u TEST_SHARD_INDEX "
                       "-u TEST_SHARD_STATUS_FILE -u GTEST_SHARD_STATUS_FILE " +
                       prefix + " " + shell_quote(TXAIO_REPLAY_EXE) + " " + shell_quote(dir_.path().string()) + " " + args);
  }

  /// How many times each scenario passed over the K runs that `run(k)` makes, k from 0.
  template <class Run>
  std::vector<int> passes(int shards, Run run) const {
    std::vector<int> seen(files, 0);
    for (int k = 0; k < shards; ++k) {
      const CommandResult r = run(k);
      EXPECT_EQ(r.exit_code, 0) << r.output;
      for (int i = 0; i < files; ++i) {
        if (r.output.find("PASS  " + (dir_.path() / fmt_name(i)).string() + "  (") != std::string::npos) ++seen[i];
      }
    }
    return seen;
  }

  TempDir dir_;
};

TEST_F(ShardUnion, EveryScenarioExactlyOnceForEachProtocolAndShardCount) {
  const std::vector<int> once(files, 1);
  for (int n : {1, 2, 3, 4, 11, 13}) {
    EXPECT_EQ(passes(n, [&](int k) { return replay("", "--shard " + std::to_string(k + 1) + "/" + std::to_string(n)); }), once)
        << "--shard K/" << n;
    EXPECT_EQ(passes(n, [&](int k) {
                return replay("GTEST_TOTAL_SHARDS=" + std::to_string(n) + " GTEST_SHARD_INDEX=" + std::to_string(k), "");
              }),
              once)
        << "GTEST_TOTAL_SHARDS=" << n;
    EXPECT_EQ(passes(n, [&](int k) {
                return replay("TEST_TOTAL_SHARDS=" + std::to_string(n) + " TEST_SHARD_INDEX=" + std::to_string(k), "");
              }),
              once)
        << "TEST_TOTAL_SHARDS=" << n;
  }
}

TEST_F(ShardUnion, EnvironmentShardsMatchTheSameShardGivenAsAnOption) {
  const CommandResult by_env = replay("GTEST_TOTAL_SHARDS=3 GTEST_SHARD_INDEX=1", "");
  EXPECT_NE(by_env.output.find("(shard 2/3 of 11)"), std::string::npos) << by_env.output;
  const CommandResult by_option = replay("", "--shard 2/3");
  EXPECT_EQ(by_env.output.substr(0, by_env.output.rfind(" in ")), by_option.output.substr(0, by_option.output.rfind(" in ")));
}

TEST_F(ShardUnion, ShardOptionWinsOverTheEnvironment) {
  const CommandResult r = replay("TEST_TOTAL_SHARDS=5 TEST_SHARD_INDEX=9", "--shard 1/2");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("(shard 1/2 of 11)"), std::string::npos) << r.output;
}

TEST_F(ShardUnion, BazelStatusFileIsTouched) {
  const auto status = dir_.path() / "shard_status";
  const CommandResult r =
      replay("TEST_TOTAL_SHARDS=2 TEST_SHARD_INDEX=0 TEST_SHARD_STATUS_FILE=" + shell_quote(status.string()), "");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(fs::exists(status));
}

TEST_F(ShardUnion, InvalidVariablesAreUsageErrors) {
  const CommandResult r = replay("GTEST_TOTAL_SHARDS=2 GTEST_SHARD_INDEX=2", "");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("txaio-replay: error: sharding variables: GTEST_SHARD_INDEX='2': expected a whole number from 0 to 1"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("PASS"), std::string::npos);
}

}  // namespace

namespace {

// Bazel names the JUnit report a test writes in XML_OUTPUT_FILE; txaio-replay writes it there
// when --junit is not given.
TEST(ShardEnvironment, BazelsXmlOutputFileIsTheJUnitReport) {
  EXPECT_EQ(txaio::replay::junit_from_environment(env({{"XML_OUTPUT_FILE", "/tmp/out/test.xml"}})), "/tmp/out/test.xml");
  EXPECT_EQ(txaio::replay::junit_from_environment(env({})), "");
  EXPECT_EQ(txaio::replay::junit_from_environment(env({{"XML_OUTPUT_FILE", ""}})), "");
  EXPECT_EQ(txaio::replay::junit_from_environment(env({{"GTEST_OUTPUT", "xml:dir/"}})), "");
}

}  // namespace
