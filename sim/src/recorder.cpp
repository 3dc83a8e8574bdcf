#include "txaio/sim/recorder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "txaio/sim/loop.hpp"

#include "txaio/scenario.hpp"

namespace txaio::sim {

namespace {

constexpr std::size_t no_line = static_cast<std::size_t>(-1);

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
    : loop_(&loop), sim_(dynamic_cast<const sim::Loop*>(&loop)), title_(std::move(title)), origin_ns_(loop.now().count()) {
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
  const BatchedSettings settings{timer.bucket(), timer.chunk_size(), timer.rounding() == BatchRounding::never_early};
  const std::uint32_t index = batched_of(timer.id(), settings);
  batched_[index].name.clear();  // so that its old name does not count as taken
  batched_[index].name = unique_batched_name(valid_name(name));
}

// The batched timer `id`'s index, declared (as B1, B2, ...) on first sight.
std::uint32_t Recorder::batched_of(std::uint64_t id, const BatchedSettings& settings) {
  if (const auto it = batched_index_.find(id); it != batched_index_.end()) return it->second;
  const auto index = static_cast<std::uint32_t>(batched_.size());
  batched_.push_back(Batched{unique_batched_name(fmt::format("B{}", index + 1)), settings.bucket.count(),
                             settings.chunk_size, settings.never_early});
  batched_ids_.emplace_back();
  batched_index_[id] = index;
  return index;
}

// `base`, or `base.2`, `base.3`, ... when a batched timer already has that name.
std::string Recorder::unique_batched_name(const std::string& base) const {
  std::string name = base;
  const auto taken = [&](const std::string& n) {
    return std::any_of(batched_.begin(), batched_.end(), [&](const Batched& b) { return b.name == n; });
  };
  for (int k = 2; taken(name); ++k) name = fmt::format("{}.{}", base, k);
  return name;
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
    case txaio::EventKind::done: on_done(e); break;
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
  if (e.source == EventSource::batched_call) call.via = batched_of(e.batched, e.settings);
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

// An op: inside the callback running now (`on <parent>`), or in `call_soon` work that
// callback left (see `posted_by`), else at its instant.
void Recorder::add_op(LineKind kind, const txaio::Event& e, std::uint32_t index) {
  const std::uint32_t parent = running_.empty() ? posted_by() : running_.back();
  std::int64_t t = rel(e.time);
  if (parent == none) {
    last_op_ns_ = std::max(last_op_ns_, t);
    t = last_op_ns_;
  }
  lines_.push_back(Line{kind, t, index, parent, {}, fires_});
}

// The recorded call whose callback posted the `call_soon` work running now (a `sim::Loop`
// knows: `sim::Loop::cause`); `none` on other loops, outside callbacks, and for work of a
// batched call (the loop knows only the batched timer's own loop timer).
std::uint32_t Recorder::posted_by() const {
  if (sim_ == nullptr || sim_->cause() == 0) return none;
  const auto it = loop_ids_.find(sim_->cause());
  if (it == loop_ids_.end() || calls_[it->second].internal) return none;
  return it->second;
}

void Recorder::on_done(const txaio::Event&) {
  if (running_.empty()) return;
  running_.pop_back();
  running_lines_.pop_back();
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
      comment(rel(e.time), fmt::format("error outside a timer callback (not replayed): {}", e.message));
    }
    return;
  }
  if (running_lines_.empty() || running_lines_.back() == no_line) return;
  // The callback running now threw: its fire becomes an error, and the replay throws too.
  Line& line = lines_[running_lines_.back()];
  const std::string message(e.message);
  line.kind = LineKind::error;
  line.text = message;
  Call& call = calls_[line.call];
  call.raised = true;
  call.raise = message;
}

void Recorder::comment(std::int64_t t, std::string text) {
  lines_.push_back(Line{LineKind::comment, t, none, none, fmt::format("{}: {}", scenario::format_time(t), text), fires_});
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

// The recording as a scenario model: the ops in order, `on` ops grouped by the call whose
// callback made them, the fires and errors as expectations, the notes as comments.
scenario::Scenario Recorder::model() const {
  scenario::Scenario sc;
  add_settings(sc);
  const std::vector<std::string> names = final_names();
  std::vector<std::uint32_t> index(calls_.size(), none);  // recorder call -> model call
  for (std::size_t i = 0; i < calls_.size(); ++i) {
    if (calls_[i].internal) continue;
    index[i] = static_cast<std::uint32_t>(sc.calls.size());
    scenario::Call call;
    call.id = names[i];
    call.delay_ns = calls_[i].delay_ns;
    if (calls_[i].via != none) call.via = calls_[i].via;
    if (calls_[i].raised) call.raise = calls_[i].raise;
    sc.calls.push_back(std::move(call));
  }
  add_ops(sc, index);
  add_expects(sc, index);
  return sc;
}

void Recorder::add_settings(scenario::Scenario& sc) const {
  sc.preamble.push_back("Recorded by txaio::sim::Recorder" + (title_.empty() ? std::string() : ": " + title_));
  sc.preamble.push_back(fmt::format("{} calls; times in seconds from the start of the recording.", call_count()));
  sc.preamble.push_back("The expect lines are what really happened; replaying shows where the model differs.");
  if (sim_ != nullptr) {
    if (sim_->options().seed != 0) sc.seed = sim_->options().seed;
    if (sim_->options().ties != Ties::fifo) sc.ties = sim_->options().ties;
  }
  for (const Batched& b : batched_) {
    // A chunk past the format's largest runs the same as it: one chunk per bucket of fewer calls.
    const auto chunk = std::min(static_cast<std::uint64_t>(b.chunk), scenario::max_chunk);
    sc.batched.push_back(scenario::BatchedDecl{b.name, b.bucket_ns, chunk, b.never_early, 0});
  }
  const std::int64_t end = end_ns_ >= 0 ? end_ns_ : rel(loop_->now());
  sc.run_ns = std::max(end, last_op_ns_);
}

// An op made inside a recorded call's callback is an `on` op of that call; one made at the
// instant of the previous with no callback run in between is chained to it (`and`).
void Recorder::add_ops(scenario::Scenario& sc, const std::vector<std::uint32_t>& index) const {
  std::vector<std::vector<scenario::Op>> causal(sc.calls.size());
  const Line* previous = nullptr;  // the last `at` / `and` op
  for (const Line& line : lines_) {
    if ((line.kind != LineKind::call_later && line.kind != LineKind::cancel) || calls_[line.call].internal) continue;
    scenario::Op op;
    op.kind = line.kind == LineKind::cancel ? scenario::OpKind::cancel : scenario::OpKind::call_later;
    op.call = index[line.call];
    op.at_ns = line.time_ns;
    if (op.kind == scenario::OpKind::call_later) sc.calls[op.call].at_ns = line.time_ns;
    if (line.parent != none && !calls_[line.parent].internal) {
      op.on = index[line.parent];
      causal[*op.on].push_back(op);
      continue;
    }
    op.chained = previous != nullptr && previous->time_ns == line.time_ns && previous->fires == line.fires;
    previous = &line;
    sc.ops.push_back(op);
  }
  for (std::size_t p = 0; p < causal.size(); ++p) {
    sc.calls[p].causal_begin = static_cast<std::uint32_t>(sc.causal_ops.size());
    sc.causal_ops.insert(sc.causal_ops.end(), causal[p].begin(), causal[p].end());
    sc.calls[p].causal_end = static_cast<std::uint32_t>(sc.causal_ops.size());
  }
}

void Recorder::add_expects(scenario::Scenario& sc, const std::vector<std::uint32_t>& index) const {
  for (const Line& line : lines_) {
    if (line.kind == LineKind::comment) {
      sc.comments.push_back(scenario::Comment{sc.expects.size(), line.text});
    } else if (line.kind == LineKind::fire || line.kind == LineKind::error) {
      scenario::Expect e;
      e.event.time_ns = line.time_ns;
      e.event.kind = line.kind == LineKind::fire ? scenario::EventKind::fire : scenario::EventKind::error;
      e.event.id = sc.calls[index[line.call]].id;
      e.event.message = line.text;
      sc.expects.push_back(std::move(e));
    }
  }
}

void Recorder::write(std::ostream& out) const { out << str(); }

std::string Recorder::str() const { return scenario::write_scenario(model()); }

}  // namespace txaio::sim
