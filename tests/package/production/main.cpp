// A production program built against the package without the test frameworks: txaio's API
// on sim::Loop.
#include <txaio/sim.hpp>
#include <txaio/txaio.hpp>

#include <chrono>
#include <cstdio>

int main() {
  using namespace std::chrono_literals;
  txaio::sim::Loop loop;
  txaio::use_loop(loop);
  int fired = 0;
  txaio::call_later(2s, [&] { ++fired; });
  auto batched = txaio::make_batched_timer(1s);
  batched.call_later(1.5, [&] { ++fired; });
  loop.advance(2s);
  std::printf("fired %d at %lld ns\n", fired, static_cast<long long>(loop.now().count()));
  return fired == 2 && loop.now() == 2s ? 0 : 1;
}
