// txaio-replay's scenario files read and parsed, on the worker pool.
#include <algorithm>

#include "cli_steps.hpp"
#include "txaio/replay/detail/input_file.hpp"

namespace txaio::replay::detail {

std::vector<Item> load_scenarios(std::span<const std::filesystem::path> files, const WorkerPool& pool) {
  // Every file is read and parsed, in every shard, so that a malformed file stops every shard.
  std::vector<Item> items(files.size());
  pool.run(files.size(), [&](std::size_t i) {
    Item& item = items[i];
    item.path = files[i];
    item.name = files[i].generic_string();
    item.text = read_input_file(files[i]);
    try {
      item.scenario = parse_scenario(item.text, item.name);
    } catch (const ParseError& e) {
      item.parse_error = e.what();
    }
  });
  return items;
}

std::size_t count_malformed(std::span<const Item> items) {
  return static_cast<std::size_t>(std::count_if(items.begin(), items.end(), [](const Item& item) { return !item.scenario; }));
}

std::vector<Verdict> malformed_run_verdicts(std::span<const Item> items) {
  std::vector<Verdict> verdicts;
  verdicts.reserve(items.size());
  for (const Item& item : items) {
    Verdict verdict;
    verdict.name = item.name;
    if (!item.scenario) {
      verdict.status = Status::parse_error;
      verdict.message = item.parse_error;
    } else {
      verdict.status = Status::not_run;
      verdict.message = "not run: another scenario file has a parse error";
    }
    verdicts.push_back(std::move(verdict));
  }
  return verdicts;
}

}  // namespace txaio::replay::detail
