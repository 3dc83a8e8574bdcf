#pragma once
/// Everything in libtxaio.

#include "txaio/api.hpp"
#include "txaio/asio_loop.hpp"
#include "txaio/batched_timer.hpp"
#include "txaio/config.hpp"
#include "txaio/coroutine.hpp"
#include "txaio/errors.hpp"
#include "txaio/failure.hpp"
#include "txaio/future.hpp"
#include "txaio/gather.hpp"
#include "txaio/logging.hpp"
#include "txaio/loop.hpp"
#include "txaio/time.hpp"
