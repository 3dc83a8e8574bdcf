#pragma once
// A chain of futures built from callbacks, for the stack-depth tests on both loops.

#include <memory>

#include "txaio/future.hpp"

namespace txaio::test {

/// One link: on value `v`, creates the next future, attaches a copy of itself and resolves
/// it with `v + 1`, until `v` reaches `length`.
struct ChainLink {
  int length;
  std::shared_ptr<int> last;

  void operator()(int v) const {
    if (v == length) {
      *last = v;
      return;
    }
    Future<int> next = create_future<int>();
    add_callbacks(next, *this);
    resolve(next, v + 1);
  }
};

/// Starts a chain of `length` futures on the default loop. Returns where the chain got to:
/// `length` once the loop has run it to the end.
inline std::shared_ptr<int> start_future_chain(int length) {
  ChainLink link{length, std::make_shared<int>(-1)};
  Future<int> first = create_future<int>();
  add_callbacks(first, link);
  resolve(first, 0);
  return link.last;
}

}  // namespace txaio::test
