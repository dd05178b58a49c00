// Logging: one spdlog pattern, set in one place. Under systemd (JOURNAL_STREAM naming
// stderr) each line starts with its journald priority ("<6>") and carries no timestamp;
// otherwise a plain line with time and level. Call setup_logging() once in main before any
// thread starts; after that spdlog's default logger is safe from any thread. Never log a
// secret.
#pragma once

#include <string>

namespace kokola {

// Throws std::invalid_argument for an unknown level name.
void setup_logging(const std::string& level);
void set_log_level(const std::string& level);
bool is_log_level(const std::string& level);

}  // namespace kokola
