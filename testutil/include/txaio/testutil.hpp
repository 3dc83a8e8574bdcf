#pragma once
/// Test utilities: `replace_loop`, the `SimTest` fixture, future matchers.

#include "txaio/sim.hpp"
#include "txaio/testutil/matchers.hpp"
#include "txaio/testutil/replace_loop.hpp"
#include "txaio/testutil/sim_test.hpp"
