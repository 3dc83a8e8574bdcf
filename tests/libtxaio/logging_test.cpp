#include "txaio/logging.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <streambuf>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "log_capture.hpp"
#include "txaio/asio_loop.hpp"
#include "txaio/config.hpp"
#include "txaio/failure.hpp"
#include "txaio/sim/loop.hpp"
#include "txaio/testutil/replace_loop.hpp"

namespace {

// An argument whose formatter counts how often it runs.
std::atomic<int> g_format_calls{0};
struct Counted {
  int value;
};

// An argument whose formatter throws.
struct Exploding {};

}  // namespace

template <>
struct fmt::formatter<Counted> : fmt::formatter<int> {
  auto format(const Counted& c, format_context& ctx) const -> format_context::iterator {
    ++g_format_calls;
    return fmt::formatter<int>::format(c.value, ctx);
  }
};

template <>
struct fmt::formatter<Exploding> : fmt::formatter<int> {
  auto format(const Exploding&, format_context&) const -> format_context::iterator {
    throw std::runtime_error("formatter exploded");
  }
};

// Loggers made in various scopes, for namespace deduction.
namespace app {
struct Bunny {
  txaio::Logger log_ = txaio::make_logger();
  static inline txaio::Logger static_log = txaio::make_logger();
  txaio::Logger hop() const { return txaio::make_logger(); }
  txaio::Logger in_lambda() const {
    return [] { return txaio::make_logger(); }();
  }
};
template <class T>
struct Warren {
  txaio::Logger log_ = txaio::make_logger();
  txaio::Logger dig() const { return txaio::make_logger(); }
};
inline txaio::Logger free_function() { return txaio::make_logger(); }
namespace {
txaio::Logger in_anonymous() { return txaio::make_logger(); }
}  // namespace
}  // namespace app

txaio::Logger global_function() { return txaio::make_logger(); }

namespace {

using namespace std::chrono_literals;
namespace sim = txaio::sim;
using txaio::LogLevel;
using txaio::Logger;
using LoggingTest = txaio::test::LogCapture;

constexpr LogLevel all_levels[] = {LogLevel::none, LogLevel::critical, LogLevel::error, LogLevel::warn,
                                   LogLevel::info, LogLevel::debug,    LogLevel::trace};

// ---- levels --------------------------------------------------------------------------------

TEST(LogLevels, NamesRoundTrip) {
  for (LogLevel level : all_levels) EXPECT_EQ(txaio::parse_log_level(txaio::to_string(level)), level);
  EXPECT_EQ(txaio::to_string(LogLevel::warn), "warn");
  EXPECT_EQ(fmt::format("[{:>6}]", LogLevel::info), "[  info]");
}

TEST(LogLevels, UnknownNameIsInvalidArgumentNamingTheValidOnes) {
  for (const char* bad : {"loud", "INFO", "warning", "", " info"}) {
    try {
      txaio::parse_log_level(bad);
      ADD_FAILURE() << "no error for '" << bad << "'";
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(std::string("'") + bad + "'"), std::string::npos) << what;
      EXPECT_NE(what.find("none, critical, error, warn, info, debug, trace"), std::string::npos) << what;
    }
  }
}

TEST_F(LoggingTest, DefaultLevelIsInfo) {
  EXPECT_EQ(txaio::get_global_log_level(), LogLevel::info);
  const Logger log = txaio::make_logger("t");
  log.info("shown");
  log.debug("hidden");
  EXPECT_EQ(messages(), (std::vector<std::string>{"shown"}));
}

TEST_F(LoggingTest, EachLevelOnAndOff) {
  using Call = void (*)(const Logger&);
  const std::pair<LogLevel, Call> calls[] = {
      {LogLevel::critical, [](const Logger& l) { l.critical("critical {}", 1); }},
      {LogLevel::error, [](const Logger& l) { l.error("error {}", 1); }},
      {LogLevel::warn, [](const Logger& l) { l.warn("warn {}", 1); }},
      {LogLevel::info, [](const Logger& l) { l.info("info {}", 1); }},
      {LogLevel::debug, [](const Logger& l) { l.debug("debug {}", 1); }},
      {LogLevel::trace, [](const Logger& l) { l.trace("trace {}", 1); }},
  };
  const Logger log = txaio::make_logger("levels");
  for (LogLevel active : all_levels) {
    txaio::set_global_log_level(active);
    EXPECT_EQ(txaio::get_global_log_level(), active);
    for (const auto& [level, call] : calls) {
      const bool on = level <= active && active != LogLevel::none;
      EXPECT_EQ(Logger::enabled(level), on) << txaio::to_string(level) << " at " << txaio::to_string(active);
      for (int via_emit = 0; via_emit < 2; ++via_emit) {
        clear();
        if (via_emit != 0) {
          log.emit(level, "{} {}", txaio::to_string(level), 1);
        } else {
          call(log);
        }
        const std::vector<txaio::test::CapturedLine> got = lines();
        if (!on) {
          EXPECT_TRUE(got.empty()) << txaio::to_string(level) << " at " << txaio::to_string(active);
          continue;
        }
        ASSERT_EQ(got.size(), 1U) << txaio::to_string(level) << " at " << txaio::to_string(active);
        EXPECT_EQ(got[0].level, level);
        EXPECT_EQ(got[0].message, std::string(txaio::to_string(level)) + " 1");
        EXPECT_EQ(got[0].log_namespace, "levels");
      }
    }
    clear();
    log.emit(LogLevel::none, "never");
    EXPECT_TRUE(lines().empty());
  }
}

