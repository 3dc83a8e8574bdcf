// check_schedules: a test body as a RapidCheck property over generated sim::Loop schedules.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cstdlib>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include "txaio/scenario.hpp"
#include "txaio/testutil/detail/event_trace.hpp"
#include "txaio/testutil/rapidcheck.hpp"
#include "txaio/testutil/replace_loop.hpp"

namespace txaio::testutil {
namespace {

const char* env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

[[noreturn]] void bad_variable(const char* name, std::string_view value, std::string_view expected) {
  throw std::invalid_argument(fmt::format("{}='{}': expected {}", name, value, expected));
}

std::uint64_t parse_u64(const char* name, std::string_view text, std::string_view expected) {
  const std::optional<std::uint64_t> value = scenario::parse_u64(text);
  if (!value) bad_variable(name, text, expected);
  return *value;
}

// "250ns", "3us", "2ms", "1s" (the scenario format's durations) or a bare count of nanoseconds.
nanoseconds parse_jitter(std::string_view text) {
  static constexpr std::string_view expected = "a duration such as 0, 250ns, 3us, 2ms or 1s";
  const bool bare = !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
  if (bare) {
    const std::uint64_t ns = parse_u64("TXAIO_SIM_JITTER", text, expected);
    if (ns > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) bad_variable("TXAIO_SIM_JITTER", text, expected);
    return nanoseconds(static_cast<std::int64_t>(ns));
  }
  // With its unit always (every unit ends in 's'): a bare number is nanoseconds, not seconds.
  const std::optional<std::int64_t> ns = text.ends_with('s') ? scenario::parse_time(text) : std::nullopt;
  if (!ns) bad_variable("TXAIO_SIM_JITTER", text, expected);
  return nanoseconds(*ns);
}

int runs_to_do(const ExploreOptions& options, int configured) {
  if (const char* text = env("TXAIO_SIM_RUNS")) {
    const std::uint64_t runs = parse_u64("TXAIO_SIM_RUNS", text, "a positive number of schedules");
    if (runs == 0 || runs > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) {
      bad_variable("TXAIO_SIM_RUNS", text, "a positive number of schedules");
    }
    return static_cast<int>(runs);
  }
  return options.runs > 0 ? options.runs : configured;
}

// One run of `body` on a fresh loop installed as the default; `trace` receives its events.
void run_schedule(const std::function<void(sim::Loop&)>& body, const sim::Options& options,
                  std::vector<detail::TraceEvent>* trace) {
  detail::EventTrace recorded;
  sim::Loop loop(options);
  if (trace != nullptr) loop.add_observer(recorded);
  {
    auto guard = replace_loop(loop);
    body(loop);
  }
  if (trace != nullptr) {
    loop.remove_observer(recorded);
    *trace = std::move(recorded.events);
  }
}

void run_twice_and_compare(const std::function<void(sim::Loop&)>& body, const sim::Options& options) {
  std::vector<detail::TraceEvent> first;
  std::vector<detail::TraceEvent> second;
  run_schedule(body, options, &first);
  run_schedule(body, options, &second);
  if (const std::optional<std::string> diff = detail::first_difference(first, second)) {
    RC_FAIL("not deterministic: two runs of the same schedule differ: " + *diff);
  }
}

std::string current_test_id() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return info == nullptr ? std::string() : fmt::format("{}/{}", info->test_suite_name(), info->name());
}

}  // namespace

std::optional<sim::Options> schedule_from_environment() {
  const char* seed = env("TXAIO_SIM_SEED");
  const char* ties = env("TXAIO_SIM_TIES");
  const char* dispatch = env("TXAIO_SIM_DISPATCH");
  const char* jitter = env("TXAIO_SIM_JITTER");
  if (seed == nullptr && ties == nullptr && dispatch == nullptr && jitter == nullptr) return std::nullopt;
  sim::Options options;
  if (seed != nullptr) options.seed = parse_u64("TXAIO_SIM_SEED", seed, "an unsigned 64-bit seed");
  if (ties != nullptr) {
    try {
      options.ties = sim::parse_ties(ties);
    } catch (const std::invalid_argument&) {
      bad_variable("TXAIO_SIM_TIES", ties, "fifo, lifo or random");
    }
  }
  if (dispatch != nullptr) {
    const std::string_view d = dispatch;
    if (d != "scheduled" && d != "immediate") bad_variable("TXAIO_SIM_DISPATCH", d, "scheduled or immediate");
    options.dispatch = d == "immediate" ? Dispatch::immediate : Dispatch::scheduled;
  }
  if (jitter != nullptr) options.jitter = parse_jitter(jitter);
  return options;
}

std::string reproduce_variables(const sim::Options& options) {
  return fmt::format("TXAIO_SIM_SEED={} TXAIO_SIM_TIES={} TXAIO_SIM_DISPATCH={} TXAIO_SIM_JITTER={}ns", options.seed,
                     sim::to_string(options.ties),
                     options.dispatch == Dispatch::immediate ? "immediate" : "scheduled", options.jitter.count());
}

ExploreResult explore_schedules(const std::function<void(sim::Loop&)>& body, const ExploreOptions& options) {
  const std::optional<sim::Options> fixed = schedule_from_environment();
  std::optional<sim::Options> last_failing;
  // Shrinking adopts each smaller schedule that still fails, so the last failing run is the
  // smallest one.
  const auto property = [&] {
    sim::Options o = fixed ? *fixed : *gen::options(options.max_jitter);
    o.max_events = options.max_events;
    try {
      if (options.check_determinism) {
        run_twice_and_compare(body, o);
      } else {
        run_schedule(body, o, nullptr);
      }
    } catch (...) {
      last_failing = o;
      throw;
    }
  };
  rc::detail::TestMetadata metadata;
  metadata.id = current_test_id();
  metadata.description = metadata.id;
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  // With a schedule from the environment every run uses it; runs still draw (and shrink) the
  // body's own values, if it has any.
  params.maxSuccess = runs_to_do(options, params.maxSuccess);
  const rc::detail::TestResult result = rc::detail::checkTestable(property, metadata, params);

  ExploreResult out;
  if (result.is<rc::detail::SuccessResult>()) {
    out.runs = result.get<rc::detail::SuccessResult>().numSuccess;
    return out;
  }
  out.failed = true;
  if (result.is<rc::detail::FailureResult>()) out.runs = result.get<rc::detail::FailureResult>().numSuccess;
  std::ostringstream text;
  rc::detail::printResultMessage(result, text);
  if (last_failing) {
    out.smallest = last_failing;
    out.reproduce = "reproduce: " + reproduce_variables(*last_failing);
    text << "\nsmallest failing schedule: " << *last_failing << '\n' << out.reproduce;
  }
  out.message = text.str();
  return out;
}

void check_schedules(const std::function<void(sim::Loop&)>& body, const ExploreOptions& options) {
  ExploreResult result;
  try {
    result = explore_schedules(body, options);
  } catch (const std::invalid_argument& e) {
    ADD_FAILURE() << "check_schedules: " << e.what();
    return;
  }
  if (!result.failed) return;
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  ADD_FAILURE() << result.message
                << (info == nullptr ? std::string()
                                    : fmt::format("\n(run it alone: that line, then the test binary with "
                                                  "--gtest_filter={}.{})",
                                                  info->test_suite_name(), info->name()));
}

}  // namespace txaio::testutil
