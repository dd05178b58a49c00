#include "faults.hpp"

#include <array>
#include <utility>

namespace sandbox {
namespace {

using nlohmann::json;

constexpr std::array<std::pair<FaultRule::Action, std::string_view>, 4> kActions{{
    {FaultRule::Action::respond, "respond"},
    {FaultRule::Action::close, "close"},
    {FaultRule::Action::close_after_apply, "close_after_apply"},
    {FaultRule::Action::delay, "delay"},
}};

std::string default_code(int status) {
  switch (status) {
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 429:
      return "rate_limited";
    case 500:
      return "internal_error";
    case 503:
      return "unavailable";
    default:
      return "injected_fault";
  }
}

bool one_of(const std::string& value, std::initializer_list<std::string_view> allowed) {
  for (auto a : allowed) {
    if (value == a) return true;
  }
  return false;
}

// Reads an optional member of the given JSON type; false with error set on a wrong type.
template <typename T>
bool read_member(const json& rule, const char* name, json::value_t type, T& out,
                 std::string& error) {
  const auto found = rule.find(name);
  if (found == rule.end()) return true;
  const bool integer_wanted = type == json::value_t::number_integer;
  if (integer_wanted ? !found->is_number_integer() : found->type() != type) {
    error = std::string("fault rule member '") + name + "' has the wrong type";
    return false;
  }
  out = found->get<T>();
  return true;
}

bool check_members(const json& value, std::string& error) {
  static constexpr std::array<std::string_view, 12> kKnown{
      "method",  "entity",      "key",      "action", "status",      "code",
      "message", "retry_after", "delay_ms", "times",  "probability", "seed"};
  for (const auto& [name, member] : value.items()) {
    bool known = false;
    for (auto k : kKnown) known = known || k == name;
    if (!known) {
      error = "fault rule member '" + name + "' is not known";
      return false;
    }
  }
  return true;
}

bool read_action(const json& value, FaultRule& rule, std::string& error) {
  std::string action;
  if (!read_member(value, "action", json::value_t::string, action, error)) return false;
  if (action.empty()) {
    const bool answers = value.contains("status") || value.contains("code");
    rule.action = answers || !value.contains("delay_ms") ? FaultRule::Action::respond
                                                         : FaultRule::Action::delay;
    return true;
  }
  for (const auto& [kind, name] : kActions) {
    if (name == action) {
      rule.action = kind;
      return true;
    }
  }
  error =
      "fault rule action '" + action + "' is not one of respond, close, close_after_apply, delay";
  return false;
}

bool read_retry_after(const json& value, FaultRule& rule, std::string& error) {
  const auto found = value.find("retry_after");
  if (found == value.end()) return true;
  if (!found->is_string()) {
    error = "fault rule member 'retry_after' has the wrong type";
    return false;
  }
  rule.retry_after = found->get<std::string>();
  return true;
}

// `probability`: any JSON number; `seed`: an integer >= 0 that starts the rule's generator.
bool read_draws(const json& value, FaultRule& rule, std::string& error) {
  if (const auto found = value.find("probability"); found != value.end()) {
    if (!found->is_number()) {
      error = "fault rule member 'probability' has the wrong type";
      return false;
    }
    rule.probability = found->get<double>();
  }
  if (const auto found = value.find("seed"); found != value.end()) {
    if (!found->is_number_unsigned()) {
      error = "fault rule member 'seed' must be an integer >= 0";
      return false;
    }
    rule.seed = found->get<std::uint64_t>();
  }
  rule.draws.seed(rule.seed);
  return true;
}

// True when the rule applies to this request: always at probability 1, else by a draw in
// [0, 1) from the rule's own generator (53 random bits, the same on every platform).
bool draw_applies(FaultRule& rule) {
  if (rule.probability >= 1.0) return true;
  const double unit = static_cast<double>(rule.draws() >> 11) * 0x1.0p-53;
  return unit < rule.probability;
}

bool read_rule(const json& value, FaultRule& rule, std::string& error) {
  std::string key;
  std::int64_t times = -1;
  std::int64_t status = rule.status;
  const bool read =
      read_member(value, "method", json::value_t::string, rule.method, error) &&
      read_member(value, "entity", json::value_t::string, rule.entity, error) &&
      read_member(value, "key", json::value_t::string, key, error) &&
      read_member(value, "status", json::value_t::number_integer, status, error) &&
      read_member(value, "code", json::value_t::string, rule.code, error) &&
      read_member(value, "message", json::value_t::string, rule.message, error) &&
      read_member(value, "delay_ms", json::value_t::number_integer, rule.delay_ms, error) &&
      read_member(value, "times", json::value_t::number_integer, times, error);
  if (!read) return false;

  if (value.contains("key")) rule.key = key;
  if (value.contains("times")) rule.times = times;
  rule.status = static_cast<int>(status);
  return read_retry_after(value, rule, error) && read_draws(value, rule, error);
}

bool check_rule(const FaultRule& rule, std::string& error) {
  if (!one_of(rule.method, {"*", "GET", "PUT"})) {
    error = "fault rule method '" + rule.method + "' is not one of GET, PUT, *";
  } else if (!one_of(rule.entity, {"*", "vendor", "item", "po"})) {
    error = "fault rule entity '" + rule.entity + "' is not one of vendor, item, po, *";
  } else if (rule.status < 100 || rule.status > 599) {
    error = "fault rule status " + std::to_string(rule.status) + " is not an HTTP status";
  } else if (rule.delay_ms < 0 || rule.delay_ms > 600000) {
    error = "fault rule delay_ms must be between 0 and 600000";
  } else if (rule.times && *rule.times < 0) {
    error = "fault rule times must be >= 0";
  } else if (!(rule.probability >= 0.0 && rule.probability <= 1.0)) {
    error = "fault rule probability must be between 0 and 1";
  } else {
    return true;
  }
  return false;
}

}  // namespace

std::optional<FaultRule> parse_fault_rule(const json& value, std::string& error) {
  if (!value.is_object()) {
    error = "a fault rule must be a JSON object";
    return std::nullopt;
  }
  FaultRule rule;
  if (!check_members(value, error) || !read_action(value, rule, error) ||
      !read_rule(value, rule, error) || !check_rule(rule, error)) {
    return std::nullopt;
  }
  if (rule.code.empty()) rule.code = default_code(rule.status);
  if (rule.message.empty()) rule.message = "fault injected by the sandbox";
  return rule;
}

std::optional<std::vector<FaultRule>> parse_fault_rules(const json& value, std::string& error) {
  if (!value.is_array()) {
    error = "fault rules must be a JSON array";
    return std::nullopt;
  }
  std::vector<FaultRule> rules;
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto rule = parse_fault_rule(value[i], error);
    if (!rule) {
      error = "rule " + std::to_string(i) + ": " + error;
      return std::nullopt;
    }
    rules.push_back(std::move(*rule));
  }
  return rules;
}