// A level outside the enumeration was silently clamped to trace.
TEST_F(LoggingTest, SetGlobalLogLevelRejectsAnUnknownLevel) {
  set_global_log_level(LogLevel::debug);
  try {
    set_global_log_level(static_cast<LogLevel>(99));
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("set_global_log_level"), std::string::npos) << what;
    EXPECT_NE(what.find("99"), std::string::npos) << what;
    EXPECT_NE(what.find("trace"), std::string::npos) << what;
  }
  EXPECT_EQ(txaio::get_global_log_level(), LogLevel::debug);
}

TEST_F(LoggingTest, SetGlobalLogLevelByName) {
  txaio::set_global_log_level("trace");
  EXPECT_EQ(txaio::get_global_log_level(), LogLevel::trace);
  txaio::set_global_log_level("error");
  EXPECT_EQ(txaio::get_global_log_level(), LogLevel::error);
  EXPECT_THROW(txaio::set_global_log_level("verbose"), std::invalid_argument);
  EXPECT_EQ(txaio::get_global_log_level(), LogLevel::error);
}

TEST_F(LoggingTest, CallsBelowTheLevelDoNotFormatTheirArguments) {
  const Logger log = txaio::make_logger("lazy");
  txaio::add_log_categories({{"LAZY", "lazy {}"}});
  g_format_calls = 0;
  txaio::set_global_log_level(LogLevel::info);
  log.debug("{}", Counted{1});
  log.trace("{}", Counted{2});
  log.emit(LogLevel::debug, "{}", Counted{3});
  log.debug(txaio::log_category("LAZY"), Counted{4});
  EXPECT_EQ(g_format_calls, 0);
  EXPECT_TRUE(messages().empty());

  log.info("{}", Counted{5});
  log.emit(LogLevel::warn, "{}", Counted{6});
  log.info(txaio::log_category("LAZY"), Counted{7});
  EXPECT_EQ(g_format_calls, 3);
  EXPECT_EQ(messages(), (std::vector<std::string>{"5", "6", "lazy 7"}));

  txaio::set_global_log_level(LogLevel::none);
  log.critical("{}", Counted{8});
  EXPECT_EQ(g_format_calls, 3);
}

TEST_F(LoggingTest, Trace) {
  const Logger log = txaio::make_logger("t");
  txaio::set_global_log_level(LogLevel::debug);
  log.trace("Bunny.hop(times={times})", fmt::arg("times", 1));
  EXPECT_TRUE(messages().empty());
  txaio::set_global_log_level(LogLevel::trace);
  log.trace("Bunny.hop(times={times})", fmt::arg("times", 2));
  ASSERT_EQ(lines().size(), 1U);
  EXPECT_EQ(lines()[0].level, LogLevel::trace);
  EXPECT_EQ(lines()[0].message, "Bunny.hop(times=2)");
}

// ---- formats and arguments -------------------------------------------------------------

TEST_F(LoggingTest, PositionalAndNamedArguments) {
  using namespace fmt::literals;
  const Logger log = txaio::make_logger("args");
  log.info("{} + {} = {}", 1, 2, 3);
  log.info("{1} before {0}", "b", "a");
  log.info("Hopping {times} times.", fmt::arg("times", 42));
  log.info("Hopping {times} times.", "times"_a = 43);
  log.info("{0} {who} {1:.2f}", "x", 2.5, "who"_a = std::string("named"));
  log.info("{n:>5}|{s:<3}|", "n"_a = 7, "s"_a = "ab");
  const std::string owned = "moved";
  log.info("{}", owned);
  EXPECT_EQ(messages(), (std::vector<std::string>{"1 + 2 = 3", "a before b", "Hopping 42 times.", "Hopping 43 times.",
                                                  "x named 2.50", "    7|ab |", "moved"}));
}

