#include "txaio/scenario.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <functional>
#include <limits>

#include "chars.hpp"
#include "index.hpp"
#include "tokenizer.hpp"

namespace txaio::scenario {

using namespace detail;

namespace {

class Parser {
public:
  Parser(std::string_view text, std::string_view name) : text_(text) { scenario_.name = std::string(name); }

  Scenario parse() {
    if (text_.empty()) fail(1, 1, fmt::format("empty file: expected the header '{}' on line 1", header_line));
    std::size_t pos = 0;
    if (text_.starts_with("\xEF\xBB\xBF")) pos = 3;  // a UTF-8 byte order mark
    reserve(pos);
    std::size_t line_no = 0;
    while (pos < text_.size()) {
      std::size_t end = text_.find('\n', pos);
      const bool has_newline = end != std::string_view::npos;
      if (!has_newline) end = text_.size();
      std::string_view line = text_.substr(pos, end - pos);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      ++line_no;
      try {
        parse_line(line_no, line);
      } catch (const ParseError&) {
        index_calls();  // a duplicate id on an earlier line is the first problem
        throw;
      }
      pos = has_newline ? end + 1 : end;
    }
    if (line_no == 0) fail(1, 1, fmt::format("empty file: expected the header '{}' on line 1", header_line));
    scenario_.line_count = line_no;
    index_calls();
    resolve_expect_ids();
    index_causal_ops();
    return std::move(scenario_);
  }

private:
  // Sizes the lists from a quick count of the lines that start with 'at', 'on' or 'expect' (an
  // upper bound: it does not look past the first word), so that they never reallocate.
  void reserve(std::size_t pos) {
    std::size_t ats = 0, expects = 0;
    const char* p = text_.data() + pos;
    const char* const end = text_.data() + text_.size();
    while (p < end) {
      while (p < end && is_space(*p)) ++p;
      const std::size_t rest = static_cast<std::size_t>(end - p);
      if (rest >= 3 && ((p[0] == 'a' && p[1] == 't') || (p[0] == 'o' && p[1] == 'n')) && is_space(p[2])) {
        ++ats;
      } else if (rest >= 7 && std::string_view(p, 6) == "expect" && is_space(p[6])) {
        ++expects;
      }
      const void* newline = std::memchr(p, '\n', rest);
      if (newline == nullptr) break;
      p = static_cast<const char*>(newline) + 1;
    }
    scenario_.ops.reserve(ats);
    scenario_.calls.reserve(ats);
    call_index_.reserve(ats);
    scenario_.expects.reserve(expects);
    pending_ids_.reserve(expects);
  }

  [[noreturn]] void fail(std::size_t line, std::size_t col, std::string message) const {
    fail_at(LineRef{scenario_.name, line}, col, std::move(message));
  }
  [[noreturn]] void fail(const Token& t, std::string message) const {
    fail_token(LineRef{scenario_.name, line_}, t, std::move(message));
  }

  void tokenize(std::string_view line) {
    detail::tokenize(LineRef{scenario_.name, line_}, line, tokens_);
    content_ = line;  // for messages that run to the end of the line
  }

  void parse_line(std::size_t line_no, std::string_view line) {
    line_ = line_no;
    tokenize(line);
    if (line_no == 1) {
      parse_header();
      return;
    }
    if (tokens_.empty()) return;
    const Token& d = tokens_[0];
    const std::string_view word = d.raw;
    if (word == "seed") {
      parse_seed();
    } else if (word == "ties") {
      parse_ties();
    } else if (word == "jitter") {
      parse_jitter();
    } else if (word == "batched") {
      parse_batched();
    } else if (word == "at") {
      parse_at();
    } else if (word == "on") {
      parse_on();
    } else if (word == "and") {
      parse_and();
    } else if (word == "run") {
      parse_run();
    } else if (word == "expect") {
      parse_expect();
    } else if (word == header_line.substr(0, header_line.find(' '))) {
      fail(d, fmt::format("header repeated on line {}: expected it on line 1 only", line_));
    } else {
      fail(d, fmt::format("unknown directive {}: expected seed, ties, jitter, batched, at, and, on, run or expect", show(word)));
    }
  }

