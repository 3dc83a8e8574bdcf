#include "txaio/sim/recorder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>

namespace txaio::sim {

namespace {

// Exact decimal seconds, as the scenario format writes them.
std::string format_time(std::int64_t ns) {
  if (ns < 0) ns = 0;
  std::string out = std::to_string(ns / 1'000'000'000);
  if (const std::int64_t frac = ns % 1'000'000'000; frac != 0) {
    std::string digits = fmt::format("{:09}", frac);
    while (digits.back() == '0') digits.pop_back();
    out += '.' + digits;
  }
  return out;
}

// Keeps a message writable in a scenario: valid UTF-8 only (other bytes become '?'), and
// short enough for the format's line limit.
std::string sanitize(std::string_view text) {
  constexpr std::size_t max_bytes = 1000;
  std::string out;
  for (std::size_t i = 0; i < text.size() && out.size() < max_bytes;) {
    const auto b = static_cast<unsigned char>(text[i]);
    std::size_t len = b < 0x80 ? 1 : (b >= 0xC2 && b <= 0xDF) ? 2 : (b >= 0xE0 && b <= 0xEF) ? 3 : (b >= 0xF0 && b <= 0xF4) ? 4 : 0;
    bool ok = len > 0 && i + len <= text.size();
    for (std::size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(text[i + k]) & 0xC0u) == 0x80u;
    if (ok && len == 3) {
      const auto b1 = static_cast<unsigned char>(text[i + 1]);
      ok = !(b == 0xE0 && b1 < 0xA0) && !(b == 0xED && b1 >= 0xA0);  // overlong, surrogate
    } else if (ok && len == 4) {
      const auto b1 = static_cast<unsigned char>(text[i + 1]);
      ok = !(b == 0xF0 && b1 < 0x90) && !(b == 0xF4 && b1 >= 0x90);
    }
    if (!ok) {
      out += '?';
      ++i;
      continue;
    }
    if (len == 1 && ((b < 0x20 && b != '\n' && b != '\t' && b != '\r') || b == 0x7F)) {
      out += '?';
    } else {
      out.append(text.substr(i, len));
    }
    i += len;
  }
  if (out.empty()) out = "(empty message)";
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

// Quoted with the format's escapes when `text` would not read back as written.
std::string quote(std::string_view text, bool spaces_ok) {
  bool needs = text.empty() || (spaces_ok && (is_space(text.front()) || is_space(text.back())));
  for (char c : text) {
    if (c == '#' || c == '"' || static_cast<unsigned char>(c) < 0x20 || (!spaces_ok && c == ' ')) needs = true;
  }
  if (!needs) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  return out + '"';
}

// A comment line: one line, no control characters.
std::string comment_text(std::string_view text) {
  std::string out;
  for (char c : sanitize(text)) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  return out;
}

std::string valid_name(std::string_view name) {
  std::string out;
  for (char c : name.substr(0, 40)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '.' || c == '-' || c == ':';
    out += ok ? c : '_';
  }
  if (out.empty() || out.front() == '.' || out.front() == '-' || out.front() == ':') out.insert(0, "b");
  return out;
}

}  // namespace

Recorder::Recorder(txaio::Loop& loop, std::string title)
    : loop_(&loop), title_(std::move(title)), origin_ns_(loop.now().count()) {
  loop.add_observer(*this);
}

Recorder::~Recorder() { stop(); }

void Recorder::stop() noexcept {
  if (!recording_) return;
  recording_ = false;
  end_ns_ = rel(loop_->now());
  loop_->remove_observer(*this);
}

std::int64_t Recorder::rel(nanoseconds t) const noexcept { return std::max<std::int64_t>(0, t.count() - origin_ns_); }

void Recorder::watch(BatchedTimer& timer, std::string_view name) {
  timer.set_observer([this, prefix = valid_name(name)](const BatchEvent& e) {
    if (!recording_ || e.kind != BatchEventKind::schedule) return;
    const auto it = by_id_.find(e.timer_id);
    if (it == by_id_.end()) return;
    Call& call = calls_[it->second];
    call.name = fmt::format("{}.{}", prefix, ++batched_counts_[prefix]);
    // The key in the loop's own time, as BatchedCall::key() shows it.
    call.note = e.chunk == 0 ? fmt::format("{}: bucket {} s", prefix, format_time(e.key.count()))
                             : fmt::format("{}: bucket {} s, chunk {} of {}", prefix, format_time(e.key.count()),
                                           e.chunk + 1, e.chunks);
  });
}

void Recorder::on_event(const txaio::Event& e) {
  if (!recording_) return;
  const std::int64_t t = rel(e.time);
  switch (e.kind) {
    case txaio::EventKind::schedule: {
      const auto index = static_cast<std::uint32_t>(calls_.size());
      calls_.push_back(Call{fmt::format("t{}", index + 1), std::max<std::int64_t>(0, e.due.count() - e.time.count()), {}, {}});
      by_id_[e.id] = index;
      last_op_ns_ = std::max(last_op_ns_, t);
      lines_.push_back(Line{LineKind::call_later, last_op_ns_, index, {}});
      break;
    }
    case txaio::EventKind::cancel: {
      const auto it = by_id_.find(e.id);
      last_op_ns_ = std::max(last_op_ns_, t);
      if (it == by_id_.end()) {
        lines_.push_back(Line{LineKind::comment, t, 0, fmt::format("{}: a call scheduled before recording started was cancelled", format_time(t))});
      } else {
        lines_.push_back(Line{LineKind::cancel, last_op_ns_, it->second, {}});
      }
      break;
    }
    case txaio::EventKind::fire: {
      const auto it = by_id_.find(e.id);
      if (it == by_id_.end()) {
        lines_.push_back(Line{LineKind::comment, t, 0, fmt::format("{}: a call scheduled before recording started ran", format_time(t))});
      } else {
        lines_.push_back(Line{LineKind::fire, t, it->second, {}});
      }
      break;
    }
    case txaio::EventKind::error: {
      const auto it = e.id == 0 ? by_id_.end() : by_id_.find(e.id);
      if (it != by_id_.end()) {
        // The callback that just fired threw: its fire becomes an error, and the replay throws too.
        const std::string message = sanitize(e.message);
        for (auto line = lines_.rbegin(); line != lines_.rend(); ++line) {
          if (line->kind == LineKind::fire && line->call == it->second) {
            line->kind = LineKind::error;
            line->text = message;
            break;
          }
        }
        Call& call = calls_[it->second];
        call.raised = true;
        call.raise = message;
      } else {
        lines_.push_back(Line{LineKind::comment, t, 0,
                              fmt::format("{}: error outside a timer callback (not replayed): {}", format_time(t), comment_text(e.message))});
      }
      break;
    }
    case txaio::EventKind::done: break;
  }
}

void Recorder::write(std::ostream& out) const {
  const std::int64_t end = end_ns_ >= 0 ? end_ns_ : rel(loop_->now());
  out << "txaio-scenario 1\n";
  out << "# Recorded by txaio::sim::Recorder";
  if (!title_.empty()) out << ": " << comment_text(title_);
  out << "\n# " << calls_.size() << " calls; times in seconds from the start of the recording.\n";
  out << "# The expect lines are what really happened; replaying shows where the model differs.\n";
  for (const Line& line : lines_) {
    switch (line.kind) {
      case LineKind::call_later: {
        const Call& c = calls_[line.call];
        out << "at " << format_time(line.time_ns) << " call_later " << c.name << ' ' << format_time(c.delay_ns);
        if (c.raised) out << " raise=" << quote(c.raise, false);
        if (!c.note.empty()) out << "  # " << c.note;
        out << '\n';
        break;
      }
      case LineKind::cancel: out << "at " << format_time(line.time_ns) << " cancel " << calls_[line.call].name << '\n'; break;
      default: break;
    }
  }
  out << "run " << format_time(std::max(end, last_op_ns_)) << '\n';
  for (const Line& line : lines_) {
    switch (line.kind) {
      case LineKind::fire: out << "expect " << format_time(line.time_ns) << " fire " << calls_[line.call].name << '\n'; break;
      case LineKind::error:
        out << "expect " << format_time(line.time_ns) << " error " << calls_[line.call].name << ' '
            << quote(line.text, true) << '\n';
        break;
      case LineKind::comment: out << "# " << line.text << '\n'; break;
      default: break;
    }
  }
}

std::string Recorder::str() const {
  std::ostringstream out;
  write(out);
  return out.str();
}

}  // namespace txaio::sim
