// Fault injection for tests (docs/sandbox.md, "Fault rules"): rules that make the sandbox
// answer an error, delay, or close the connection without answering, for matching requests.
// Rules come from --fault on the command line or POST /_sandbox/faults. Not part of the
// Kokola API contract. FaultTable is thread-safe: request handlers on any thread call take().
// A rule may apply to only a share of the requests it matches (`probability`); its draws come
// from its own generator started from its `seed`, so a test can replay them.
#pragma once

#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace sandbox {

struct FaultRule {
  enum class Action {
    respond,            // answer status/code/message; nothing applied
    close,              // close the connection without answering; nothing applied
    close_after_apply,  // handle the request normally, then close without answering
    delay,              // only wait delay_ms, then handle the request normally
  };
  std::string method = "*";        // "PUT", "GET" or "*"
  std::string entity = "*";        // "vendor", "item", "po" or "*"
  std::optional<std::string> key;  // the decoded key; absent matches every key
  Action action = Action::respond;
  int status = 503;
  std::string code;
  std::string message;
  std::optional<std::string> retry_after;
  std::int64_t delay_ms = 0;
  std::optional<std::int64_t> times;  // requests left to affect; absent: every request
  double probability = 1.0;           // share of matching requests the rule applies to
  std::uint64_t seed = 1;             // starts the rule's own generator
  std::mt19937_64 draws{1};           // the rule's generator, started from seed
};

// Parses one rule; on error returns nullopt and sets error to a one-line reason.
std::optional<FaultRule> parse_fault_rule(const nlohmann::json& value, std::string& error);
// Parses a JSON array of rules; all or nothing.
std::optional<std::vector<FaultRule>> parse_fault_rules(const nlohmann::json& value,
                                                        std::string& error);
nlohmann::json fault_rule_json(const FaultRule& rule);

class FaultTable {
 public:
  explicit FaultTable(std::vector<FaultRule> rules) : rules_(std::move(rules)) {}

  void replace(std::vector<FaultRule> rules);
  nlohmann::json to_json() const;
  // The first rule matching the request that still has times left and whose draw (when its
  // probability is below 1) says it applies, counting it as used.
  std::optional<FaultRule> take(std::string_view method, std::string_view entity,
                                std::string_view key);

 private:
  mutable std::mutex mutex_;
  std::vector<FaultRule> rules_;
};

}  // namespace sandbox
