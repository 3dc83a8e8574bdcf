// The strict SimTest, checked from outside: each case of strict_fixture_cases.cpp runs in its
// own process and its exit code and report are asserted.
#include "txaio/testutil/sim_test.hpp"

#include <gtest/gtest.h>

#include <string>

#include "../tools/replay/process.hpp"

namespace {

CommandResult run_case(const std::string& filter) {
  return run_command(shell_quote(TXAIO_STRICT_CASES_EXE) + " --gtest_filter=" + shell_quote(filter));
}

TEST(StrictSimTest, ALeakedRejectionFailsTheTestNamingTheFailureAndWhereItWasCreated) {
  const CommandResult r = run_case("Strict.LeaksARejection");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("1 rejected future(s) were never handled"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("std::runtime_error: the leaked failure"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("created at "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("[  FAILED  ] Strict.LeaksARejection"), std::string::npos) << r.output;
}

TEST(StrictSimTest, AllowUnhandledFailuresPasses) {
  const CommandResult r = run_case("Strict.AllowsALeakWhenAsked:Strict.HandledRejectionPasses");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("[  PASSED  ] 2 tests"), std::string::npos) << r.output;
}

TEST(StrictSimTest, DispatchSimTestIsStrictToo) {
  const CommandResult r = run_case("Dispatch/StrictDispatch.*");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("2 FAILED TESTS"), std::string::npos) << r.output;
}

TEST(StrictSimTest, AnEscapingExceptionIsReportedWithTimesAndSchedulingPlace) {
  const CommandResult r = run_case("Strict.CallbackThrows");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("scheduled at virtual time 1s, due 6s, threw at virtual time "
                          "6s: boom from a timer"),
            std::string::npos)
      << r.output;
}

TEST(StrictSimTest, ADestroyedDefaultLoopGivesTheNextTestUsageErrorNotACrash) {
  const CommandResult r = run_case("DestroyedDefault.*");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("[  PASSED  ] 2 tests"), std::string::npos) << r.output;
}

}  // namespace