  void parse_header() {
    const std::string_view magic = header_line.substr(0, header_line.find(' '));
    if (tokens_.empty()) {
      fail(1, 1, fmt::format("missing header: expected '{}' on line 1, found {}", header_line,
                             content_.empty() || content_.find_first_not_of(" \t") == std::string_view::npos
                                 ? std::string("a blank line")
                                 : std::string("a comment")));
    }
    if (tokens_[0].raw != magic) {
      fail(tokens_[0], fmt::format("missing header: expected '{}' on line 1, found {}", header_line, show(tokens_[0].raw)));
    }
    if (tokens_.size() < 2) {
      fail(1, tokens_[0].col + tokens_[0].raw.size(),
           fmt::format("missing format version: expected '{}'", header_line));
    }
    if (tokens_[1].raw != "1") {
      fail(tokens_[1], fmt::format("unsupported format version {}: expected '{}' (this txaio-replay reads version 1)",
                                   show(tokens_[1].raw), header_line));
    }
    expect_end(2, "after the header");
  }

  // Fails when tokens remain after index `n`.
  void expect_end(std::size_t n, std::string_view context) const {
    if (tokens_.size() > n) {
      fail(tokens_[n], fmt::format("unexpected {} {}: expected the end of the line (or a '#' comment)",
                                   show(tokens_[n].raw), context));
    }
  }

  // Fails when token `n` is missing, naming what was expected.
  const Token& need(std::size_t n, std::string_view what) const {
    if (tokens_.size() <= n) {
      const Token& last = tokens_.back();
      fail(line_, last.col + last.raw.size(), fmt::format("missing {}: expected it after {}", what, show(last.raw)));
    }
    return tokens_[n];
  }

  void before_ops(const Token& d) const {
    if (first_op_line_ != 0) {
      fail(d, fmt::format("'{}' after the first 'at' line (line {}): expected seed, ties and jitter before the ops", d.raw,
                          first_op_line_));
    }
  }

  std::uint64_t parse_u64(const Token& t, std::string_view what) const {
    std::string why;
    const auto v = scenario::parse_u64(t.raw, &why);
    if (!v) fail(t, fmt::format("bad {} {}: {}", what, show(t.raw), why));
    return *v;
  }

  std::int64_t parse_time_token(const Token& t, std::string_view what) const {
    std::string why;
    if (t.quoted) fail(t, fmt::format("bad {} {}: {}", what, show(t.raw), time_expected));
    const auto v = parse_time(t.raw, &why);
    if (!v) fail(t, fmt::format("bad {} {}: {}", what, show(t.raw), why));
    return *v;
  }

  std::string parse_id(const Token& t, std::string_view what) const {
    const std::string_view s = t.raw;
    bool ok = !s.empty() && !t.quoted && s.size() <= max_id_bytes;
    for (std::size_t i = 0; ok && i < s.size(); ++i) ok = is_id_char(s[i], i == 0);
    if (!ok) {
      fail(t, fmt::format("bad {} {}: expected a letter, digit or '_' followed by up to {} letters, digits or "
                          "'_', '.', '-', ':'",
                          what, show(s), max_id_bytes - 1));
    }
    return std::string(s);
  }

  void parse_seed() {
    const Token& d = tokens_[0];
    before_ops(d);
    if (scenario_.seed) fail(d, fmt::format("duplicate 'seed' (already set on line {}): expected one seed line", seed_line_));
    scenario_.seed = parse_u64(need(1, "seed value (an unsigned 64-bit integer)"), "seed");
    seed_line_ = line_;
    expect_end(2, "after the seed");
  }

