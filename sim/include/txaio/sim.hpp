#pragma once
/// The deterministic simulation toolkit: `txaio::sim::Loop`.

#include "txaio/sim/loop.hpp"
#include "txaio/txaio.hpp"
