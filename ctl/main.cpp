// kokolactl: the command-line client of kokola-syncd's control socket.
#include <variant>

#include "cli.hpp"
#include "commands.hpp"

int main(int argc, char** argv) {
  auto parsed = kokola::ctl::parse_command_line(argc, argv);
  if (const auto* exit_code = std::get_if<int>(&parsed)) return *exit_code;
  return kokola::ctl::run(std::get<kokola::ctl::Invocation>(parsed));
}