  void parse_ties() {
    const Token& d = tokens_[0];
    before_ops(d);
    if (scenario_.ties) fail(d, fmt::format("duplicate 'ties' (already set on line {}): expected one ties line", ties_line_));
    const Token& v = need(1, "ties policy (fifo, lifo or random)");
    scenario_.ties = scenario::parse_ties(v.raw);
    if (!scenario_.ties) fail(v, fmt::format("unknown ties policy {}: expected fifo, lifo or random", show(v.raw)));
    ties_line_ = line_;
    expect_end(2, "after the ties policy");
  }

  void parse_jitter() {
    const Token& d = tokens_[0];
    before_ops(d);
    if (scenario_.jitter_ns) {
      fail(d, fmt::format("duplicate 'jitter' (already set on line {}): expected one jitter line", jitter_line_));
    }
    scenario_.jitter_ns = parse_time_token(need(1, "jitter (the most a timer may run late)"), "jitter");
    jitter_line_ = line_;
    expect_end(2, "after the jitter");
  }

  void parse_batched() {
    BatchedDecl decl;
    const Token& name = need(1, "batched timer name");
    decl.name = parse_id(name, "batched timer name");
    if (const auto i = scenario_.find_batched(decl.name)) {
      fail(name, fmt::format("duplicate batched timer {} (already declared on line {}): expected a new name", show(decl.name),
                             scenario_.batched[*i].line));
    }
    bool has_bucket = false, has_chunk = false, has_never_early = false;
    for (std::size_t i = 2; i < tokens_.size(); ++i) {
      const Token& t = tokens_[i];
      const std::size_t eq = t.raw.find('=');
      const std::string_view key = t.raw.substr(0, eq);
      if (eq == std::string_view::npos || t.quoted) {
        fail(t, fmt::format("unexpected {}: expected bucket=<duration>, chunk=<count> or never_early=0|1", show(t.raw)));
      }
      const Token value{t.raw.substr(eq + 1), t.col + eq + 1, false};
      if (value.raw.empty()) fail(t, fmt::format("missing value after '{}=': expected e.g. bucket=1 or chunk=100", key));
      auto once = [&](bool& seen) {
        if (seen) fail(t, fmt::format("duplicate option '{}' for batched timer {}: expected each option once", key, show(decl.name)));
        seen = true;
      };
      if (key == "bucket") {
        once(has_bucket);
        decl.bucket_ns = parse_time_token(value, "bucket duration");
        if (decl.bucket_ns < min_bucket_ns) {
          fail(value, fmt::format("bucket duration {} is below 1ms: expected at least 1ms", show(value.raw)));
        }
      } else if (key == "chunk") {
        once(has_chunk);
        decl.chunk = parse_u64(value, "chunk size");
        if (decl.chunk == 0) fail(value, "chunk size 0: expected at least 1");
        if (decl.chunk > max_chunk) {
          fail(value, fmt::format("chunk size {} is out of range: expected at most {}", value.raw, max_chunk));
        }
      } else if (key == "never_early") {
        once(has_never_early);
        if (value.raw == "1" || value.raw == "true") {
          decl.never_early = true;
        } else if (value.raw == "0" || value.raw == "false") {
          decl.never_early = false;
        } else {
          fail(value, fmt::format("bad never_early value {}: expected 0, 1, false or true", show(value.raw)));
        }
      } else {
        fail(t, fmt::format("unknown batched option {}: expected bucket, chunk or never_early", show(key)));
      }
    }
    if (!has_bucket) {
      const Token& last = tokens_.back();
      fail(line_, last.col + last.raw.size(),
           fmt::format("missing bucket=<duration> for batched timer {}: expected e.g. 'batched {} bucket=1 chunk=100'",
                       show(decl.name), decl.name));
    }
    decl.line = line_;
    scenario_.batched.push_back(std::move(decl));
  }

