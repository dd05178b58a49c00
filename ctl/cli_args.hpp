// What kokolactl's command line fills in (ctl/cli.cpp), and how it becomes the arguments of
// one control request (docs/control-protocol.md): entity words normalised ("purchase-order"
// is "po"), defaults left to the daemon, flags sent only where the command takes them.
// Pure; any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "kokola/paths.hpp"

namespace kokola::ctl {

struct Values {
  std::string socket_path{kDefaultSocketPath};
  bool json = false;
  std::optional<double> timeout_s;
  std::string entity;
  std::vector<std::string> keys;
  std::string key;
  bool force = false;
  bool dry_run = false;
  std::string reason;
  bool ready = false;
  std::string search;
  std::optional<long long> limit;
  std::string since;
  std::string user;
  std::string state;
  long long job_id = 0;
  std::vector<long long> ids;
  bool failed = false;
  bool wait = false;
};

// "po" for "purchase-order" and "purchase_order"; other words unchanged.
std::string entity_name(const std::string& word);

// The request arguments of `cmd` (a protocol command name) from the parsed values.
nlohmann::json command_args(const std::string& cmd, const Values& v);

}  // namespace kokola::ctl