TEST_F(LoggingTest, LogTimeLevelAndNamespaceAreNames) {
  sim::Loop loop;
  auto guard = txaio::testutil::replace_loop(loop);
  loop.advance(3723.25);  // 01:02:03.25
  const Logger log = txaio::make_logger("app.Bunny");
  txaio::set_global_log_level(LogLevel::debug);
  log.debug("[{log_level}] {log_namespace}: at {log_time}");
  log.warn("{log_level:>8}|{log_time:%H:%M:%S}|");
  EXPECT_EQ(messages(), (std::vector<std::string>{
                            "[debug] app.Bunny: at 2000-01-01T01:02:03.250000+0000",
                            "    warn|01:02:03|",
                        }));
}

TEST_F(LoggingTest, RuntimeFormatThatDoesNotMatchItsArgumentsStillLogs) {
  const Logger log = txaio::make_logger("bad");
  EXPECT_NO_THROW(log.info(fmt::runtime("{} and {}"), 1));
  EXPECT_NO_THROW(log.info(fmt::runtime("{missing}"), 1));
  EXPECT_NO_THROW(log.info(fmt::runtime("{:d}"), "text"));
  EXPECT_NO_THROW(log.info(fmt::runtime("unclosed {")));
  EXPECT_EQ(messages(), (std::vector<std::string>{
                            "[log format error: argument not found] {} and {}",
                            "[log format error: argument not found] {missing}",
                            "[log format error: invalid type specifier] {:d}",
                            "[log format error: invalid format string] unclosed {",
                        }));
}

TEST(LogFormat, CountsThePositionalArgumentsAFormatUses) {
  using txaio::detail::positional_args_used;
  static_assert(positional_args_used("no fields") == 0);
  static_assert(positional_args_used("{} {}") == 2);
  static_assert(positional_args_used("{2} {0}") == 3);
  static_assert(positional_args_used("{:>{}} {:.{}f}") == 4);
  static_assert(positional_args_used("{0:>{3}}") == 4);
  static_assert(positional_args_used("{name} {log_time:%H:%M} {}") == 1);
  static_assert(positional_args_used("{{}} {{{}}}") == 1);
  static_assert(positional_args_used("{} unterminated {") == 1);
  EXPECT_EQ(positional_args_used(std::string("{} {} {}")), 3U);
}

TEST_F(LoggingTest, RuntimeFormatCannotReachTheImplicitArgumentsByPosition) {
  const Logger log = txaio::make_logger("rt");
  log.info(fmt::runtime("{}"));
  log.info(fmt::runtime("{1}"), "a");
  log.info(fmt::runtime("{0} at {log_level}"), "a");
  log.info(fmt::runtime("{:>{}}|"), "a", 3);
  EXPECT_EQ(messages(), (std::vector<std::string>{"[log format error: argument not found] {}",
                                                  "[log format error: argument not found] {1}", "a at info",
                                                  "  a|"}));
}

TEST_F(LoggingTest, ThrowingFormatterStillLogsAndDoesNotThrow) {
  const Logger log = txaio::make_logger("bad");
  EXPECT_NO_THROW(log.error("value: {}", Exploding{}));
  EXPECT_EQ(messages(), (std::vector<std::string>{"[log format error: formatter exploded] value: {}"}));
}

TEST_F(LoggingTest, ThrowingSinkNeverReachesTheCaller) {
  int calls = 0;
  txaio::set_log_sink([&calls](std::string_view) {
    ++calls;
    throw std::runtime_error("disk full");
  });
  const Logger log = txaio::make_logger("t");
  EXPECT_NO_THROW(log.error("one"));
  EXPECT_NO_THROW(log.error("two"));
  EXPECT_EQ(calls, 2);

  // A stream whose writes fail and which throws on failure.
  struct FullBuffer : std::streambuf {
    int_type overflow(int_type) override { return traits_type::eof(); }
  };
  FullBuffer full;
  std::ostream probe(&full);
  probe.exceptions(std::ios::badbit);
  EXPECT_THROW(probe << "x" << std::flush, std::ios::failure);
  std::ostream failing(&full);
  failing.exceptions(std::ios::badbit);
  txaio::set_log_sink(failing);
  EXPECT_NO_THROW(log.error("three"));
  EXPECT_NO_THROW(log.error("four"));
}

TEST_F(LoggingTest, LoggingFromInsideASinkGoesToStderrInsteadOfDeadlocking) {
  const Logger log = txaio::make_logger("t");
  std::vector<std::string> got;
  txaio::set_log_sink([&](std::string_view line) {
    got.emplace_back(line);
    if (got.size() == 1) log.error("from the sink");
  });
  ::testing::internal::CaptureStderr();
  log.error("outer");
  const std::string err = ::testing::internal::GetCapturedStderr();
  ASSERT_EQ(got.size(), 1U);
  EXPECT_NE(got[0].find(" outer\n"), std::string::npos);
  EXPECT_NE(err.find(" from the sink\n"), std::string::npos) << err;
}

