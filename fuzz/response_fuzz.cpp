// Fuzz target: the classification of the app's answers (daemon/kokola/response.hpp). The
// first two bytes give the HTTP status (100-599), the third its flags (bit 0: replayed,
// bit 1: a GET rather than a PUT); the rest is split into reason, Retry-After, Location and
// body (the body takes everything after the third separator). The classifiers must give a
// result for any input; their texts must be one line of valid UTF-8 with the secret redacted.
#include <cstdlib>

#include "fields.hpp"
#include "kokola/protocol.hpp"
#include "kokola/response.hpp"

namespace {

constexpr std::string_view kRequest = "PUT /v1/items/A%2F1";
constexpr std::string_view kSecret = "s3cr3t";

void check_text(const std::string& text) {
  if (!kokola::is_valid_utf8_text(text)) std::abort();
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20) std::abort();
  }
  if (text.find(kSecret) != std::string::npos) std::abort();
}

void check(kokola::SendResult& r) {
  kokola::redact(r, kSecret);
  check_text(r.message);
  for (const auto& p : r.field_errors) check_text(p.message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  std::string_view rest = kokola::fuzz::as_text(data + 3, size - 3);
  std::string_view parts[4];
  for (int i = 0; i < 3; ++i) {
    auto end = rest.find(kokola::fuzz::kFieldSeparator);
    parts[i] = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  parts[3] = rest;

  kokola::HttpAnswer answer;
  answer.status = 100 + (data[0] * 256 + data[1]) % 500;
  answer.replayed = (data[2] & 1) != 0;
  answer.reason = parts[0];
  answer.retry_after = parts[1];
  answer.location = parts[2];
  answer.body = parts[3];
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));

  if ((data[2] & 2) != 0) {
    auto r = kokola::classify_get_answer(answer, kRequest, now);
    kokola::redact(r, kSecret);
    check(r.status);
  } else {
    auto r = kokola::classify_put_answer(answer, kRequest, now);
    check(r);
  }
  auto line = kokola::one_line(answer.body, 40);
  if (!kokola::is_valid_utf8_text(line) || line.size() > 43) std::abort();
  return 0;
}
