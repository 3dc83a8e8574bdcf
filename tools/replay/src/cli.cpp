// txaio-replay's pipeline: parse the command line → collect and parse the scenario files →
// replay this shard's files (each run observed, then compared with its expect lines) → print,
// update and write the reports → the exit code. The steps are declared in cli_steps.hpp.
#include "txaio/replay/cli.hpp"

#include "cli_steps.hpp"

namespace txaio::replay {

int run_cli(std::span<const std::string> args, std::ostream& out, std::ostream& err, bool interactive) {
  using namespace detail;
  auto command_line = parse_command_line(args, out, err);
  if (const int* exit_code = std::get_if<int>(&command_line)) return *exit_code;  // --help, --version, misuse
  const Settings& settings = std::get<Settings>(command_line);
  const WorkerPool pool(settings.jobs);

  std::vector<std::filesystem::path> files;
  try {
    files = collect_scenarios(settings.paths);
    check_outputs(settings, files);
  } catch (const std::exception& e) {
    return usage_error(err, e.what());
  }
  const RunClock clock;
  std::vector<Item> items;
  try {
    items = load_scenarios(files, pool);
  } catch (const std::exception& e) {
    return usage_error(err, e.what());
  }
  if (count_malformed(items) > 0) {
    const std::vector<Verdict> verdicts = malformed_run_verdicts(items);
    print_malformed(verdicts, err);
    write_outputs(settings, verdicts, clock, out, err);
    return exit_usage;
  }

  const std::vector<std::size_t> selected = shard_indexes(items.size(), settings.shard);
  Progress progress(err, interactive, work_units(items, selected), selected.size());
  VerdictLog log(settings, progress, out);
  replay_selected(items, selected, settings.replay, pool, progress,
                  [&](std::size_t k, Verdict verdict) { log.take(std::move(verdict), items[selected[k]]); });
  progress.stop();

  out << summary_line(log.tally(), selected.size(), settings.shard, items.size(), clock.seconds());
  if (!write_outputs(settings, log.verdicts(), clock, out, err) || log.tally().write_failed) return exit_usage;
  return exit_code_for(log.verdicts());
}

}  // namespace txaio::replay
