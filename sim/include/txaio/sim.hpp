#pragma once
/// The deterministic simulation toolkit: `txaio::sim::Loop` and the scenario `Recorder`.

#include "txaio/sim/loop.hpp"
#include "txaio/sim/recorder.hpp"
#include "txaio/txaio.hpp"
