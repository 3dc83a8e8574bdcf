// The generators of <txaio/testutil/rapidcheck.hpp> and the timer program they make.
#include "txaio/testutil/rapidcheck.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <memory>

namespace txaio::testutil {
namespace {

constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();

// A choice among `n` alternatives, uniform whatever the size, shrinking toward 0 (inRange
// alone picks 0 at size 0 and only small values at small sizes).
rc::Gen<int> choice(int n) { return rc::gen::resize(rc::kNominalSize, rc::gen::inRange(0, n)); }

// One op before ids are assigned: what the shrinker works on.
struct RawOp {
  int kind;            // TimerOp::Kind, call_later first so that it is the simplest
  nanoseconds delay;   // for call_later and advance
  std::size_t pick;    // which earlier call a cancel (or a reused delay) refers to
  int reuse;           // 3: a call_later takes an earlier call's delay (a tie)
};

TimerProgram build_program(const std::vector<RawOp>& raw, std::size_t max_ops) {
  TimerProgram program;
  std::vector<TimerOp> calls;  // the call_later ops so far
  int next_id = 0;
  for (const RawOp& r : raw) {
    if (program.ops.size() == max_ops) break;
    const auto kind = static_cast<TimerOp::Kind>(r.kind);
    switch (kind) {
      case TimerOp::Kind::call_later: {
        const bool reuse = r.reuse == 3 && !calls.empty();
        const nanoseconds d = reuse ? calls[r.pick % calls.size()].delay : r.delay;
        calls.push_back(TimerOp{kind, ++next_id, d});
        program.ops.push_back(calls.back());
        break;
      }
      case TimerOp::Kind::cancel:
        if (!calls.empty()) program.ops.push_back(TimerOp{kind, calls[r.pick % calls.size()].id, nanoseconds(0)});
        break;
      case TimerOp::Kind::call_soon: program.ops.push_back(TimerOp{kind, ++next_id, nanoseconds(0)}); break;
      case TimerOp::Kind::advance: program.ops.push_back(TimerOp{kind, 0, r.delay}); break;
    }
  }
  return program;
}

// A duration in the scenario format, exactly: the largest of ms, us, ns that states it.
std::string format_duration(nanoseconds d) {
  const std::int64_t ns = d.count();
  if (ns != 0 && ns % 1'000'000 == 0) return fmt::format("{}ms", ns / 1'000'000);
  if (ns != 0 && ns % 1'000 == 0) return fmt::format("{}us", ns / 1'000);
  return fmt::format("{}ns", ns);
}

}  // namespace

void TimerProgram::run(sim::Loop& loop, const std::function<void(int)>& ran) const {
  auto shared = std::make_shared<const std::function<void(int)>>(ran);
  std::vector<DelayedCall> calls;
  for (const TimerOp& op : ops) {
    const auto slot = static_cast<std::size_t>(op.id);
    if (calls.size() <= slot) calls.resize(slot + 1);
    switch (op.kind) {
      case TimerOp::Kind::call_later:
        calls[slot] = loop.call_later(op.delay, [shared, id = op.id] { (*shared)(id); });
        break;
      case TimerOp::Kind::cancel: calls[slot].cancel(); break;
      case TimerOp::Kind::call_soon: loop.call_soon([shared, id = op.id] { (*shared)(id); }); break;
      case TimerOp::Kind::advance: loop.advance(op.delay); break;
    }
  }
}

std::string TimerProgram::to_scenario() const {
  std::string out = "txaio-scenario 1\n";
  std::int64_t now = 0;
  for (const TimerOp& op : ops) {
    const std::string at = "at " + format_duration(nanoseconds(now));
    switch (op.kind) {
      case TimerOp::Kind::call_later:
        out += fmt::format("{} call_later t{} {}\n", at, op.id, format_duration(op.delay));
        break;
      case TimerOp::Kind::cancel: out += fmt::format("{} cancel t{}\n", at, op.id); break;
      case TimerOp::Kind::call_soon: out += fmt::format("{} call_later t{} 0ns  # call_soon\n", at, op.id); break;
      case TimerOp::Kind::advance:
        now = saturating_add(nanoseconds(now), op.delay).count();
        out += fmt::format("# advance {}\n", format_duration(op.delay));
        break;
    }
  }
  return out;
}

std::ostream& operator<<(std::ostream& os, const TimerProgram& program) { return os << program.to_scenario(); }

namespace gen {

rc::Gen<nanoseconds> delay(nanoseconds max, nanoseconds bucket) {
  const std::int64_t most = std::max<std::int64_t>(max.count(), 0);
  const std::int64_t step = bucket > nanoseconds::zero() ? bucket.count() : std::max<std::int64_t>(most / 16, 1);
  // Where the value comes from: an edge, a bucket multiple, a recurring fraction, anything.
  const rc::Gen<nanoseconds> biased = rc::gen::mapcat(choice(6), [most, step](int kind) -> rc::Gen<nanoseconds> {
    switch (kind) {
      case 0: return rc::gen::just(nanoseconds(0));
      case 1: return rc::gen::just(nanoseconds(std::min<std::int64_t>(1, most)));
      case 2:
        return rc::gen::map(rc::gen::inRange<std::int64_t>(0, most / step == int64_max ? most : most / step + 1),
                            [step](std::int64_t k) { return nanoseconds(k * step); });
      case 3:  // 0, 1/4, 1/2, 3/4 of max: values that recur from draw to draw
        return rc::gen::map(rc::gen::inRange(0, 4), [most](int i) { return nanoseconds(most / 4 * i); });
      case 4:
        return rc::gen::map(rc::gen::inRange<std::int64_t>(0, most == int64_max ? most : most + 1),
                            [](std::int64_t ns) { return nanoseconds(ns); });
      default: return rc::gen::just(nanoseconds(most));
    }
  });
  // ... and how it shrinks: as an integer toward 0 (0 first, then by halving the distance), so
  // a failing delay shrinks to the smallest one that still fails.
  return [biased](const rc::Random& random, int size) {
    return rc::shrinkable::shrinkRecur(biased(random, size).value(), [](nanoseconds d) {
      return rc::seq::map(rc::shrink::towards<std::int64_t>(d.count(), 0),
                          [](std::int64_t ns) { return nanoseconds(ns); });
    });
  };
}

rc::Gen<sim::Options> options(nanoseconds max_jitter) {
  const std::int64_t most = std::max<std::int64_t>(max_jitter.count(), 0);
  rc::Gen<nanoseconds> jitter =
      most == 0 ? rc::gen::just(nanoseconds(0))
                : rc::gen::mapcat(choice(2), [most](int on) -> rc::Gen<nanoseconds> {
                    if (on == 0) return rc::gen::just(nanoseconds(0));
                    return rc::gen::map(rc::gen::inRange<std::int64_t>(1, most == int64_max ? most : most + 1),
                                        [](std::int64_t ns) { return nanoseconds(ns); });
                  });
  return rc::gen::apply(
      [](std::uint64_t seed, int ties, int dispatch, nanoseconds j) {
        sim::Options o;
        o.seed = seed;
        o.ties = static_cast<sim::Ties>(ties);
        o.dispatch = dispatch == 0 ? Dispatch::scheduled : Dispatch::immediate;
        o.jitter = j;
        return o;
      },
      rc::gen::arbitrary<std::uint64_t>(), choice(3), choice(2), std::move(jitter));
}

rc::Gen<TimerProgram> timer_program(std::size_t max_ops, nanoseconds max_delay) {
  rc::Gen<RawOp> raw = rc::gen::apply(
      [](int kind, nanoseconds d, std::size_t pick, int reuse) { return RawOp{kind, d, pick, reuse}; },
      choice(4), delay(max_delay), rc::gen::inRange<std::size_t>(0, 1000), choice(4));
  return rc::gen::map(rc::gen::container<std::vector<RawOp>>(std::move(raw)),
                      [max_ops](const std::vector<RawOp>& ops) { return build_program(ops, max_ops); });
}

}  // namespace gen
}  // namespace txaio::testutil
