#pragma once
/// The scenario format (`*.txs`): its data model, its parser, its writer and the text forms of
/// times and events. The one model of the format: `txaio-replay` parses and runs it, and
/// `sim::Recorder` writes its recordings through it. See docs/scenarios.md.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "txaio/sim/ties.hpp"


namespace txaio::scenario {

/// The first line of every scenario file.
inline constexpr std::string_view header_line = "txaio-scenario 1";
/// Longest accepted line, in bytes, without its line terminator.
inline constexpr std::size_t max_line_bytes = 4096;
/// Longest accepted id or batched-timer name, in bytes.
inline constexpr std::size_t max_id_bytes = 64;
/// Largest accepted `chunk=` of a batched timer.
inline constexpr std::uint64_t max_chunk = 1'000'000'000;
/// Smallest accepted `bucket=` of a batched timer, in ns (the batched timer's own minimum).
inline constexpr std::int64_t min_bucket_ns = 1'000'000;

/// `ties`: how calls due at the same instant are ordered: the loop's own policy.
using Ties = sim::Ties;
/// "fifo", "lifo" or "random"; nullopt otherwise (`sim::parse_ties` is the throwing form).
std::optional<Ties> parse_ties(std::string_view text) noexcept;
using sim::to_string;

/// What a replay observes. `fire` and `error` are always compared; the others only in trace
/// mode (`--trace`, or when a scenario's own `expect` lines use them).
enum class EventKind : std::uint8_t {
  fire,           ///< `<t> fire <id>`: the call ran and returned
  error,          ///< `<t> error <id> <message>`: the call ran and threw `message`
  schedule,       ///< `<t> schedule <id> <due>`: the call was scheduled, due at `<due>`
  cancel,         ///< `<t> cancel <id>`: a pending call was cancelled
  bucket_timer,   ///< `<t> bucket_timer <B> <due>`: batched timer B armed a loop timer for `<due>`
  bucket_fire,    ///< `<t> bucket_fire <B> <i>/<k>`: B's loop timer fired, running chunk i of k (from 1)
  bucket_cancel,  ///< `<t> bucket_cancel <B>`: B cancelled a loop timer (its bucket emptied)
  batch_error,    ///< `<t> batch_error <B> <n>`: B reported a BatchError carrying n messages
};

std::string_view to_string(EventKind kind) noexcept;
/// True for the kinds compared only in trace mode.
constexpr bool is_trace_kind(EventKind kind) noexcept { return kind != EventKind::fire && kind != EventKind::error; }

/// One observed (or expected) event.
struct Event {
  std::int64_t time_ns = 0;
  EventKind kind = EventKind::fire;
  std::string id;       ///< call id; batched-timer name for bucket_* and batch_error
  std::string message;  ///< error message (error); "<i>/<k>" (bucket_fire)
  std::int64_t value = 0;  ///< due time in ns (schedule, bucket_timer); count (batch_error)

