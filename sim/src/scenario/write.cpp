// The scenario writer: a `Scenario` model as scenario text that parses back to it.
#include <fmt/format.h>

#include <stdexcept>

#include "chars.hpp"
#include "txaio/scenario.hpp"
#include "txaio/scenario/detail/utf8.hpp"

namespace txaio::scenario {

namespace {

constexpr std::size_t max_message_bytes = 1000;

[[noreturn]] void unwritable(const std::string& why) {
  throw std::invalid_argument("write_scenario: " + why);
}

// A comment line: one line, writable.
std::string comment_text(std::string_view text) {
  std::string out = writable_message(text);
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return out;
}

class Writer {
public:
  explicit Writer(const Scenario& sc) : sc_(sc), declared_(sc.calls.size(), false), next_causal_(sc.calls.size()) {
    waiting_.resize(sc.calls.size());
    for (std::size_t i = 0; i < sc.calls.size(); ++i) next_causal_[i] = sc.calls[i].causal_begin;
  }

  std::string write() {
    check_model();
    write_settings();
    write_ops();
    if (sc_.run_ns) line(fmt::format("run {}", format_time(*sc_.run_ns)));
    write_expects();
    return std::move(out_);
  }

private:
  void line(std::string_view text) {
    out_ += text;
    out_ += '\n';
  }

  void check_model() const {
    const std::size_t calls = sc_.calls.size();
    for (const Call& c : sc_.calls) {
      if (c.via && *c.via >= sc_.batched.size()) unwritable(fmt::format("call {} names batched timer {} of {}", c.id, *c.via, sc_.batched.size()));
      if (c.causal_begin > c.causal_end || c.causal_end > sc_.causal_ops.size()) {
        unwritable(fmt::format("call {} has causal ops [{}, {}) of {}", c.id, c.causal_begin, c.causal_end, sc_.causal_ops.size()));
      }
      check_id(c.id);
    }
    for (const BatchedDecl& b : sc_.batched) {
      check_id(b.name);
      if (b.bucket_ns < min_bucket_ns || b.chunk == 0 || b.chunk > max_chunk) {
        unwritable(fmt::format("batched timer {} has bucket {} s and chunk {}: expected a bucket of at least 1ms and "
                               "a chunk from 1 to {}",
                               b.name, format_time(b.bucket_ns), b.chunk, max_chunk));
      }
    }
    std::int64_t last = 0;
    for (const Op& op : sc_.ops) {
      if (op.call >= calls) unwritable(fmt::format("an op names call {} of {}", op.call, calls));
      if (op.at_ns < last) unwritable(fmt::format("op times decrease ({} after {})", format_time(op.at_ns), format_time(last)));
      last = op.at_ns;
    }
    for (const Op& op : sc_.causal_ops) {
      if (op.call >= calls) unwritable(fmt::format("an op names call {} of {}", op.call, calls));
    }
  }

  static void check_id(std::string_view id) {
    bool ok = !id.empty() && id.size() <= max_id_bytes;
    for (std::size_t i = 0; ok && i < id.size(); ++i) ok = detail::is_id_char(id[i], i == 0);
    if (!ok) unwritable(fmt::format("'{}' is not a valid id", id));
  }

  void write_settings() {
    line(header_line);
    for (const std::string& text : sc_.preamble) line("# " + comment_text(text));
    if (sc_.seed) line(fmt::format("seed {}", *sc_.seed));
    if (sc_.ties) line(fmt::format("ties {}", to_string(*sc_.ties)));
    if (sc_.jitter_ns) line(fmt::format("jitter {}", format_time(*sc_.jitter_ns)));
    for (const BatchedDecl& b : sc_.batched) {
      line(fmt::format("batched {} bucket={} chunk={}{}", b.name, format_time(b.bucket_ns), b.chunk,
                       b.never_early ? " never_early=1" : ""));
    }
  }

