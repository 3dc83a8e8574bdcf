#pragma once
/// An Asio-coroutine client that fetches a reply with a per-attempt timeout and exponential
/// backoff between attempts. Written only against Asio's vocabulary plus `txaio::steady_timer`
/// and an executor parameter, so the same code runs on an `io_context` in production and on
/// `txaio::sim::Loop` in tests, in virtual time.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "txaio/asio.hpp"

namespace asio_example {

namespace asio = boost::asio;
using namespace std::chrono_literals;

struct RetryPolicy {
  int max_attempts = 5;
  std::chrono::nanoseconds timeout = 1s;           ///< per attempt
  std::chrono::nanoseconds first_backoff = 100ms;  ///< after the first failed attempt
  std::chrono::nanoseconds max_backoff = 2s;       ///< backoff doubles up to this
};

/// What happened to one attempt.
enum class Attempt { replied, failed, timed_out };

struct Result {
  std::optional<std::string> reply;  ///< empty when every attempt failed
  std::vector<Attempt> attempts;
};

/// One request through `transport`, its errors as an empty optional.
template <class Transport>
asio::awaitable<std::optional<std::string>> try_once(Transport& transport) {
  try {
    co_return co_await transport.request();
  } catch (const boost::system::system_error&) {
    co_return std::nullopt;
  }
}

/// Asks `transport` (anything with `asio::awaitable<std::string> request()`) for a reply:
/// each attempt races `policy.timeout`; failed or timed-out attempts are retried after a
/// backoff that doubles up to `policy.max_backoff`, at most `policy.max_attempts` times.
template <class Transport>
asio::awaitable<Result> fetch_with_retry(asio::any_io_executor executor, Transport& transport, RetryPolicy policy) {
  using namespace asio::experimental::awaitable_operators;
  txaio::steady_timer timer(executor);
  Result result;
  auto backoff = policy.first_backoff;
  for (int attempt = 1; attempt <= policy.max_attempts; ++attempt) {
    timer.expires_after(policy.timeout);
    auto outcome = co_await (try_once(transport) || timer.async_wait(asio::use_awaitable));
    if (outcome.index() == 0 && std::get<0>(outcome)) {
      result.attempts.push_back(Attempt::replied);
      result.reply = std::move(*std::get<0>(outcome));
      co_return result;
    }
    result.attempts.push_back(outcome.index() == 0 ? Attempt::failed : Attempt::timed_out);
    if (attempt == policy.max_attempts) break;
    timer.expires_after(backoff);
    co_await timer.async_wait(asio::use_awaitable);
    backoff = std::min(backoff * 2, policy.max_backoff);
  }
  co_return result;
}

}  // namespace asio_example
