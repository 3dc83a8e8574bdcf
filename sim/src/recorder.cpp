#include "txaio/sim/recorder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>
#include <unordered_set>

#include "txaio/sim/loop.hpp"

#include "txaio/detail/time_text.hpp"
#include "txaio/sim/detail/scenario_quote.hpp"

namespace txaio::sim {

namespace {

constexpr std::size_t no_line = static_cast<std::size_t>(-1);

// Exact decimal seconds, as the scenario format writes them (times before 0 show as 0).
std::string format_time(std::int64_t ns) {
  return txaio::detail::format_seconds(std::max<std::int64_t>(ns, 0));
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

std::size_t Recorder::call_count() const noexcept { return calls_.size() - internal_count_; }

void Recorder::watch(const BatchedTimer& timer, std::string_view name) {
  const auto index = static_cast<std::uint32_t>(batched_.size());
  batched_.push_back(Batched{valid_name(name), timer.bucket().count(), timer.chunk_size(),
                             timer.rounding() == BatchRounding::never_early});
  batched_ids_.emplace_back();
  batched_index_[timer.id()] = index;
}

void Recorder::name_next(std::string_view name) { next_name_ = std::string(name); }

void Recorder::set_namer(Namer namer) { namer_ = std::move(namer); }

void Recorder::on_event(const txaio::Event& e) {
  if (!recording_) return;
  // A batched timer's own loop timer fired or was cancelled: its loop events said so already.
  if (e.source == EventSource::bucket_timer && (e.kind == txaio::EventKind::fire || e.kind == txaio::EventKind::cancel)) {
    return;
  }
  switch (e.kind) {
    case txaio::EventKind::schedule:
      if (e.source == EventSource::bucket_timer) {
        on_bucket_timer(e);
      } else {
        on_schedule(e);
      }
      break;
    case txaio::EventKind::cancel: on_op(LineKind::cancel, e); break;
    case txaio::EventKind::fire: on_fire(e); break;
    case txaio::EventKind::error: on_error(e); break;
    case txaio::EventKind::done:
      if (!running_.empty()) {
        running_.pop_back();
        running_lines_.pop_back();
      }
      break;
  }
}

// The recorded call an event is about, if it is one.
std::optional<std::uint32_t> Recorder::find(const txaio::Event& e) const {
  if (e.source == EventSource::batched_call) {
    const auto timer = batched_index_.find(e.batched);
    if (timer == batched_index_.end()) return std::nullopt;
    const auto& ids = batched_ids_[timer->second];
    const auto it = ids.find(e.id);
    return it == ids.end() ? std::nullopt : std::optional<std::uint32_t>(it->second);
  }
  const auto it = loop_ids_.find(e.id);
  if (it == loop_ids_.end() || calls_[it->second].internal) return std::nullopt;
  return it->second;
}

void Recorder::on_schedule(const txaio::Event& e) {
  Call call;
  if (e.source == EventSource::batched_call) {
    const auto timer = batched_index_.find(e.batched);
    if (timer == batched_index_.end()) {
      if (unwatched_.insert(e.batched).second) {
        comment(rel(e.time), "calls of a batched timer that is not watched (Recorder::watch) are not recorded");
      }
      return;
    }
    call.via = timer->second;
  }
  call.delay_ns = std::max<std::int64_t>(0, e.due.count() - e.time.count());
  if (!next_name_.empty()) {
    call.name = std::move(next_name_);
    next_name_.clear();
    call.named_next = true;
  } else if (namer_) {
    call.name = namer_(e);
  }
  const auto index = static_cast<std::uint32_t>(calls_.size());
  calls_.push_back(std::move(call));
  if (e.source == EventSource::batched_call) {
    batched_ids_[calls_.back().via][e.id] = index;
  } else {
    loop_ids_[e.id] = index;
  }
  add_op(LineKind::call_later, e, index);
}

// A loop timer just recorded as a call is a batched timer's own: it is not written, and a
// name given by `name_next` goes to the next call.
void Recorder::on_bucket_timer(const txaio::Event& e) {
  const auto it = loop_ids_.find(e.id);
  if (it == loop_ids_.end()) return;
  Call& call = calls_[it->second];
  if (call.internal) return;
  call.internal = true;
  ++internal_count_;
  if (!call.named_next) return;
  // The name was meant for the batched call that opened this bucket (recorded right after
  // it), or, for a chunk's timer, for the next call.
  const std::size_t next = it->second + 1;
  if (next < calls_.size() && !calls_[next].named_next) {
    calls_[next].name = std::move(call.name);
    calls_[next].named_next = true;
  } else if (next == calls_.size() && next_name_.empty()) {
    next_name_ = std::move(call.name);
  }
}

void Recorder::on_op(LineKind kind, const txaio::Event& e) {
  const std::optional<std::uint32_t> index = find(e);
  if (!index) {
    if (e.source == EventSource::loop && !loop_ids_.contains(e.id)) {
      comment(rel(e.time), "a call scheduled before recording started was cancelled");
    }
    return;
  }
  add_op(kind, e, *index);
}

// An op: inside the callback running now (`on <parent>`), else at its instant.
void Recorder::add_op(LineKind kind, const txaio::Event& e, std::uint32_t index) {
  const std::uint32_t parent = running_.empty() ? none : running_.back();
  std::int64_t t = rel(e.time);
  if (parent == none) {
    last_op_ns_ = std::max(last_op_ns_, t);
    t = last_op_ns_;
  }
  lines_.push_back(Line{kind, t, index, parent, {}, fires_});
}

void Recorder::on_fire(const txaio::Event& e) {
  ++fires_;
  const std::optional<std::uint32_t> index = find(e);
  running_.push_back(index.value_or(none));
  running_lines_.push_back(index ? lines_.size() : no_line);
  if (index) {
    lines_.push_back(Line{LineKind::fire, rel(e.time), *index, none, {}, fires_});
  } else if (e.source == EventSource::loop && !loop_ids_.contains(e.id)) {
    comment(rel(e.time), "a call scheduled before recording started ran");
  }
}

void Recorder::on_error(const txaio::Event& e) {
  if (e.id == 0) {
    // A batched timer's summary of its calls' errors (recorded one by one) comes again
    // through the loop's report, as an error outside any call: written as a comment.
    if (e.source == EventSource::loop) {
      comment(rel(e.time), fmt::format("error outside a timer callback (not replayed): {}", comment_text(e.message)));
    }
    return;
  }
  if (running_lines_.empty() || running_lines_.back() == no_line) return;
  // The callback running now threw: its fire becomes an error, and the replay throws too.
  Line& line = lines_[running_lines_.back()];
  const std::string message = sanitize(e.message);
  line.kind = LineKind::error;
  line.text = message;
  Call& call = calls_[line.call];
  call.raised = true;
  call.raise = message;
}

void Recorder::comment(std::int64_t t, std::string text) {
  lines_.push_back(Line{LineKind::comment, t, none, none, fmt::format("{}: {}", format_time(t), text), fires_});
}

// Each written call's id: its name, made valid and unique, or t<n>.
std::vector<std::string> Recorder::final_names() const {
  std::vector<std::string> names(calls_.size());
  std::unordered_set<std::string> used;
  std::size_t n = 0;
  for (std::size_t i = 0; i < calls_.size(); ++i) {
    if (calls_[i].internal) continue;
    ++n;
    std::string base = calls_[i].name.empty() ? fmt::format("t{}", n) : valid_name(calls_[i].name);
    std::string name = base;
    for (int k = 2; !used.insert(name).second; ++k) name = fmt::format("{}.{}", base, k);
    names[i] = std::move(name);
  }
  return names;
}

void Recorder::write_header(std::ostream& out) const {
  out << "txaio-scenario 1\n";
  out << "# Recorded by txaio::sim::Recorder";
  if (!title_.empty()) out << ": " << comment_text(title_);
  out << "\n# " << call_count() << " calls; times in seconds from the start of the recording.\n";
  out << "# The expect lines are what really happened; replaying shows where the model differs.\n";
  if (const auto* sim = dynamic_cast<const sim::Loop*>(loop_)) {
    if (sim->options().seed != 0) out << "seed " << sim->options().seed << '\n';
    if (sim->options().ties != Ties::fifo) out << "ties " << to_string(sim->options().ties) << '\n';
  }
  for (const Batched& b : batched_) {
    out << "batched " << b.name << " bucket=" << format_time(b.bucket_ns) << " chunk=" << b.chunk;
    if (b.never_early) out << " never_early=1";
    out << '\n';
  }
}

void Recorder::write(std::ostream& out) const {
  const std::int64_t end = end_ns_ >= 0 ? end_ns_ : rel(loop_->now());
  const std::vector<std::string> names = final_names();
  write_header(out);
  const Line* previous = nullptr;  // the last `at` / `and` op written
  for (const Line& line : lines_) {
    if ((line.kind != LineKind::call_later && line.kind != LineKind::cancel) || calls_[line.call].internal) continue;
    if (line.parent != none && !calls_[line.parent].internal) {
      out << "on " << names[line.parent];
    } else if (previous != nullptr && previous->time_ns == line.time_ns && previous->fires == line.fires) {
      out << "and";  // no callback ran since the previous op: no advance between them
      previous = &line;
    } else {
      out << "at " << format_time(line.time_ns);
      previous = &line;
    }
    const Call& c = calls_[line.call];
    if (line.kind == LineKind::cancel) {
      out << " cancel " << names[line.call] << '\n';
      continue;
    }
    out << " call_later " << names[line.call] << ' ' << format_time(c.delay_ns);
    if (c.via != none) out << " via=" << batched_[c.via].name;
    if (c.raised) out << " raise=" << txaio::sim::detail::scenario_text(c.raise, false);
    out << '\n';
  }
  out << "run " << format_time(std::max(end, last_op_ns_)) << '\n';
  for (const Line& line : lines_) {
    switch (line.kind) {
      case LineKind::fire: out << "expect " << format_time(line.time_ns) << " fire " << names[line.call] << '\n'; break;
      case LineKind::error:
        out << "expect " << format_time(line.time_ns) << " error " << names[line.call] << ' ' << txaio::sim::detail::scenario_text(line.text, true)
            << '\n';
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
