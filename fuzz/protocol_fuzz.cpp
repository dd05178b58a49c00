// Fuzz target: the control protocol (include/kokola/protocol.hpp). The input is one request
// line as a client would send it. Every parser must return a value or a ProtocolError, never
// throw; every error must serialize into a response line that a client can read back.
#include <cstdlib>

#include "fields.hpp"
#include "kokola/protocol.hpp"

namespace {

// An error line must always be readable by the client, whatever text the error carries.
void check_error_line(const kokola::ProtocolError& e) {
  auto line = kokola::error_line(e);
  if (line.empty() || line.back() != '\n') std::abort();
  line.pop_back();
  auto back = kokola::parse_response_line(line);
  const auto* response = std::get_if<kokola::Response>(&back);
  if (!response || !response->final || response->ok || response->error_code != e.code) {
    std::abort();
  }
}

// Runs every argument parser on the args, whatever the command, to reach them all.
void parse_every_args(const nlohmann::json& args) {
  (void)kokola::parse_list_args(args);
  (void)kokola::parse_show_args(args);
  (void)kokola::parse_push_args(args);
  (void)kokola::parse_sync_args(args);
  (void)kokola::parse_audit_args(args);
  (void)kokola::validate_status_args(args);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view line = kokola::fuzz::as_text(data, size);
  auto parsed = kokola::parse_request(line);
  if (const auto* e = kokola::error_of(parsed)) {
    check_error_line(*e);
  } else {
    const auto& req = std::get<kokola::Request>(parsed);
    if (auto invalid = kokola::validate_request(req)) {
      if (invalid->id != req.id) std::abort();
      check_error_line(*invalid);
    }
    parse_every_args(req.args);
    // A valid request survives the client's own serialization.
    auto again = kokola::request_line(req);
    again.pop_back();
    auto reparsed = kokola::parse_request(again);
    if (kokola::error_of(reparsed) && line.size() + 1 < kokola::kMaxMessageBytes / 2) std::abort();
  }
  (void)kokola::parse_response_line(line);
  return 0;
}