  friend bool operator==(const Event&, const Event&) = default;
};

/// `<time> <kind> <id> [<detail>]`, the part of an `expect` line after `expect`.
std::string format_event(const Event& event);
/// Appends `format_event(event)` to `out` (no allocation beyond `out`'s growth).
void append_event(std::string& out, const Event& event);

/// Exact decimal seconds, trailing zeros removed: 5100000000 -> "5.1", 0 -> "0",
/// 1 -> "0.000000001". Negative values get a leading '-'.
std::string format_time(std::int64_t ns);
/// Appends `format_time(ns)` to `out`.
void append_time(std::string& out, std::int64_t ns);

/// Parses a scenario time or duration: decimal seconds with up to 9 decimals ("5", "1.25"), or a
/// number with unit s, ms, us or ns ("5s", "250ms", "1.5us", "7ns"), exactly, without floating point.
/// Returns nullopt with `why` set when malformed or out of range.
std::optional<std::int64_t> parse_time(std::string_view text, std::string* why = nullptr);

/// Parses a seed or a count: a non-negative decimal integer that fits in 64 bits, digits only
/// (no sign, space or empty text). Returns nullopt with `why` set when malformed or out of range.
/// The one parser for `seed` lines and `--seed`.
std::optional<std::uint64_t> parse_u64(std::string_view text, std::string* why = nullptr);

/// Writes `text` as one scenario token (a `raise=` value): as is when it has no whitespace,
/// `#`, `"` or control character, else double-quoted with `\"`, `\\`, `\n`, `\t`, `\r` escapes.
std::string quote_token(std::string_view text);
/// Writes `text` as the message at the end of an `expect ... error` line: as is when it reads
/// back unchanged as the rest of the line, else double-quoted as `quote_token` does.
std::string quote_message(std::string_view text);

/// A malformed scenario: `what()` is `<file>:<line>:<column>: error: <message>`; lines and
/// columns count from 1, columns in bytes.
class ParseError : public std::runtime_error {
public:
  ParseError(std::string file, std::size_t line, std::size_t column, std::string message);
  const std::string& file() const noexcept { return file_; }
  std::size_t line() const noexcept { return line_; }
  std::size_t column() const noexcept { return column_; }
  /// The message without the location.
  const std::string& message() const noexcept { return message_; }

private:
  std::string file_;
  std::size_t line_;
  std::size_t column_;
  std::string message_;
};

/// `batched <name> bucket=<dur> [chunk=<n>] [never_early=0|1]`.
struct BatchedDecl {
  std::string name;
  std::int64_t bucket_ns = 0;
  std::uint64_t chunk = 100;
  bool never_early = false;
  std::size_t line = 0;
};

/// A call declared by `at <t> call_later <id> <delay> [via=<B>] [raise=<message>]` (or by
/// `on <parent> call_later ...`).
struct Call {
  std::string id;
  /// When it is scheduled: the `at` time; for a call declared by an `on` line, its parent's
  /// due time (exact for a plain timer; a batched parent runs somewhere in its bucket).
  std::int64_t at_ns = 0;
  std::int64_t delay_ns = 0;
  std::optional<std::uint32_t> via;  ///< index into `Scenario::batched`
  std::optional<std::string> raise;  ///< the callback throws std::runtime_error(*raise)
  /// The ops its callback applies when it runs: `Scenario::causal_ops[causal_begin, causal_end)`.
  std::uint32_t causal_begin = 0;
  std::uint32_t causal_end = 0;
  std::size_t line = 0;
};

enum class OpKind : std::uint8_t { call_later, cancel };

/// One `at` or `and` line (in file order, which is time order), or one `on` line.
struct Op {
  /// The `at` time; for an `on` op, the estimate of `Call::at_ns`.
  std::int64_t at_ns = 0;
  OpKind kind = OpKind::call_later;
  std::uint32_t call = 0;  ///< index into `Scenario::calls`
  /// For `and <op>`: applied right after the previous op, at its time, without advancing the
  /// loop in between (an `at` op first runs everything due at or before its time).
  bool chained = false;
  /// For `on <parent> ...`: the parent's index into `Scenario::calls`; the op is applied
  /// inside the parent's callback, before it returns (or throws its `raise=`).
  std::optional<std::uint32_t> on;
  std::size_t line = 0;
};

/// One `expect` line. Consecutive `expect any <t> ...` lines with the same time form a set:
/// the observed events at their places may come in any order.
struct Expect {
  Event event;
  std::size_t line = 0;
  bool unordered = false;
};

/// A `#` comment line of a written scenario, placed before `Scenario::expects[before_expect]`
/// (at the end when it is `expects.size()`). The parser does not keep comments.
struct Comment {
  std::size_t before_expect = 0;
  std::string text;
};

/// A parsed scenario file, or one to write.
struct Scenario {
  std::string name;  ///< the file name used in messages
  std::optional<std::uint64_t> seed;
  std::optional<Ties> ties;
  std::optional<std::int64_t> jitter_ns;  ///< `jitter <dur>`: the loop's `sim::Options::jitter`
  std::vector<BatchedDecl> batched;
  std::vector<Call> calls;
  std::vector<Op> ops;  ///< the `at` and `and` lines
  /// The `on` lines, grouped by parent call (see `Call::causal_begin`), in file order per parent.
  std::vector<Op> causal_ops;
  std::optional<std::int64_t> run_ns;  ///< `run <t>`; nullopt: until idle
  std::size_t run_line = 0;
  std::vector<Expect> expects;
  std::size_t line_count = 0;
  /// Comment lines written right after the header (the parser does not keep comments).
  std::vector<std::string> preamble;
  /// Comment lines written among the expectations.
  std::vector<Comment> comments;

  /// True when an `expect` line uses a trace-only kind: the scenario is then compared in trace
  /// mode even without `--trace`.
  bool expects_trace() const noexcept;
  /// Index of the batched timer called `name`, if declared.
  std::optional<std::uint32_t> find_batched(std::string_view timer) const noexcept;
};

/// Parses a whole scenario file. `name` is the file name used in `ParseError`s. Throws
/// `ParseError` at the first problem: a missing or wrong header, an empty file, non-UTF-8
/// bytes, control characters, a line over `max_line_bytes`, unknown directives or kinds, bad
/// or out-of-range numbers, decreasing `at` times, unknown or duplicate ids (an `on` line names
/// calls declared above it), batched timers used before they are declared, misplaced `seed` /
/// `ties` / `jitter` / `run`, and trailing tokens.
Scenario parse_scenario(std::string_view text, std::string_view name);

/// Writes `scenario` as a scenario file that `parse_scenario` reads back as the same model
/// (ids, ops, times, expectations; `line` numbers and comments aside): the header, the
/// preamble comments, `seed`, `ties`, `jitter`, the `batched` lines, the ops in order (`at`,
/// or `and` for a chained op; each call's `on` lines right after the lines that declare it
/// and every call it cancels), `run`, then the expectations (`expect any` for unordered ones)
/// with the comments among them. Messages and comments are made writable first: bytes that
/// are not UTF-8 and control characters become '?', and they are cut at 1000 bytes.
/// Throws `std::invalid_argument` when the model cannot be written: an index out of range, or
/// an `on` op whose cancelled call is never declared.
std::string write_scenario(const Scenario& scenario);

/// `text` made writable as a scenario message: valid UTF-8 without control characters other
/// than tab, newline and carriage return (others become '?'), at most 1000 bytes, never empty.
std::string writable_message(std::string_view text);

}  // namespace txaio::scenario