// Ends the process with a failure if the scope is still running after `limit`: a deadlocked
// test would otherwise hang the suite, and the logging mutex it holds every later test.
class Watchdog {
public:
  Watchdog(const char* what, std::chrono::seconds limit) : thread_([this, what, limit] {
    std::unique_lock lock(mutex_);
    if (!done_cv_.wait_for(lock, limit, [this] { return done_; })) {
      std::fprintf(stderr, "FAILED: %s did not return within %lld s: deadlock\n", what,
                   static_cast<long long>(limit.count()));
      std::fflush(stderr);
      std::_Exit(1);
    }
  }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    done_cv_.notify_one();
    thread_.join();
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

private:
  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::thread thread_;  // last: started once the members it uses exist
};

TEST_F(LoggingTest, ASinkMayReadTheLevel) {
  const Logger log = txaio::make_logger("t");
  std::vector<LogLevel> seen;
  txaio::set_global_log_level(LogLevel::debug);
  txaio::set_log_sink([&](std::string_view) { seen.push_back(txaio::get_global_log_level()); });
  {
    Watchdog watchdog("a sink calling get_global_log_level", 10s);
    log.info("one");
  }
  EXPECT_EQ(seen, (std::vector<LogLevel>{LogLevel::debug}));
}

// The sink of the first line calls `install(next)`; the second line goes to `next`.
template <class Install>
void expect_a_sink_may_install_the_next(const char* what, Install install) {
  const Logger log = txaio::make_logger("t");
  std::vector<std::string> first;
  std::vector<std::string> second;
  const txaio::LogSink next([&](const txaio::LogLine& line) { second.emplace_back(line.message); });
  txaio::set_log_sink([&](const txaio::LogLine& line) {
    first.emplace_back(line.message);
    install(next);
  });
  {
    Watchdog watchdog(what, 10s);
    log.info("one");
    log.info("two");
  }
  EXPECT_EQ(first, (std::vector<std::string>{"one"}));
  EXPECT_EQ(second, (std::vector<std::string>{"two"}));
}

TEST_F(LoggingTest, ASinkMayReplaceTheSink) {
  expect_a_sink_may_install_the_next("a sink calling set_log_sink",
                                     [](const txaio::LogSink& next) { txaio::set_log_sink(next); });
}

TEST_F(LoggingTest, ASinkMayStartLogging) {
  expect_a_sink_may_install_the_next("a sink calling start_logging",
                                     [](const txaio::LogSink& next) { txaio::start_logging(next, LogLevel::debug); });
  EXPECT_EQ(txaio::get_global_log_level(), LogLevel::debug);
}

// ---- categories ---------------------------------------------------------------------------

TEST_F(LoggingTest, CategoryCallsUseTheRegisteredFormat) {
  using namespace fmt::literals;
  txaio::add_log_categories({{"AB1001", "Hopping {times} times."}, {"AB1002", "{} then {}"}});
  const Logger log = txaio::make_logger("cat");
  log.info(txaio::log_category("AB1001"), fmt::arg("times", 42));
  log.warn(txaio::log_category("AB1001"), "times"_a = 7);
  log.error(txaio::log_category("AB1002"), "first", 2);
  log.emit(LogLevel::critical, txaio::log_category("AB1002"), 'a', 'b');
  const auto got = lines();
  ASSERT_EQ(got.size(), 4U);
  EXPECT_EQ(got[0].message, "Hopping 42 times.");
  EXPECT_EQ(got[1].message, "Hopping 7 times.");
  EXPECT_EQ(got[2].message, "first then 2");
  EXPECT_EQ(got[3].message, "a then b");
  EXPECT_EQ(got[1].level, LogLevel::warn);
  EXPECT_EQ(got[3].level, LogLevel::critical);
}

TEST_F(LoggingTest, LaterCategoryRegistrationsOverrideEarlierOnes) {
  const Logger log = txaio::make_logger("cat");
  txaio::add_log_categories({{"AB1001", "old {x}"}, {"AB1003", "kept {x}"}});
  log.info(txaio::log_category("AB1001"), fmt::arg("x", 1));
  txaio::add_log_categories({{"AB1001", "new {x} at {log_level}"}});
  log.info(txaio::log_category("AB1001"), fmt::arg("x", 2));
  log.info(txaio::log_category("AB1003"), fmt::arg("x", 3));
  EXPECT_EQ(messages(), (std::vector<std::string>{"old 1", "new 2 at info", "kept 3"}));
}

TEST_F(LoggingTest, CategoryFormatThatDoesNotMatchItsArgumentsStillLogs) {
  txaio::add_log_categories({{"AB2000", "Hello {name}, {}"}});
  const Logger log = txaio::make_logger("cat");
  EXPECT_NO_THROW(log.info(txaio::log_category("AB2000"), fmt::arg("nmae", "x")));
  EXPECT_EQ(messages(),
            (std::vector<std::string>{"[log format error in category 'AB2000': argument not found] Hello {name}, {}"}));
}

TEST_F(LoggingTest, UnregisteredCategoryShowsTheKeyAndTheArguments) {
  const Logger log = txaio::make_logger("cat");
  log.info(txaio::log_category("ZZ9999"), 1, "two", fmt::arg("three", 3.5));
  log.info(txaio::log_category("ZZ9998"));
  EXPECT_EQ(messages(), (std::vector<std::string>{"[unregistered log category 'ZZ9999'] 1 two 3.5",
                                                  "[unregistered log category 'ZZ9998']"}));
}

TEST_F(LoggingTest, EmptyCategoryKeyIsInvalid) {
  EXPECT_THROW(txaio::add_log_categories({{"", "x"}, {"AB1", "y"}}), std::invalid_argument);
  const Logger log = txaio::make_logger("cat");
  log.info(txaio::log_category("AB1"));
  EXPECT_EQ(messages(), (std::vector<std::string>{"[unregistered log category 'AB1']"}));
}

// ---- start_logging, sinks and the default sink ----------------------------------------------

TEST_F(LoggingTest, StartLoggingTwiceTheFirstCallWins) {
  txaio::detail::reset_logging();
  std::string first;
  std::string second;
  txaio::start_logging([&first](std::string_view line) { first += line; }, "debug");
  EXPECT_EQ(txaio::get_global_log_level(), LogLevel::debug);
  txaio::start_logging([&second](std::string_view line) { second += line; }, "trace");
  txaio::start_logging(stdout, LogLevel::critical);
  EXPECT_EQ(txaio::get_global_log_level(), LogLevel::debug);
  const Logger log = txaio::make_logger("t");
  log.debug("to the first sink");
  log.trace("not at debug");
  EXPECT_NE(first.find(" to the first sink\n"), std::string::npos) << first;
  EXPECT_EQ(first.find("not at debug"), std::string::npos);
  EXPECT_EQ(second, "");
  txaio::detail::reset_logging();
}

TEST_F(LoggingTest, StartLoggingWithAnInvalidLevelIsAnErrorEvenAfterLoggingStarted) {
  txaio::detail::reset_logging();
  std::string out;
  auto sink = [&out](std::string_view line) { out += line; };
  try {
    txaio::start_logging(sink, "chatty");
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'chatty'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("none, critical, error, warn, info, debug, trace"), std::string::npos);
  }
  // The failed call did not start logging: this one does.
  txaio::start_logging(sink, "warn");
  EXPECT_EQ(txaio::get_global_log_level(), LogLevel::warn);
  EXPECT_THROW(txaio::start_logging(sink, "Debug"), std::invalid_argument);
  EXPECT_THROW(txaio::start_logging(sink, static_cast<LogLevel>(42)), std::invalid_argument);
  EXPECT_THROW(txaio::start_logging(txaio::LogSink(), "info"), std::invalid_argument);
  EXPECT_EQ(txaio::get_global_log_level(), LogLevel::warn);
  txaio::detail::reset_logging();
}

