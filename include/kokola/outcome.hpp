// Job outcome and state names, spelled exactly as on the wire and in the state store
// (docs/glossary.md). Shared by the daemon and kokolactl. Pure functions; any thread.
#pragma once

#include <optional>
#include <string_view>

namespace kokola {

enum class Outcome {
  queued,
  sending,
  retry_wait,
  in_doubt,
  delivered,
  unchanged,
  not_ready,
  invalid,
  rejected,
  failed,
  superseded,
};

constexpr std::string_view outcome_name(Outcome o) {
  switch (o) {
    case Outcome::queued:
      return "queued";
    case Outcome::sending:
      return "sending";
    case Outcome::retry_wait:
      return "retry_wait";
    case Outcome::in_doubt:
      return "in_doubt";
    case Outcome::delivered:
      return "delivered";
    case Outcome::unchanged:
      return "unchanged";
    case Outcome::not_ready:
      return "not_ready";
    case Outcome::invalid:
      return "invalid";
    case Outcome::rejected:
      return "rejected";
    case Outcome::failed:
      return "failed";
    case Outcome::superseded:
      return "superseded";
  }
  return "failed";
}

constexpr std::optional<Outcome> parse_outcome(std::string_view s) {
  for (int i = 0; i <= static_cast<int>(Outcome::superseded); ++i) {
    auto o = static_cast<Outcome>(i);
    if (outcome_name(o) == s) return o;
  }
  return std::nullopt;
}

// Why a push that did not deliver failed, when the outcome alone does not say. Carried in
// results as "reason_code" so that kokolactl can choose its exit code.
namespace reason {
inline constexpr std::string_view kAppAuth = "app_auth";                // 401 / 403
inline constexpr std::string_view kAppUnreachable = "app_unreachable";  // connect error
inline constexpr std::string_view kAppTransient = "app_transient";      // 5xx, 429, 503
inline constexpr std::string_view kAppRejected = "app_rejected";        // other 4xx
inline constexpr std::string_view kAppTls = "app_tls";                  // certificate refused
inline constexpr std::string_view kNoAnswer = "app_no_answer";  // sent, unanswered, not looked up
inline constexpr std::string_view kStaleRevision = "stale_revision";  // 409
inline constexpr std::string_view kErpError = "erp_error";            // the ERP read failed
inline constexpr std::string_view kNotFound = "not_found";            // no such key in ERP
inline constexpr std::string_view kInternal = "internal";
}  // namespace reason

}  // namespace kokola
