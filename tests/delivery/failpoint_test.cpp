// Reading KOKOLA_FAILPOINTS. Arming is process-wide and cannot be undone, so each case runs
// in a child process (a death test) and reports by its exit code; no failpoint is ever hit.
#include "delivery/failpoint.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace kokola {
namespace {

constexpr int kArmed = 0;
constexpr int kRefused = 3;
constexpr int kWrongLine = 4;

// In the child: arms from `spec` (unset when null) and exits kArmed or kRefused; kWrongLine
// when the log line does not say what it armed.
[[noreturn]] void arm_with(const char* spec) {
  if (spec) {
    ::setenv("KOKOLA_FAILPOINTS", spec, 1);
  } else {
    ::unsetenv("KOKOLA_FAILPOINTS");
  }
  std::string line;
  try {
    line = arm_failpoints_from_environment();
  } catch (const std::invalid_argument&) {
    std::_Exit(kRefused);
  }
  const bool says_it = spec && *spec ? line.find(spec) != std::string::npos : line.empty();
  std::_Exit(says_it ? kArmed : kWrongLine);
}

class FailpointDeathTest : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(FailpointDeathTest, UnsetOrEmptyArmsNothing) {
  EXPECT_EXIT(arm_with(nullptr), ::testing::ExitedWithCode(kArmed), "");
  EXPECT_EXIT(arm_with(""), ::testing::ExitedWithCode(kArmed), "");
}

TEST_F(FailpointDeathTest, KnownNamesWithCountsAreArmed) {
  // Counts no test reaches.
  EXPECT_EXIT(arm_with("after_answer=900000000"), ::testing::ExitedWithCode(kArmed), "");
  EXPECT_EXIT(arm_with("after_job_written=900000000,before_ledger_commit=900000000"),
              ::testing::ExitedWithCode(kArmed), "");
}

TEST_F(FailpointDeathTest, UnknownNameIsRefused) {
  EXPECT_EXIT(arm_with("after_lunch=3"), ::testing::ExitedWithCode(kRefused), "");
  EXPECT_EXIT(arm_with("after_answer=3,bogus=1"), ::testing::ExitedWithCode(kRefused), "");
}

TEST_F(FailpointDeathTest, MissingOrNonPositiveCountIsRefused) {
  EXPECT_EXIT(arm_with("after_answer"), ::testing::ExitedWithCode(kRefused), "");
  EXPECT_EXIT(arm_with("after_answer="), ::testing::ExitedWithCode(kRefused), "");
  EXPECT_EXIT(arm_with("after_answer=0"), ::testing::ExitedWithCode(kRefused), "");
  EXPECT_EXIT(arm_with("after_answer=-2"), ::testing::ExitedWithCode(kRefused), "");
}

TEST_F(FailpointDeathTest, EmptyItemIsRefused) {
  EXPECT_EXIT(arm_with("after_answer=3,"), ::testing::ExitedWithCode(kRefused), "");
  EXPECT_EXIT(arm_with(",after_answer=3"), ::testing::ExitedWithCode(kRefused), "");
}

TEST_F(FailpointDeathTest, CountWithTrailingJunkIsRefused) {
  EXPECT_EXIT(arm_with("after_answer=3x"), ::testing::ExitedWithCode(kRefused), "");
  EXPECT_EXIT(arm_with("after_answer=1e3"), ::testing::ExitedWithCode(kRefused), "");
}

}  // namespace
}  // namespace kokola
