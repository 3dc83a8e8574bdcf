// Logging state and sinks: levels, the sink and the lock that serializes its writes, the
// category table, interned namespaces.
#include "logging_state.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <set>
#include <shared_mutex>
#include <stdexcept>
#include <utility>
#include <vector>

namespace txaio {
namespace detail {

constinit std::atomic<std::uint8_t> g_log_threshold{static_cast<std::uint8_t>(LogLevel::warn)};

}  // namespace detail

namespace {

constexpr std::string_view level_names[] = {"none", "critical", "error", "warn", "info", "debug", "trace"};
constexpr std::string_view valid_levels = "none, critical, error, warn, info, debug, trace";

// Process-wide logging state. Never destroyed, so loggers keep working during static
// destruction. A sink is called holding `write_mutex` only, so it may use every other
// logging function.
struct State {
  std::mutex write_mutex;  // serializes every sink write
  std::mutex mutex;        // guards sink, started, and level changes with the threshold
  std::shared_ptr<const LogSink> sink;  // null for the default; kept alive by a write using it
  std::atomic<LogLevel> level{LogLevel::info};
  bool started = false;

  std::shared_mutex categories_mutex;
  std::map<std::string, std::shared_ptr<const std::string>, std::less<>> categories;

  std::mutex names_mutex;
  std::set<std::string, std::less<>> names;
};

State& state() {
  static State* const s = new State();
  return *s;
}

// With the default sink only `warn` and more severe lines are written, so the others are not
// even formatted. Called with `state().mutex` held.
void update_threshold(const State& s) noexcept {
  const LogLevel level = s.level.load(std::memory_order_relaxed);
  const LogLevel active = s.sink ? level : std::min(level, LogLevel::warn);
  detail::g_log_threshold.store(static_cast<std::uint8_t>(active), std::memory_order_relaxed);
}

// Installs `sink` (null: the default) and returns the previous one, which dies with the
// caller's copy, after the lock is released.
std::shared_ptr<const LogSink> swap_sink(State& s, std::shared_ptr<const LogSink> sink) noexcept {
  std::swap(s.sink, sink);
  update_threshold(s);
  return sink;
}

std::shared_ptr<const LogSink> current_sink(State& s) noexcept {
  std::lock_guard lock(s.mutex);
  return s.sink;
}

// Null for the empty (default) sink.
std::shared_ptr<const LogSink> share_sink(LogSink sink) {
  return sink ? std::make_shared<const LogSink>(std::move(sink)) : nullptr;
}

void write_file(std::FILE* file, std::string_view text) noexcept {
  std::fwrite(text.data(), 1, text.size(), file);
  std::fflush(file);
}

// Set while this thread is inside a sink: a log call made by the sink goes to stderr instead
// of deadlocking on the write mutex.
thread_local bool t_in_sink = false;

// `std::invalid_argument` naming `where` and the valid levels for a value outside `LogLevel`.
void check_log_level(LogLevel level, std::string_view where) {
  if (static_cast<std::size_t>(level) < std::size(level_names)) return;
  throw std::invalid_argument(fmt::format("txaio::{}: invalid log level {}; valid levels are {}", where,
                                          static_cast<unsigned>(level), valid_levels));
}

}  // namespace

std::string_view to_string(LogLevel level) noexcept {
  const auto index = static_cast<std::size_t>(level);
  return index < std::size(level_names) ? level_names[index] : std::string_view("?");
}

LogLevel parse_log_level(std::string_view name) {
  for (std::size_t i = 0; i < std::size(level_names); ++i) {
    if (level_names[i] == name) return static_cast<LogLevel>(i);
  }
  throw std::invalid_argument(fmt::format("txaio: invalid log level '{}'; valid levels are {}", name, valid_levels));
}

LogSink::LogSink(std::FILE* file) {
  if (file == nullptr) throw std::invalid_argument("txaio::LogSink: null FILE*");
  write_ = [file](const LogLine& line) { write_file(file, line.text); };
}

LogSink::LogSink(std::ostream& out) {
  write_ = [out = &out](const LogLine& line) {
    out->write(line.text.data(), static_cast<std::streamsize>(line.text.size()));
    out->flush();
  };
}

void start_logging(LogSink out, std::string_view level) { start_logging(std::move(out), parse_log_level(level)); }

void start_logging(LogSink out, LogLevel level) {
  if (!out) throw std::invalid_argument("txaio::start_logging: empty sink: pass a FILE*, an ostream or a callable");
  check_log_level(level, "start_logging");
  std::shared_ptr<const LogSink> sink = share_sink(std::move(out));
  State& s = state();
  std::lock_guard lock(s.mutex);
  if (s.started) return;
  s.started = true;
  s.level.store(level, std::memory_order_relaxed);
  sink = swap_sink(s, std::move(sink));
}

LogSink set_log_sink(LogSink sink) {
  std::shared_ptr<const LogSink> previous = share_sink(std::move(sink));
  {
    State& s = state();
    std::lock_guard lock(s.mutex);
    previous = swap_sink(s, std::move(previous));
  }
  return previous ? *previous : LogSink();
}

void set_global_log_level(LogLevel level) {
  check_log_level(level, "set_global_log_level");
  State& s = state();
  std::lock_guard lock(s.mutex);
  s.level.store(level, std::memory_order_relaxed);
  update_threshold(s);
}

void set_global_log_level(std::string_view level) { set_global_log_level(parse_log_level(level)); }

LogLevel get_global_log_level() noexcept { return state().level.load(std::memory_order_relaxed); }

void add_log_categories(const std::map<std::string, std::string>& categories) {
  for (const auto& entry : categories) {
    if (entry.first.empty()) throw std::invalid_argument("txaio::add_log_categories: empty category key");
  }
  std::vector<std::pair<std::string, std::shared_ptr<const std::string>>> added;
  added.reserve(categories.size());
  for (const auto& [key, format] : categories) added.emplace_back(key, std::make_shared<const std::string>(format));
  State& s = state();
  std::unique_lock lock(s.categories_mutex);
  for (auto& [key, format] : added) s.categories.insert_or_assign(std::move(key), std::move(format));
}

namespace detail {

void deliver(const LogLine& line) noexcept {
  if (t_in_sink) {
    write_file(stderr, line.text);
    return;
  }
  State& s = state();
  std::lock_guard write(s.write_mutex);
  const std::shared_ptr<const LogSink> sink = current_sink(s);
  t_in_sink = true;
  try {
    if (sink) {
      sink->write(line);
    } else if (line.level <= LogLevel::warn) {
      write_file(stderr, line.text);
    }
  } catch (...) {
    // A failing sink loses the line; the caller must not notice.
  }
  t_in_sink = false;
}

std::shared_ptr<const std::string> find_category(std::string_view key) {
  State& s = state();
  std::shared_lock lock(s.categories_mutex);
  const auto it = s.categories.find(key);
  return it == s.categories.end() ? nullptr : it->second;
}

std::string_view intern_log_namespace(std::string_view name) {
  State& s = state();
  std::lock_guard lock(s.names_mutex);
  auto it = s.names.find(name);
  if (it == s.names.end()) it = s.names.emplace(name).first;
  return *it;
}

void reset_logging() noexcept {
  State& s = state();
  std::shared_ptr<const LogSink> previous;
  {
    std::lock_guard lock(s.mutex);
    s.level.store(LogLevel::info, std::memory_order_relaxed);
    s.started = false;
    previous = swap_sink(s, nullptr);
  }
  std::unique_lock lock(s.categories_mutex);
  s.categories.clear();
}

}  // namespace detail
}  // namespace txaio
