// Log formats given as literals are checked at compile time. Built by the
// logging.compile_check.* tests: with TXAIO_CASE_control this file must compile; with any
// other case, the call that case selects must be rejected.
#include "txaio/logging.hpp"

void log_calls(const txaio::Logger& log) {
  using namespace fmt::literals;
#if defined(TXAIO_CASE_control)
  log.info("{} and {}", 1, "two");
  log.info("{1} before {0}", 1, 2);
  log.info("{:>{}}|", "x", 5);
  log.info("Hopping {times} times.", "times"_a = 42);
  log.info("Hopping {times} times.", fmt::arg("times", 42));
  log.info("{0} {x}", 1, "x"_a = 2);
  log.info("{log_time} {log_time:%H:%M} {log_level:>6} {log_namespace}");
  log.emit(txaio::LogLevel::warn, "{{literal braces}}");
  log.info(fmt::runtime("{} {}"), 1);  // not checked: reported in the line at run time
#elif defined(TXAIO_CASE_too_few_positional)
  log.info("{} and {}", 1);
#elif defined(TXAIO_CASE_implicit_arg_by_position)
  log.info("{}");  // must not silently print log_time
#elif defined(TXAIO_CASE_index_past_arguments)
  log.info("{1}", 1);
#elif defined(TXAIO_CASE_nested_width_past_arguments)
  log.info("{:>{}}", "x");
#elif defined(TXAIO_CASE_unknown_name)
  log.info("{timez}", "times"_a = 1);
#elif defined(TXAIO_CASE_bad_spec)
  log.info("{:d}", "text");
#else
#error "no TXAIO_CASE_* selected"
#endif
}
