// A program outside the txaio tree, built against the package.
#include <txaio/sim.hpp>
#include <txaio/testutil.hpp>
#include <txaio/txaio.hpp>

#include <chrono>
#include <cstdio>

int main() {
  using namespace std::chrono_literals;
  txaio::sim::Loop loop;
  auto guard = txaio::testutil::replace_loop(loop);
  int fired = 0;
  txaio::call_later(2s, [&] { ++fired; });
  loop.advance(2s);
  std::printf("fired %d at %lld ns\n", fired, static_cast<long long>(loop.now().count()));
  return fired == 1 && loop.now() == 2s ? 0 : 1;
}
