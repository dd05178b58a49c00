// Running one kokolactl invocation: sends its request to kokola-syncd, shows progress on a
// terminal, prints the result (human form or --json) and returns the exit code
// (include/kokola/exit_codes.hpp). Called once from main.
#pragma once

#include "cli.hpp"

namespace kokola::ctl {

int run(const Invocation& invocation);

}  // namespace kokola::ctl
