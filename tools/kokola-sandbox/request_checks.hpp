// Small checks on request headers and bodies that the Api applies before its main work:
// the bearer token, the media type, the Idempotency-Key format, and the revision a body
// carries (for the request log). Pure functions; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sandbox {

// "Bearer <token>" (scheme case-insensitive) with the expected token, compared in constant
// time so that the comparison does not leak how much of a guess was right.
bool bearer_token_matches(std::string_view header, std::string_view token);
// application/json, case-insensitive, parameters such as "; charset=utf-8" allowed.
bool is_json_media_type(const std::optional<std::string>& content_type);
// 1 to 255 printable ASCII characters.
bool is_valid_idempotency_key(std::string_view key);
// The integer "revision" of a JSON object body, if it has one.
std::optional<std::int64_t> revision_of(const std::string& body);

}  // namespace sandbox