  void parse_at() {
    const Token& d = tokens_[0];
    check_before_run(d, "at");
    const Token& tt = need(1, "time (e.g. 'at 1.5 call_later a 2')");
    const std::int64_t at = parse_time_token(tt, "time");
    if (at < last_at_ns_) {
      fail(tt, fmt::format("time {} is before the previous 'at' time {} (line {}): expected 'at' times that never "
                           "decrease",
                           show(tt.raw), format_time(last_at_ns_), last_at_line_));
    }
    Op o;
    o.at_ns = at;
    o.line = line_;
    parse_op(o, at);
    last_at_ns_ = at;
    last_at_line_ = line_;
    scenario_.ops.push_back(o);
  }

  // `and <op> ...`: at the previous `at` line's time, right after its op (no advance between).
  void parse_and() {
    const Token& d = tokens_[0];
    check_before_run(d, "and");
    if (last_at_line_ == 0) fail(d, "'and' without an earlier 'at' line: expected 'at <time> <op>' first");
    // `and` has no time token: its op starts at token 1, where `at`'s starts at token 2.
    tokens_.insert(tokens_.begin() + 1, Token{d.raw, d.col, false});
    Op o;
    o.at_ns = last_at_ns_;
    o.line = line_;
    o.chained = true;
    parse_op(o, last_at_ns_);
    last_at_line_ = line_;
    scenario_.ops.push_back(o);
  }

  // `on <id> <op> ...`: the op runs inside the callback of call <id>.
  void parse_on() {
    check_before_run(tokens_[0], "on");
    const Token& id = need(1, "id of the call whose callback applies the op (e.g. 'on a cancel b')");
    const std::uint32_t parent = find_declared(id);
    Op o;
    o.on = parent;
    o.line = line_;
    const Call& p = scenario_.calls[parent];
    // Its calls are scheduled when the parent runs: its due time (exact for a plain timer).
    const std::int64_t at = p.delay_ns > int64_max - p.at_ns ? int64_max : p.at_ns + p.delay_ns;
    o.at_ns = at;
    parse_op(o, at);
    scenario_.causal_ops.push_back(o);
  }

  void check_before_run(const Token& d, std::string_view directive) const {
    if (scenario_.run_ns) {
      fail(d, fmt::format("'{}' after 'run' (line {}): expected every op before the run line", directive,
                          scenario_.run_line));
    }
  }

  // The call named by `id`, declared by an earlier line.
  std::uint32_t find_declared(const Token& id) {
    const std::string name = parse_id(id, "call id");
    index_calls();
    const auto index = call_index_.find(name, scenario_.calls);
    if (!index) fail(id, fmt::format("unknown id {}: expected an id declared by an earlier 'call_later'", show(name)));
    return *index;
  }

  // The op of an `at` or `on` line, from token 2 on.
  void parse_op(Op& o, std::int64_t at) {
    const Token& op = need(2, "op (call_later or cancel)");
    if (op.raw == "call_later") {
      o.kind = OpKind::call_later;
      o.call = parse_call_later(at);
    } else if (op.raw == "cancel") {
      o.kind = OpKind::cancel;
      o.call = find_declared(need(3, "call id to cancel"));
      expect_end(4, "after the cancelled id");
    } else {
      fail(op, fmt::format("unknown op {}: expected call_later or cancel", show(op.raw)));
    }
    if (first_op_line_ == 0) first_op_line_ = line_;
  }

