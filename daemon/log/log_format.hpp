// The one log line format of the daemon, kept apart from setup_logging() so that tests can
// format a message without touching the process's default logger. Pure; any thread.
#pragma once

#include <spdlog/formatter.h>

#include <memory>
#include <string>
#include <string_view>

namespace kokola {

// The journald priority ("<3>" etc.) for a level, as sd-daemon(3) defines the prefix.
int journal_priority(spdlog::level::level_enum level);

// Under the journal: "<6>message" (journald adds time and unit itself). Otherwise:
// "2026-12-03T16:40:00.123+07:00 info message". The message always stays one line
// (escape_for_log).
std::unique_ptr<spdlog::formatter> make_log_formatter(bool journal);

// `text` with each control character (U+0000 to U+001F, U+007F) and each byte that is not
// UTF-8 written as \xNN: "X-NL\x0AKEY".
std::string escape_for_log(std::string_view text);

// True when stderr is the journal stream systemd set up for this process: JOURNAL_STREAM
// names stderr's device and inode (a child of a service that redirected stderr does not
// inherit the prefix).
bool stderr_is_journal();

}  // namespace kokola