TEST_F(LoggingTest, BeforeASinkIsChosenWarningsAndWorseGoToStderr) {
  txaio::detail::reset_logging();
  EXPECT_EQ(txaio::get_global_log_level(), LogLevel::info);
  EXPECT_TRUE(Logger::enabled(LogLevel::warn));
  EXPECT_FALSE(Logger::enabled(LogLevel::info));
  const Logger log = txaio::make_logger("t");
  ::testing::internal::CaptureStderr();
  log.warn("a warning");
  log.info("an info");
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find(" a warning\n"), std::string::npos) << err;
  EXPECT_EQ(err.find("an info"), std::string::npos) << err;
}

TEST_F(LoggingTest, FileAndStreamSinksWriteWholeLines) {
  sim::Loop loop;
  auto guard = txaio::testutil::replace_loop(loop);
  const Logger log = txaio::make_logger("t");

  std::ostringstream stream;
  txaio::set_log_sink(stream);
  log.info("to a stream {}", 1);
  loop.advance(2s);
  log.info("again");
  EXPECT_EQ(stream.str(),
            "2000-01-01T00:00:00.000000+0000 to a stream 1\n"
            "2000-01-01T00:00:02.000000+0000 again\n");

  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  txaio::set_log_sink(file);
  log.info("to a file");
  txaio::set_log_sink(txaio::LogSink());
  std::rewind(file);
  char buffer[256] = {};
  const std::size_t n = std::fread(buffer, 1, sizeof buffer - 1, file);
  std::fclose(file);
  EXPECT_EQ(std::string(buffer, n), "2000-01-01T00:00:02.000000+0000 to a file\n");
}

