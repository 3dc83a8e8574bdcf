// txaio-replay: replays timer scenarios (*.txs) on the virtual clock; see --help.
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "txaio/replay/cli.hpp"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  const std::vector<std::string> args(argv + 1, argv + argc);
  const bool interactive = ::isatty(STDERR_FILENO) == 1;
  return txaio::replay::run_cli(args, std::cout, std::cerr, interactive);
}
