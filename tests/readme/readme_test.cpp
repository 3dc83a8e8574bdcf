// Checks around the README's examples. The examples themselves are compiled from README.md
// (see readme_blocks.cmake): its GoogleTest blocks join this executable, its programs run as
// their own tests.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <txaio/sim.hpp>
#include <txaio/testutil.hpp>

namespace {

using namespace std::chrono_literals;

// The README's Pinger test from the other side: not resolved before its time.
class PingerEarly : public txaio::testutil::SimTest {};
TEST_F(PingerEarly, NotBeforeItsTime) {
  auto f = txaio::sleep(5s);
  loop_.advance(4s);
  EXPECT_THAT(f, txaio::testutil::is_pending());
}

}  // namespace