  // `call_later <id> <delay> [via=<B>] [raise=<message>]` from token 2; returns the call's index.
  std::uint32_t parse_call_later(std::int64_t at) {
    Call call;
    const Token& id = need(3, "call id");
    call.id = parse_id(id, "call id");
    call.at_ns = at;
    call.line = line_;
    call.delay_ns = parse_time_token(need(4, "delay (e.g. 2.5 or 250ms)"), "delay");
    if (call.delay_ns > int64_max - at) {
      fail(tokens_[4], fmt::format("due time {} + {} is out of range: expected a due time below {} s",
                                   format_time(at), tokens_[4].raw, format_time(int64_max)));
    }
    parse_call_options(call);
    // The id goes into the index a few lines later (see `index_calls`), once its slot is
    // in the cache.
    const std::uint64_t h = CallIndex::hash(call.id);
    call_index_.prefetch_slot(h);
    if (unindexed_count_ == unindexed_.size()) index_oldest_call();
    const auto index = static_cast<std::uint32_t>(scenario_.calls.size());
    unindexed_[(unindexed_head_ + unindexed_count_++) % unindexed_.size()] = UnindexedCall{h, index, id.col};
    scenario_.calls.push_back(std::move(call));
    return index;
  }

  void parse_call_options(Call& call) {
    bool has_via = false, has_raise = false;
    for (std::size_t i = 5; i < tokens_.size(); ++i) {
      const Token& t = tokens_[i];
      const std::size_t eq = t.raw.find('=');
      const std::string_view key = eq == std::string_view::npos ? t.raw : t.raw.substr(0, eq);
      if (eq == std::string_view::npos || (key != "via" && key != "raise")) {
        fail(t, fmt::format("unexpected {} after the delay: expected via=<batched timer> or raise=<message>",
                            show(t.raw)));
      }
      const Token value{t.raw.substr(eq + 1), t.col + eq + 1, t.quoted};
      if (key == "via") {
        if (has_via) fail(t, "duplicate option 'via': expected each option once");
        has_via = true;
        const std::string name = parse_id(value, "batched timer name");
        call.via = scenario_.find_batched(name);
        if (!call.via) {
          fail(value, fmt::format("unknown batched timer {}: expected a name declared by an earlier 'batched' "
                                  "line{}",
                                  show(name), declared_batched_names()));
        }
      } else {
        if (has_raise) fail(t, "duplicate option 'raise': expected each option once");
        has_raise = true;
        std::string message = token_value(value);
        if (message.empty()) fail(value, "empty raise= message: expected the text the callback throws");
        call.raise = std::move(message);
      }
    }
  }

  // Groups the causal ops by the call that applies them (file order within a call).
  void index_causal_ops() {
    std::vector<Op>& causal = scenario_.causal_ops;
    if (causal.empty()) return;
    std::stable_sort(causal.begin(), causal.end(), [](const Op& a, const Op& b) { return *a.on < *b.on; });
    for (std::size_t i = causal.size(); i-- > 0;) {
      Call& parent = scenario_.calls[*causal[i].on];
      parent.causal_begin = static_cast<std::uint32_t>(i);
      if (parent.causal_end == 0) parent.causal_end = static_cast<std::uint32_t>(i + 1);
    }
  }

  std::string declared_batched_names() const {
    if (scenario_.batched.empty()) return " (none is declared so far)";
    std::string out = " (declared so far:";
    for (const auto& b : scenario_.batched) out += " " + b.name;
    return out + ")";
  }

  void parse_run() {
    const Token& d = tokens_[0];
    if (scenario_.run_ns) fail(d, fmt::format("duplicate 'run' (already given on line {}): expected one run line", scenario_.run_line));
    const Token& tt = need(1, "run time (e.g. 'run 20')");
    const std::int64_t t = parse_time_token(tt, "run time");
    if (t < last_at_ns_) {
      fail(tt, fmt::format("run time {} is before the last 'at' time {} (line {}): expected a run time at or after "
                           "every op",
                           show(tt.raw), format_time(last_at_ns_), last_at_line_));
    }
    scenario_.run_ns = t;
    scenario_.run_line = line_;
    expect_end(2, "after the run time");
  }

