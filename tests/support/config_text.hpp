// Configuration texts and a problem collector shared by the configuration tests.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/config.hpp"

namespace kokola::testing {

// The kokola section every configuration needs.
inline const std::string kKokolaSection =
    "kokola:\n"
    "  base_url: https://app.example.com\n"
    "  token_file: /etc/kokola-sync/token\n";

// The smallest valid configuration: an SQLite ERP and the kokola section.
inline const std::string kMinimalConfig =
    "erp:\n"
    "  sqlite:\n"
    "    path: /srv/erp.db\n" +
    kKokolaSection;

// The problems `text` produces when read as `path`; the test fails when it parses.
inline std::vector<std::string> config_problems(const std::string& text,
                                                const std::string& path = "test.yaml",
                                                const ConfigEnvironment& env = {}) {
  try {
    parse_config(text, path, env);
  } catch (const ConfigError& e) {
    return e.problems();
  }
  ADD_FAILURE() << "expected a ConfigError for:\n" << text;
  return {};
}

}  // namespace kokola::testing
