// The app's answers, read and classified (docs/http-client.md, "Classification"): pure
// functions from an HTTP status, a few headers and the body to the SendResult / FetchResult
// the pipeline acts on. They do no I/O, read no clock and throw nothing; they are fed bytes
// from the network, so every input, however malformed, gives a result (a fuzz target).
// Any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "kokola/client.hpp"

namespace kokola {

// What the client keeps of one HTTP answer. Views into the transport's response.
struct HttpAnswer {
  int status = 0;
  std::string_view reason;  // the status line's text, e.g. "Bad Gateway"
  std::string_view body;
  std::string_view retry_after;  // the Retry-After header; empty when absent
  std::string_view location;     // the Location header of a 3xx; empty when absent
  bool replayed = false;         // Idempotent-Replayed: true
};

// Limits on what is taken from an answer into messages and results.
inline constexpr std::size_t kMaxTextBytes = 300;    // one app message or field error text
inline constexpr std::size_t kMaxFieldErrors = 200;  // field errors kept from one answer
inline constexpr int kMaxJsonDepth = 64;             // deeper bodies count as unparsable

// Classifies the answer to a PUT. `request` names it in messages ("PUT /v1/items/A%2F1");
// `now` turns a Retry-After HTTP-date into a wait. latency is left at zero.
SendResult classify_put_answer(const HttpAnswer& answer, std::string_view request,
                               std::chrono::system_clock::time_point now);

// Classifies the answer to a GET by key: 200 found, 404 not found (both "delivered": the app
// answered the question), anything else as for a PUT, except that nothing a GET does can leave
// a doubt, so an unreadable 2xx is transient.
FetchResult classify_get_answer(const HttpAnswer& answer, std::string_view request,
                                std::chrono::system_clock::time_point now);

// Text from the app made fit for a one-line message: control characters become spaces,
// invalid UTF-8 is escaped as \xNN, and text over `max_bytes` is cut (never inside a UTF-8
// sequence) and ends in "...".
std::string one_line(std::string_view text, std::size_t max_bytes = kMaxTextBytes);

// Replaces every occurrence of `secret` with "[redacted]" in every text of the result that
// came from the app. A no-op for an empty secret.
void redact(SendResult& result, std::string_view secret);
void redact(FetchResult& result, std::string_view secret);

}  // namespace kokola