  void parse_expect() {
    Expect e;
    e.line = line_;
    if (tokens_.size() > 1 && tokens_[1].raw == "any" && !tokens_[1].quoted) {
      // `expect any <event>`: one of a set at one instant, in any order.
      e.unordered = true;
      tokens_.erase(tokens_.begin() + 1);
    }
    e.event.time_ns = parse_time_token(need(1, "time (e.g. 'expect 5.1 fire a')"), "time");
    expect_end(parse_event(e.event), "after the event");
    if (is_trace_kind(e.event.kind) && e.event.kind != EventKind::schedule && e.event.kind != EventKind::cancel) {
      if (!scenario_.find_batched(e.event.id)) {
        fail(tokens_[3], fmt::format("unknown batched timer {}: expected a name declared by a 'batched' line{}",
                                     show(e.event.id), declared_batched_names()));
      }
    } else {
      pending_ids_.push_back({scenario_.expects.size(), tokens_[3].col, CallIndex::hash(e.event.id)});
    }
    scenario_.expects.push_back(std::move(e));
  }

  // The event of an `expect` line from its kind (token 2) on; returns the tokens it uses.
  std::size_t parse_event(Event& e) {
    const Token& kt = need(2, "event kind (fire or error)");
    const std::string_view k = kt.raw;
    const bool on_call = k == "fire" || k == "cancel" || k == "error" || k == "schedule";
    if (on_call) {
      e.id = parse_id(need(3, "call id"), "call id");
    } else if (k == "bucket_timer" || k == "bucket_cancel" || k == "bucket_fire" || k == "batch_error") {
      e.id = parse_id(need(3, "batched timer name"), "batched timer name");
    } else {
      fail(kt, fmt::format("unknown event kind {}: expected fire or error (or, for traces, schedule, cancel, "
                           "bucket_timer, bucket_fire, bucket_cancel, batch_error)",
                           show(k)));
    }
    if (k == "fire" || k == "cancel" || k == "bucket_cancel") {
      e.kind = k == "fire" ? EventKind::fire : k == "cancel" ? EventKind::cancel : EventKind::bucket_cancel;
      return 4;
    }
    if (k == "error") {
      e.kind = EventKind::error;
      e.message = parse_message(need(4, "error message (e.g. 'expect 3 error e boom')"));
      return tokens_.size();
    }
    if (k == "schedule" || k == "bucket_timer") {
      e.kind = k == "schedule" ? EventKind::schedule : EventKind::bucket_timer;
      e.value = parse_time_token(need(4, "due time"), "due time");
    } else if (k == "bucket_fire") {
      e.kind = EventKind::bucket_fire;
      e.message = parse_chunk(need(4, "chunk as <i>/<k> (e.g. 1/3: the first of three chunks)"));
    } else {
      e.kind = EventKind::batch_error;
      const std::uint64_t count = parse_u64(need(4, "message count"), "message count");
      if (count > static_cast<std::uint64_t>(int64_max)) fail(tokens_[4], "message count is out of range: expected a count below 2^63");
      e.value = static_cast<std::int64_t>(count);
    }
    return 5;
  }

  // An error message from token `m` on: one quoted token, else the rest of the line as
  // written, up to a comment.
  std::string parse_message(const Token& m) const {
    if (m.raw.front() == '"' && m.raw.back() == '"' && m.raw.size() >= 2 && tokens_.size() == 5) return token_value(m);
    const Token& last = tokens_.back();
    return std::string(content_.substr(m.col - 1, last.col + last.raw.size() - m.col));
  }

  // A chunk `<i>/<k>`, chunk i of k counting from 1, as written back ("1/3").
  std::string parse_chunk(const Token& c) const {
    const std::size_t slash = c.raw.find('/');
    const Token num{c.raw.substr(0, slash), c.col, false};
    const Token den{slash == std::string_view::npos ? std::string_view{} : c.raw.substr(slash + 1), c.col + slash + 1, false};
    if (slash == std::string_view::npos || c.quoted || num.raw.empty() || den.raw.empty()) {
      fail(c, fmt::format("bad chunk {}: expected <i>/<k>, chunk i of k counting from 1 (e.g. 1/3)", show(c.raw)));
    }
    const std::uint64_t i = parse_u64(num, "chunk number");
    const std::uint64_t of = parse_u64(den, "chunk count");
    if (i < 1 || i > of) fail(c, fmt::format("bad chunk {}: expected 1 <= i <= k in <i>/<k>", show(c.raw)));
    return fmt::format("{}/{}", i, of);
  }

