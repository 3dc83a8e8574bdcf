// Property: random programs of txaio::steady_timer operations (set an expiry, wait with a
// random completion token, cancel, cancel one wait through its slot) and asio::post work,
// run on sim::Loop under every tie policy, complete each wait and posted handler exactly
// once, at the virtual time a simple model predicts, with the right error, in time order.
#include "txaio/asio.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <tuple>
#include <vector>

#include "txaio/sim.hpp"
#include "txaio/testutil.hpp"

namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using std::chrono::milliseconds;

enum class Op : int { set_expiry, wait, cancel, cancel_slot, post, advance };
enum class Token : int { callback, deferred, use_awaitable, as_tuple_awaitable, txaio_future };
constexpr int timer_count = 3;

struct Step {
  Op op;
  int timer;   // which timer (set_expiry, wait, cancel); which wait (cancel_slot)
  int amount;  // ms for set_expiry / advance; the token for wait
};

void showValue(const Step& s, std::ostream& os) {
  static const char* const names[] = {"set_expiry", "wait", "cancel", "cancel_slot", "post", "advance"};
  os << names[static_cast<int>(s.op)] << "(" << s.timer << ", " << s.amount << ")";
}

// (what, virtual ms, aborted). `what` is a wait's index, or 1000 + a post's index.
using Completion = std::tuple<int, std::int64_t, bool>;

struct ModelWait {
  int timer;
  std::int64_t due_ms;
  bool pending = true;
};

// The model: a wait completes at its timer's expiry (or when started, if that passed), unless
// cancelled first, then at the cancel's time, aborted. Posted work runs when posted.
std::vector<Completion> model(const std::vector<Step>& program) {
  std::int64_t now = 0;
  std::array<std::int64_t, timer_count> expiry{};
  std::vector<ModelWait> waits;
  std::vector<Completion> out;
  int posts = 0;
  auto fire_until = [&](std::int64_t t) {
    for (std::size_t w = 0; w < waits.size(); ++w) {
      if (waits[w].pending && waits[w].due_ms <= t) {
        waits[w].pending = false;
        out.emplace_back(static_cast<int>(w), waits[w].due_ms, false);
      }
    }
  };
  auto abort_timer = [&](int timer) {
    for (std::size_t w = 0; w < waits.size(); ++w) {
      if (waits[w].pending && waits[w].timer == timer) {
        waits[w].pending = false;
        out.emplace_back(static_cast<int>(w), now, true);
      }
    }
  };
  for (const Step& s : program) {
    switch (s.op) {
      case Op::set_expiry:
        abort_timer(s.timer);
        expiry[s.timer] = now + s.amount;
        break;
      case Op::wait: waits.push_back({s.timer, std::max(expiry[s.timer], now)}); break;
      case Op::cancel: abort_timer(s.timer); break;
      case Op::cancel_slot:
        if (s.timer < static_cast<int>(waits.size()) && waits[s.timer].pending) {
          waits[s.timer].pending = false;
          out.emplace_back(s.timer, now, true);
        }
        break;
      case Op::post: out.emplace_back(1000 + posts++, now, false); break;
      case Op::advance:
        fire_until(now + s.amount);
        now += s.amount;
        break;
    }
    fire_until(now);  // the runner lets due completions run after every step
  }
  fire_until(std::numeric_limits<std::int64_t>::max());
  return out;
}

asio::awaitable<void> await_wait(txaio::steady_timer& timer, asio::cancellation_slot slot, bool tuple,
                                 std::function<void(error_code)> record) {
  if (tuple) {
    auto [ec] = co_await timer.async_wait(asio::bind_cancellation_slot(slot, asio::as_tuple(asio::use_awaitable)));
    record(ec);
    co_return;
  }
  error_code ec;
  try {
    co_await timer.async_wait(asio::bind_cancellation_slot(slot, asio::use_awaitable));
  } catch (const boost::system::system_error& e) {
    ec = e.code();
  }
  record(ec);
}

void start_wait(txaio::sim::Loop& loop, txaio::steady_timer& timer, Token token, asio::cancellation_slot slot,
                std::function<void(error_code)> record) {
  switch (token) {
    case Token::callback: timer.async_wait(asio::bind_cancellation_slot(slot, record)); break;
    case Token::deferred: timer.async_wait(asio::deferred)(asio::bind_cancellation_slot(slot, record)); break;
    case Token::use_awaitable:
    case Token::as_tuple_awaitable:
      asio::co_spawn(txaio::asio_executor(loop), await_wait(timer, slot, token == Token::as_tuple_awaitable, record),
                     asio::detached);
      break;
    case Token::txaio_future: {
      auto f = timer.async_wait(asio::bind_cancellation_slot(slot, txaio::use_future));
      txaio::add_callbacks(f, [record] { record({}); }, [record](const txaio::Failure& e) {
        const auto* se = e.as<boost::system::system_error>();
        record(se != nullptr ? se->code() : error_code(asio::error::fault));
      });
      break;
    }
  }
}

