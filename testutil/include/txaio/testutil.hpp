#pragma once
/// Test utilities: `replace_loop`, the `SimTest` fixture, future matchers, printers, and the
/// RapidCheck generators and schedule exploration of `<txaio/testutil/rapidcheck.hpp>`.

#include "txaio/sim.hpp"
#include "txaio/testutil/matchers.hpp"
#include "txaio/testutil/print.hpp"
#include "txaio/testutil/rapidcheck.hpp"
#include "txaio/testutil/replace_loop.hpp"
#include "txaio/testutil/sim_test.hpp"