  // Expect lines may name calls declared further down; check them once everything is read.
  // The lookups run ahead of themselves: the slot for id i + 16 and the call in the slot for
  // id i + 8 are fetched into the cache while id i is checked.
  void resolve_expect_ids() {
    const std::size_t n = pending_ids_.size();
    for (std::size_t i = 0; i < n; ++i) {
      if (i + 16 < n) call_index_.prefetch_slot(pending_ids_[i + 16].hash);
      if (i + 8 < n) call_index_.prefetch_call(pending_ids_[i + 8].hash, scenario_.calls);
      const PendingId& p = pending_ids_[i];
      const Expect& e = scenario_.expects[p.expect];
      if (!call_index_.find(e.event.id, p.hash, scenario_.calls)) {
        fail(e.line, p.col, fmt::format("unknown id {}: expected an id declared by a 'call_later' line", show(e.event.id)));
      }
    }
  }

  // Adds the oldest call not yet in the index; fails if its id was declared before.
  void index_oldest_call() {
    const UnindexedCall u = unindexed_[unindexed_head_];
    unindexed_head_ = (unindexed_head_ + 1) % unindexed_.size();
    --unindexed_count_;
    const Call& call = scenario_.calls[u.index];
    const auto [first, inserted] = call_index_.try_emplace(call.id, u.hash, u.index, scenario_.calls);
    if (!inserted) {
      unindexed_count_ = 0;  // this is the first problem: the later calls need no check
      fail(call.line, u.col, fmt::format("duplicate id {} (already declared on line {}): expected a new id",
                                         show(call.id), scenario_.calls[first].line));
    }
  }

  // Adds every call not yet in the index, in file order.
  void index_calls() {
    while (unindexed_count_ > 0) index_oldest_call();
  }

  std::string_view text_;
  Scenario scenario_;
  std::vector<Token> tokens_;
  std::string_view content_;
  std::size_t line_ = 0;
  std::size_t first_op_line_ = 0;
  std::size_t seed_line_ = 0;
  std::size_t jitter_line_ = 0;
  std::size_t ties_line_ = 0;
  std::int64_t last_at_ns_ = 0;
  std::size_t last_at_line_ = 0;
  CallIndex call_index_;
  // Calls whose ids are not in `call_index_` yet (a ring, oldest at `unindexed_head_`).
  struct UnindexedCall {
    std::uint64_t hash = 0;
    std::uint32_t index = 0;
    std::size_t col = 0;  // column of the id
  };
  std::array<UnindexedCall, 16> unindexed_{};
  std::size_t unindexed_head_ = 0;
  std::size_t unindexed_count_ = 0;
  // Expect lines whose call ids are checked at the end.
  struct PendingId {
    std::size_t expect = 0;  // index into `Scenario::expects`
    std::size_t col = 0;     // column of the id
    std::uint64_t hash = 0;  // CallIndex::hash of the id
  };
  std::vector<PendingId> pending_ids_;
};

}  // namespace

bool Scenario::expects_trace() const noexcept {
  return std::any_of(expects.begin(), expects.end(), [](const Expect& e) { return is_trace_kind(e.event.kind); });
}

std::optional<std::uint32_t> Scenario::find_batched(std::string_view timer) const noexcept {
  for (std::size_t i = 0; i < batched.size(); ++i) {
    if (batched[i].name == timer) return static_cast<std::uint32_t>(i);
  }
  return std::nullopt;
}

Scenario parse_scenario(std::string_view text, std::string_view name) { return Parser(text, name).parse(); }

}  // namespace txaio::scenario
