#pragma once
/// Coroutines (C++20): a function returning `txaio::Future<T>` may be a coroutine, and it can
/// `co_await` any `txaio::Future<U>` (`sleep`, `gather`, `as_future`, another coroutine, ...).
///
///     txaio::Future<int> fetch(Client& c) {
///       co_await txaio::sleep(1s);            // virtual time under sim::Loop
///       int v = co_await c.request("x");      // a Future<int>; throws its failure
///       co_return v + 1;
///     }
///
/// Contract:
/// - Start: the body runs inline when the function is called, up to its first suspension
///   (Twisted's `ensureDeferred`); the future is returned then. The call never throws: an
///   exception escaping the body, before or after a suspension, rejects the future (a
///   `CancelledError` cancels it). The one exception is the loop's `UsageError` below.
/// - Loop: the coroutine's future belongs to the loop of its first parameter when that is a
///   `txaio::Api` (by value or reference) or a `txaio::Loop&` (for a member function or a
///   lambda: the first parameter after the object), else to the default loop. With neither,
///   the call throws `UsageError`, as every call before a loop is chosen does.
/// - `co_await f`: a settled `f` does not suspend. Otherwise the coroutine resumes when `f`
///   settles, when and how a callback added to `f` would run (scheduled: from the loop, never
///   inside `resolve`; immediate: inline). It yields a copy of the value (nothing for
///   `void`), or throws the original exception of a rejected `f` (catchable by its own type),
///   or `CancelledError` for a cancelled `f`. Only `txaio::Future`s can be awaited.
/// - Cancellation: `cancel(g)` on a coroutine's future `g` while the body is suspended on
///   `co_await f` cancels `f` (its canceller runs once) and the body resumes with
///   `CancelledError` thrown from that `co_await` (even when `f`'s canceller settled it
///   otherwise); while the body runs, from its next `co_await`. If the exception escapes the
///   body, `g` ends cancelled (not merely rejected), under both dispatch policies; if the body
///   catches it and `co_return`s, `g` resolves with that value. `cancel` on a finished
///   coroutine, or any `cancel` after the first, does nothing (a body cleaning up after a
///   cancellation is not interrupted again).
/// - Lifetime: the frame lives until the body ends, whether or not anyone holds `g`. A loop
///   destroyed while a coroutine on it is suspended destroys the frame (its locals'
///   destructors run), never resumes it, and leaves `g` pending.
/// - Depth: resumptions go through the future's dispatch (the loop, or the immediate mode's
///   trampoline), so a chain of 1,000,000 coroutines each awaiting the next completes on a
///   bounded stack under both policies. Calling a coroutine from a coroutine is a plain call:
///   unbounded recursion before the first suspension grows the stack as any recursion does.

#include "txaio/detail/coroutine.hpp"
#include "txaio/future.hpp"