TEST_F(LoggingTest, SetLogSinkReturnsThePreviousSink) {
  std::string mine;
  txaio::LogSink previous = txaio::set_log_sink([&mine](std::string_view line) { mine += line; });
  EXPECT_TRUE(static_cast<bool>(previous));
  const Logger log = txaio::make_logger("t");
  log.info("mine");
  txaio::set_log_sink(std::move(previous));
  log.info("theirs");
  EXPECT_NE(mine.find(" mine\n"), std::string::npos);
  EXPECT_EQ(mine.find("theirs"), std::string::npos);
  EXPECT_EQ(messages(), (std::vector<std::string>{"theirs"}));
}

// ---- output format --------------------------------------------------------------------------

TEST_F(LoggingTest, OutputFormatLineByLine) {
  sim::Loop loop;
  auto guard = txaio::testutil::replace_loop(loop);
  const Logger log = txaio::make_logger("fmt");
  txaio::set_global_log_level(LogLevel::trace);
  log.info("hello");
  loop.advance(1500ms);
  log.warn("hello {}", "again");
  loop.advance(1us);
  log.trace("micro");
  loop.advance(999ns);  // microseconds are rounded down
  log.trace("still micro");
  loop.advance(std::chrono::hours(24 * 366) + 1ns);  // 2000 is a leap year
  log.error("two\nlines");
  loop.advance_to(std::chrono::hours(24 * 365 * 30) + 23h + 59min + 59s + 999999999ns);
  log.critical("late");
  EXPECT_EQ(text(),
            "2000-01-01T00:00:00.000000+0000 hello\n"
            "2000-01-01T00:00:01.500000+0000 hello again\n"
            "2000-01-01T00:00:01.500001+0000 micro\n"
            "2000-01-01T00:00:01.500001+0000 still micro\n"
            "2001-01-01T00:00:01.500002+0000 two\nlines\n"
            "2029-12-24T23:59:59.999999+0000 late\n");
}

TEST_F(LoggingTest, WithoutALoopTheTimeIsTheSystemClock) {
  const Logger log = txaio::make_logger("t");
  ASSERT_FALSE(txaio::has_default_loop());
  const auto before = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  log.info("real time");
  const auto after = std::chrono::system_clock::now();
  const std::string line = text();
  const std::regex shape(R"(^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.\d{6}\+0000 real time\n$)");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(line, m, shape)) << line;
  using namespace std::chrono;
  const sys_days day = year(std::stoi(m[1])) / std::stoi(m[2]) / std::stoi(m[3]);
  const auto stamp = day + hours(std::stoi(m[4])) + minutes(std::stoi(m[5])) + seconds(std::stoi(m[6]));
  EXPECT_LE(before, stamp);
  EXPECT_LE(stamp, after);
}

TEST_F(LoggingTest, TheLoopDispatchingOnThisThreadGivesTheTime) {
  sim::Loop default_loop;
  sim::Loop other;
  auto guard = txaio::testutil::replace_loop(default_loop);
  default_loop.advance(1s);
  other.advance(5s);
  const Logger log = txaio::make_logger("t");
  other.call_later(2s, [&] { log.info("inside the other loop"); });
  default_loop.call_later(1s, [&] { log.info("inside the default loop"); });
  log.info("outside");
  other.advance(2s);
  default_loop.advance(1s);
  EXPECT_EQ(text(),
            "2000-01-01T00:00:01.000000+0000 outside\n"
            "2000-01-01T00:00:07.000000+0000 inside the other loop\n"
            "2000-01-01T00:00:02.000000+0000 inside the default loop\n");
}

