#include "request_checks.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace sandbox {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  }
  return diff == 0;
}

}  // namespace

bool bearer_token_matches(std::string_view header, std::string_view token) {
  header = trim(header);
  const auto space = header.find(' ');
  if (space == std::string_view::npos) return false;
  if (lower(header.substr(0, space)) != "bearer") return false;
  const std::string_view given = trim(header.substr(space + 1));
  return !token.empty() && constant_time_equal(given, token);
}

bool is_json_media_type(const std::optional<std::string>& content_type) {
  if (!content_type) return false;
  std::string_view value = *content_type;
  value = trim(value.substr(0, value.find(';')));
  return lower(value) == "application/json";
}

bool is_valid_idempotency_key(std::string_view key) {
  if (key.empty() || key.size() > 255) return false;
  return std::all_of(key.begin(), key.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

std::optional<std::int64_t> revision_of(const std::string& body) {
  const auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (!parsed.is_object()) return std::nullopt;
  const auto found = parsed.find("revision");
  if (found == parsed.end() || !found->is_number_integer()) return std::nullopt;
  if (found->is_number_unsigned() && found->get<std::uint64_t>() > INT64_MAX) return std::nullopt;
  return found->get<std::int64_t>();
}

}  // namespace sandbox