// Runs `program` on a sim::Loop; the completions in the order they happened.
std::vector<Completion> run(const std::vector<Step>& program, txaio::sim::Options options) {
  txaio::sim::Loop loop(options);
  auto replaced = txaio::testutil::replace_loop(loop);
  auto ex = txaio::asio_executor(loop);
  std::vector<std::unique_ptr<txaio::steady_timer>> timers;
  for (int i = 0; i < timer_count; ++i) timers.push_back(std::make_unique<txaio::steady_timer>(ex));
  std::vector<std::unique_ptr<asio::cancellation_signal>> signals;
  std::vector<Completion> out;
  int posts = 0;
  for (const Step& s : program) {
    switch (s.op) {
      case Op::set_expiry: timers[s.timer]->expires_after(milliseconds(s.amount)); break;
      case Op::wait: {
        const int id = static_cast<int>(signals.size());
        signals.push_back(std::make_unique<asio::cancellation_signal>());
        start_wait(loop, *timers[s.timer], static_cast<Token>(s.amount), signals.back()->slot(), [&out, &loop, id](error_code ec) {
          out.emplace_back(id, loop.now() / milliseconds(1), ec == asio::error::operation_aborted);
        });
        break;
      }
      case Op::cancel: timers[s.timer]->cancel(); break;
      case Op::cancel_slot:
        if (s.timer < static_cast<int>(signals.size())) signals[s.timer]->emit(asio::cancellation_type::terminal);
        break;
      case Op::post:
        asio::post(ex, [&out, &loop, id = 1000 + posts++] { out.emplace_back(id, loop.now() / milliseconds(1), false); });
        break;
      case Op::advance: loop.advance(milliseconds(s.amount)); break;
    }
    // Let every zero-delay completion of this step run before the next step, as the model assumes.
    loop.advance(milliseconds(0));
  }
  loop.run_until_idle();
  return out;
}

rc::Gen<Step> gen_step() {
  return rc::gen::apply(
      [](int op, int timer, int amount, int token, int wait) {
        switch (static_cast<Op>(op)) {
          case Op::wait: return Step{Op::wait, timer, token};
          case Op::cancel_slot: return Step{Op::cancel_slot, wait, 0};
          default: return Step{static_cast<Op>(op), timer, amount};
        }
      },
      rc::gen::inRange(0, 6), rc::gen::inRange(0, timer_count), rc::gen::inRange(0, 8), rc::gen::inRange(0, 5),
      rc::gen::inRange(0, 12));
}

void check(const std::vector<Step>& program, txaio::sim::Options options) {
  std::vector<Completion> got = run(program, options);
  std::vector<Completion> want = model(program);
  // Exactly once each, at the model's time with the model's error.
  auto got_sorted = got;
  std::sort(got_sorted.begin(), got_sorted.end());
  std::sort(want.begin(), want.end());
  RC_ASSERT(got_sorted == want);
  // In virtual-time order.
  RC_ASSERT(std::is_sorted(got.begin(), got.end(),
                           [](const Completion& a, const Completion& b) { return std::get<1>(a) < std::get<1>(b); }));
}

RC_GTEST_PROP(AsioTimerProperty, RandomProgramsMatchTheModelFifo, ()) {
  const auto program = *rc::gen::container<std::vector<Step>>(gen_step());
  check(program, txaio::sim::Options{.ties = txaio::sim::Ties::fifo});
}

RC_GTEST_PROP(AsioTimerProperty, RandomProgramsMatchTheModelLifo, ()) {
  const auto program = *rc::gen::container<std::vector<Step>>(gen_step());
  check(program, txaio::sim::Options{.ties = txaio::sim::Ties::lifo});
}

RC_GTEST_PROP(AsioTimerProperty, RandomProgramsMatchTheModelRandomTies, ()) {
  const auto program = *rc::gen::container<std::vector<Step>>(gen_step());
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  RC_LOG() << "sim::Loop seed=" << seed << " (ties=random)\n";
  check(program, txaio::sim::Options{.seed = seed, .ties = txaio::sim::Ties::random});
}

// Within one instant with fifo ties, callback waits on one timer complete in the order they
// were started, as asio::steady_timer's do.
TEST(AsioTimerProperty, FifoCallbacksAtOneInstantCompleteInStartOrder) {
  txaio::sim::Loop loop;
  txaio::steady_timer t(txaio::asio_executor(loop), milliseconds(5));
  std::vector<int> order;
  for (int i = 0; i < 10; ++i) t.async_wait([&order, i](error_code) { order.push_back(i); });
  loop.run_until_idle();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

}  // namespace