json fault_rule_json(const FaultRule& rule) {
  json out = {{"method", rule.method}, {"entity", rule.entity},   {"status", rule.status},
              {"code", rule.code},     {"message", rule.message}, {"delay_ms", rule.delay_ms}};
  for (const auto& [kind, name] : kActions) {
    if (kind == rule.action) out["action"] = name;
  }
  // Absent members stay absent, so that the listing can be posted back unchanged.
  if (rule.key) out["key"] = *rule.key;
  if (rule.retry_after) out["retry_after"] = *rule.retry_after;
  if (rule.times) out["times"] = *rule.times;
  if (rule.probability < 1.0) {
    out["probability"] = rule.probability;
    out["seed"] = rule.seed;
  }
  return out;
}

void FaultTable::replace(std::vector<FaultRule> rules) {
  std::lock_guard lock(mutex_);
  rules_ = std::move(rules);
}

json FaultTable::to_json() const {
  std::lock_guard lock(mutex_);
  json out = json::array();
  for (const auto& rule : rules_) out.push_back(fault_rule_json(rule));
  return out;
}

std::optional<FaultRule> FaultTable::take(std::string_view method, std::string_view entity,
                                          std::string_view key) {
  std::lock_guard lock(mutex_);
  for (auto& rule : rules_) {
    if (rule.method != "*" && rule.method != method) continue;
    if (rule.entity != "*" && rule.entity != entity) continue;
    if (rule.key && *rule.key != key) continue;
    if (rule.times && *rule.times == 0) continue;
    if (!draw_applies(rule)) continue;
    if (rule.times) --*rule.times;
    return rule;
  }
  return std::nullopt;
}

}  // namespace sandbox
