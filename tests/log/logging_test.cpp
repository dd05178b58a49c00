#include "log/logging.hpp"

#include <gtest/gtest.h>
#include <spdlog/details/log_msg.h>

#include <regex>

#include "log/log_format.hpp"

namespace kokola {
namespace {

std::string format(bool journal, spdlog::level::level_enum level, std::string_view text) {
  const spdlog::details::log_msg msg(spdlog::source_loc{}, "kokola-sync", level,
                                     spdlog::string_view_t(text.data(), text.size()));
  spdlog::memory_buf_t out;
  make_log_formatter(journal)->format(msg, out);
  return fmt::to_string(out);
}

TEST(Logging, KnowsExactlyTheDocumentedLevels) {
  for (const char* level : {"trace", "debug", "info", "warn", "error", "off"}) {
    EXPECT_TRUE(is_log_level(level)) << level;
  }
  for (const char* level : {"", "warning", "err", "critical", "INFO", "verbose"}) {
    EXPECT_FALSE(is_log_level(level)) << level;
  }
}

TEST(Logging, UnknownLevelIsRefused) {
  EXPECT_THROW(setup_logging("verbose"), std::invalid_argument);
  EXPECT_THROW(set_log_level("loud"), std::invalid_argument);
}

TEST(Logging, JournalLinesStartWithTheirPriorityAndNoTime) {
  EXPECT_EQ(format(true, spdlog::level::err, "push failed"), "<3>push failed\n");
  EXPECT_EQ(format(true, spdlog::level::warn, "retrying"), "<4>retrying\n");
  EXPECT_EQ(format(true, spdlog::level::info, "started"), "<6>started\n");
  EXPECT_EQ(format(true, spdlog::level::debug, "detail"), "<7>detail\n");
  EXPECT_EQ(format(true, spdlog::level::critical, "dying"), "<2>dying\n");
  EXPECT_EQ(format(true, spdlog::level::trace, "noise"), "<7>noise\n");
}

TEST(Logging, TerminalLinesCarryTimeAndLevel) {
  const std::string line = format(false, spdlog::level::warn, "retrying");
  const std::regex shape(
      R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d warning retrying\n)");
  EXPECT_TRUE(std::regex_match(line, shape)) << line;
}

TEST(Logging, AMessageStaysOneLineWhateverItQuotes) {
  using namespace std::string_view_literals;
  EXPECT_EQ(format(true, spdlog::level::warn, "run vendor: 'X-NL\nKEY': invalid"sv),
            "<4>run vendor: 'X-NL\\x0AKEY': invalid\n");
  EXPECT_EQ(format(true, spdlog::level::warn, "'a\0b\x7F\xFF' 'PT CAF\xC3\x89'"sv),
            "<4>'a\\x00b\\x7F\\xFF' 'PT CAF\xC3\x89'\n")
      << "NUL, DEL and a byte that is not UTF-8 escaped; UTF-8 kept";
  const std::string line = format(false, spdlog::level::info, "a\r\nb");
  EXPECT_EQ(line.find('\r'), std::string::npos);
  EXPECT_EQ(line.find('\n'), line.size() - 1);
}

TEST(Logging, JournalStreamMustBeStderrItself) {
  ::setenv("JOURNAL_STREAM", "1:1", 1);
  EXPECT_FALSE(stderr_is_journal());
  ::unsetenv("JOURNAL_STREAM");
  EXPECT_FALSE(stderr_is_journal());
}

}  // namespace
}  // namespace kokola