  // The `at` / `and` ops in order; each call's `on` lines as soon as the call and every call
  // they cancel are declared.
  void write_ops() {
    for (const Op& op : sc_.ops) {
      line(fmt::format("{} {}", op.chained ? std::string("and") : "at " + format_time(op.at_ns), op_text(op)));
      if (op.kind == OpKind::call_later) declare(op.call);
    }
    for (std::size_t p = 0; p < sc_.calls.size(); ++p) {
      if (next_causal_[p] < sc_.calls[p].causal_end) {
        const Op& op = sc_.causal_ops[next_causal_[p]];
        unwritable(fmt::format("'on {} {}' names a call that no op declares", sc_.calls[p].id, op_text(op)));
      }
    }
  }

  // Marks `call` declared and writes its `on` lines and those that were waiting for it.
  void declare(std::uint32_t call) {
    work_.push_back(call);
    while (!work_.empty()) {
      const std::uint32_t c = work_.back();
      work_.pop_back();
      declared_[c] = true;
      resume(c);
      // `resume` adds waiters only for calls not declared yet, so never to this list.
      for (const std::uint32_t p : waiting_[c]) resume(p);
      waiting_[c].clear();
    }
  }

  // Writes parent `p`'s next `on` lines until one cancels a call not declared yet.
  void resume(std::uint32_t p) {
    if (!declared_[p]) return;
    const Call& parent = sc_.calls[p];
    while (next_causal_[p] < parent.causal_end) {
      const Op& op = sc_.causal_ops[next_causal_[p]];
      if (op.kind == OpKind::cancel && !declared_[op.call]) {
        waiting_[op.call].push_back(p);
        return;
      }
      ++next_causal_[p];
      line(fmt::format("on {} {}", parent.id, op_text(op)));
      if (op.kind == OpKind::call_later) work_.push_back(op.call);
    }
  }

  std::string op_text(const Op& op) const {
    const Call& c = sc_.calls[op.call];
    if (op.kind == OpKind::cancel) return "cancel " + c.id;
    std::string text = fmt::format("call_later {} {}", c.id, format_time(c.delay_ns));
    if (c.via) text += " via=" + sc_.batched[*c.via].name;
    if (c.raise) text += " raise=" + quote_token(writable_message(*c.raise));
    return text;
  }

  void write_expects() {
    std::size_t comment = 0;
    for (std::size_t i = 0; i <= sc_.expects.size(); ++i) {
      for (; comment < sc_.comments.size() && sc_.comments[comment].before_expect <= i; ++comment) {
        line("# " + comment_text(sc_.comments[comment].text));
      }
      if (i == sc_.expects.size()) break;
      const Expect& e = sc_.expects[i];
      Event event = e.event;
      if (event.kind == EventKind::error) event.message = writable_message(event.message);
      out_ += e.unordered ? "expect any " : "expect ";
      append_event(out_, event);
      out_ += '\n';
    }
  }

  const Scenario& sc_;
  std::string out_;
  std::vector<bool> declared_;
  std::vector<std::uint32_t> next_causal_;
  std::vector<std::vector<std::uint32_t>> waiting_;  // call -> parents waiting for it to be declared
  std::vector<std::uint32_t> work_;                  // calls declared, their `on` lines not written yet
};

}  // namespace

std::string writable_message(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size() && out.size() < max_message_bytes;) {
    const auto b = static_cast<unsigned char>(text[i]);
    const std::size_t len = detail::decode_utf8(text, i).length;
    if (len == 0 || (len == 1 && ((b < 0x20 && b != '\n' && b != '\t' && b != '\r') || b == 0x7F))) {
      out += '?';
      i += 1;
      continue;
    }
    out.append(text.substr(i, len));
    i += len;
  }
  if (out.empty()) out = "(empty message)";
  return out;
}

std::string write_scenario(const Scenario& scenario) { return Writer(scenario).write(); }

}  // namespace txaio::scenario
