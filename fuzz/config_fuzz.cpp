// Fuzz target: the config loader (daemon/config/config.hpp), from text. parse_config() may
// refuse the text only with ConfigError or std::runtime_error (yaml-cpp's exceptions are
// runtime errors); any other exception, a crash or a sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "config/config.hpp"
#include "fields.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(kokola::fuzz::as_text(data, size));
  kokola::ConfigEnvironment env;  // no systemd credentials
  try {
    (void)kokola::parse_config(text, "fuzz.yaml", env);
  } catch (const kokola::ConfigError& e) {
    if (e.problems().empty()) std::abort();
  } catch (const std::runtime_error&) {
    // A refusal, as documented.
  }
  return 0;
}
