// txaio-replay's files of this shard replayed on the worker pool, their verdicts in file order.
#include <optional>

#include "cli_steps.hpp"

namespace txaio::replay::detail {

std::vector<std::size_t> shard_indexes(std::size_t count, const Shard& shard) {
  std::vector<std::size_t> selected;
  for (std::size_t i = 0; i < count; ++i) {
    if (i % shard.count == shard.index - 1) selected.push_back(i);
  }
  return selected;
}

std::size_t work_units(std::span<const Item> items, std::span<const std::size_t> selected) {
  std::size_t units = 0;
  for (const std::size_t i : selected) units += items[i].scenario->ops.size() + 1;
  return units;
}

void replay_selected(std::span<Item> items, std::span<const std::size_t> selected, const ReplayOptions& options,
                     const WorkerPool& pool, Progress& progress,
                     const std::function<void(std::size_t, Verdict)>& take) {
  std::vector<std::optional<Verdict>> verdicts(selected.size());
  const auto replay = [&](std::size_t k) {
    ReplayOptions opts = options;
    std::size_t reported = 0;
    opts.run.progress = [&](std::size_t done) {
      if (done > reported) progress.add_units(done - reported);
      reported = done;
    };
    verdicts[k] = replay_scenario(std::move(*items[selected[k]].scenario), opts);
    progress.add_units(1);
    progress.file_done();
  };
  pool.run(selected.size(), replay, [&](std::size_t k) {
    take(k, std::move(*verdicts[k]));
    verdicts[k].reset();
  });
}

}  // namespace txaio::replay::detail