// The virtual wall clock overflowed past ~8.3e9 s of loop time and dated lines 1700-08-23;
// it saturates at the latest time the system clock holds.
TEST_F(LoggingTest, LinesFarInVirtualTimeAreDatedAtTheEndOfTheClockNotInThePast) {
  sim::Loop loop;
  auto guard = txaio::testutil::replace_loop(loop);
  loop.advance(std::chrono::seconds(9'000'000'000));
  txaio::make_logger("t").info("late");
  EXPECT_EQ(text(), "2262-04-11T23:47:16.854775+0000 late\n");
}

TEST_F(LoggingTest, AnAsioLoopDispatchingOnThisThreadGivesTheTimeNotTheDefaultLoop) {
  sim::Loop virtual_default;  // its clock says 2000-01-01
  auto guard = txaio::testutil::replace_loop(virtual_default);
  boost::asio::io_context io;
  txaio::AsioLoop loop(io);
  const Logger log = txaio::make_logger("t");
  loop.call_soon([&] { log.info("from asio"); });
  loop.call_later(0ms, [&] { log.info("from an asio timer"); });
  log.info("from the test body");
  io.run();
  const auto got = lines();
  ASSERT_EQ(got.size(), 3U);
  EXPECT_EQ(got[0].text, "2000-01-01T00:00:00.000000+0000 from the test body\n");
  const auto now = std::chrono::system_clock::now();
  for (std::size_t i = 1; i < 3; ++i) {
    EXPECT_EQ(got[i].text.rfind("2000-", 0), std::string::npos) << got[i].text;
    EXPECT_LE(std::chrono::abs(now - got[i].time), std::chrono::hours(1)) << got[i].text;
  }
}

TEST_F(LoggingTest, StartLoggingDefaultsToStdoutAtInfo) {
  txaio::detail::reset_logging();
  const Logger log = txaio::make_logger("t");
  ::testing::internal::CaptureStdout();
  txaio::start_logging();
  log.info("to stdout");
  log.debug("not at info");
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(txaio::get_global_log_level(), LogLevel::info);
  txaio::detail::reset_logging();
  EXPECT_NE(out.find(" to stdout\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("not at info"), std::string::npos) << out;
}

// ---- threads ---------------------------------------------------------------------------------

TEST_F(LoggingTest, LinesFromSeveralThreadsNeverInterleave) {
  // An ostringstream is not thread-safe: only the logger's one-write-per-line under a mutex
  // keeps these lines whole.
  std::ostringstream out;
  txaio::set_log_sink(out);
  constexpr int threads = 4;
  constexpr int per_thread = 300;
  const std::string payload(200, 'x');
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([t, &payload] {
      const Logger log = txaio::make_logger("threads");
      for (int i = 0; i < per_thread; ++i) log.info("thread {} line {} {}", t, i, payload);
    });
  }
  for (std::thread& th : pool) th.join();
  std::istringstream in(out.str());
  const std::regex shape(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+0000 thread (\d) line (\d+) x{200}$)");
  std::set<std::pair<int, int>> seen;
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, shape)) << line;
    EXPECT_TRUE(seen.emplace(std::stoi(m[1]), std::stoi(m[2])).second) << line;
  }
  EXPECT_EQ(seen.size(), std::size_t{threads * per_thread});
}

// ---- namespaces -----------------------------------------------------------------------------

TEST(MakeLogger, NamespaceIsTheCallingFunctionsScope) {
  const app::Bunny bunny;
  EXPECT_EQ(bunny.log_.log_namespace(), "app::Bunny");
  EXPECT_EQ(bunny.hop().log_namespace(), "app::Bunny");
  EXPECT_EQ(bunny.in_lambda().log_namespace(), "app::Bunny");
  using IntMap = std::map<int, int>;
  EXPECT_EQ(app::Warren<IntMap>().log_.log_namespace(), "app::Warren");
  EXPECT_EQ(app::Warren<int>().dig().log_namespace(), "app::Warren");
  EXPECT_EQ(app::free_function().log_namespace(), "app");
  EXPECT_EQ(app::in_anonymous().log_namespace(), "app::{anonymous}");
  // No enclosing scope (global function, static member): the file's stem.
  EXPECT_EQ(global_function().log_namespace(), "logging_test");
  EXPECT_EQ(app::Bunny::static_log.log_namespace(), "logging_test");
}

TEST(MakeLogger, ExplicitNamespace) {
  EXPECT_EQ(txaio::make_logger("my.module").log_namespace(), "my.module");
  EXPECT_EQ(txaio::make_logger(std::string("built")).log_namespace(), "built");
  // One copy per distinct name.
  EXPECT_EQ(txaio::make_logger("same").log_namespace().data(), txaio::make_logger("same").log_namespace().data());
}

TEST(MakeLogger, DeducesFromCompilerFunctionNames) {
  using txaio::detail::deduce_log_namespace;
  const std::pair<const char*, const char*> cases[] = {
      {"void app::Bunny::hop(int)", "app::Bunny"},
      {"constexpr app::Bunny::Bunny()", "app::Bunny"},
      {"app::Bunny::~Bunny()", "app::Bunny"},
      {"static std::map<int, int> app::Bunny::stat(std::map<int, int>)", "app::Bunny"},
      {"app::Bunny::hop(int)::<lambda()>", "app::Bunny"},
      {"void app::Foo<T>::Inner::baz() const [with T = std::map<int, int>]", "app::Foo::Inner"},
      {"void app::Foo<std::pair<int, int> >::bar()", "app::Foo"},
      {"bool app::Bunny::operator<(const app::Bunny&) const", "app::Bunny"},
      {"bool app::Bunny::operator()(int) const", "app::Bunny"},
      {"app::Bunny::operator std::string() const", "app::Bunny"},
      {"void (* app::getp())(int)", "app"},
      {"std::function<void(int)> app::make(int)", "app"},
      {"void app::{anonymous}::anon()", "app::{anonymous}"},
      // Clang and MSVC spellings.
      {"void app::Foo<int>::bar() [T = int]", "app::Foo"},
      {"auto app::Bunny::hop(int)::(anonymous class)::operator()() const", "app::Bunny"},
      {"void __cdecl app::Bunny::hop(int)", "app::Bunny"},
      {"void app::operator_thing::run()", "app::operator_thing"},
  };
  for (const auto& [function, expected] : cases) {
    EXPECT_EQ(deduce_log_namespace(function, "/src/x/bunny.cpp"), expected) << function;
  }
  EXPECT_EQ(deduce_log_namespace("int main()", "/src/x/bunny.cpp"), "bunny");
  EXPECT_EQ(deduce_log_namespace("main()::<lambda()>", "C:\\src\\hop.cc"), "hop");
  EXPECT_EQ(deduce_log_namespace("", "tool.cpp"), "tool");
}

// ---- determinism ----------------------------------------------------------------------------

// A small simulated program: timers, ties broken by a seeded PRNG, cancellation, an exception
// escaping a callback, an unhandled failure reported by the loop. Returns its log.
std::string run_simulated_program() {
  txaio::detail::reset_logging();
  std::string out;
  txaio::start_logging([&out](std::string_view line) { out += line; }, "info");
  {
    sim::Loop loop(sim::Options{.seed = 99, .ties = sim::Ties::random});
    auto guard = txaio::testutil::replace_loop(loop);
    const Logger log = txaio::make_logger("sim.program");
    log.info("program starts");
    for (int i = 0; i < 4; ++i) {
      txaio::call_later(std::chrono::milliseconds(250 * i + 100), [&log, i] { log.info("timer {} fired", i); });
    }
    for (int i = 0; i < 5; ++i) txaio::call_later(2s, [&log, i] { log.info("tie {}", i); });
    auto doomed = txaio::call_later(1s, [&log] { log.error("cancelled call ran"); });
    txaio::call_later(0.5, [doomed]() mutable { doomed.cancel(); });
    txaio::call_later(1500ms, [] { throw std::runtime_error("boom"); });
    txaio::call_soon([&log] { log.warn("soon, at {log_time:%S}s"); });
    for (int attempt = 0; attempt < 3; ++attempt) {
      try {
        loop.run_until_idle();
        break;
      } catch (...) {
        log.error("callback failed: {}", txaio::failure_message(txaio::create_failure()));
      }
    }
    loop.report_unhandled_failure(txaio::create_failure(std::logic_error("nobody listened")));
    loop.advance(250ms);
    log.info("program ends");
  }
  txaio::detail::reset_logging();
  return out;
}

TEST(LoggingDeterminism, TwoRunsOfTheSameSimulatedProgramGiveIdenticalLogs) {
  const std::string first = run_simulated_program();
  const std::string second = run_simulated_program();
  EXPECT_EQ(first, second);

  std::vector<std::string> lines;
  std::istringstream in(first);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 14U) << first;
  EXPECT_EQ(lines[0], "2000-01-01T00:00:00.000000+0000 program starts");
  EXPECT_EQ(lines[1], "2000-01-01T00:00:00.000000+0000 soon, at 00s");
  EXPECT_EQ(lines[2], "2000-01-01T00:00:00.100000+0000 timer 0 fired");
  EXPECT_EQ(lines[3], "2000-01-01T00:00:00.350000+0000 timer 1 fired");
  EXPECT_EQ(lines[4], "2000-01-01T00:00:00.600000+0000 timer 2 fired");
  EXPECT_EQ(lines[5], "2000-01-01T00:00:00.850000+0000 timer 3 fired");
  EXPECT_EQ(lines[6], "2000-01-01T00:00:01.500000+0000 callback failed: std::runtime_error: boom");
  std::set<std::string> ties;
  for (int i = 7; i < 12; ++i) {
    EXPECT_EQ(lines[i].substr(0, 32), "2000-01-01T00:00:02.000000+0000 ");
    ties.insert(lines[i].substr(32));
  }
  EXPECT_EQ(ties, (std::set<std::string>{"tie 0", "tie 1", "tie 2", "tie 3", "tie 4"}));
  EXPECT_EQ(lines[12], "2000-01-01T00:00:02.000000+0000 Unhandled error in a rejected future nobody handled: "
                       "std::logic_error: nobody listened");
  EXPECT_EQ(lines[13], "2000-01-01T00:00:02.250000+0000 program ends");
}

}  // namespace
