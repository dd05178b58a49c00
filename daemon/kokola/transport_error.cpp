#include "kokola/transport_error.hpp"

namespace kokola {
namespace {

using std::chrono::milliseconds;

SendResult failure(SendStatus status, std::string_view code, std::string_view request,
                   const std::string& cause) {
  SendResult result;
  result.status = status;
  result.error_code = std::string(code);
  result.message = std::string(request) + ": " + cause;
  return result;
}

std::string ms(std::chrono::microseconds d) {
  return std::to_string(std::chrono::duration_cast<milliseconds>(d).count()) + " ms";
}

// A read that failed: the request went out whole (a write error would have come first), so
// the app may have applied it. A failure that took the whole read timeout is a timeout; an
// earlier one means the connection closed or broke without an answer.
SendResult no_answer(const TransportFailure& f, std::string_view request) {
  // select() may wake a little early; 90% of the timeout counts as the timeout.
  bool timed_out = f.elapsed * 10 >= f.read_timeout * 9;
  if (timed_out) {
    return failure(SendStatus::in_doubt, "timeout", request,
                   "no answer from '" + f.origin + "' within " + ms(f.read_timeout));
  }
  return failure(
      SendStatus::in_doubt, "no_answer", request,
      "connection to '" + f.origin + "' closed or broke without an answer after " + ms(f.elapsed));
}

SendResult classify_error(const TransportFailure& f, std::string_view request) {
  using httplib::Error;
  switch (f.error) {
    case Error::Connection:
    case Error::BindIPAddress:
      return failure(
          SendStatus::transient, "connect_error", request,
          "cannot connect to '" + f.origin + "' (refused, unreachable or host name not resolved)");
    case Error::ConnectionTimeout:
      return failure(SendStatus::transient, "connect_error", request,
                     "connecting to '" + f.origin + "' timed out after " + ms(f.connect_timeout));
    case Error::SSLConnection:
      return failure(SendStatus::transient, "connect_error", request,
                     "TLS handshake with '" + f.origin + "' failed");
    case Error::SSLServerVerification:
      return failure(SendStatus::rejected, "tls_error", request,
                     "the certificate of '" + f.origin + "' is not trusted: " + f.tls_detail);
    case Error::SSLLoadingCerts:
      return failure(SendStatus::rejected, "tls_error", request,
                     "loading the CA certificates from " + f.ca_description + " failed");
    case Error::Write:
      // A request is framed by Content-Length: while its last byte has not been handed to the
      // kernel, no server can have a complete request to apply.
      return failure(SendStatus::transient, "write_error", request,
                     "sending to '" + f.origin + "' failed before the request was complete");
    case Error::Read:
      return no_answer(f, request);
    default:
      // Canceled, Compression, ExceedRedirectCount, ...: not produced with this client's
      // settings. Not knowing how far the request got, assume it may have been applied.
      return failure(SendStatus::in_doubt, "no_answer", request,
                     "request to '" + f.origin + "' failed: " + httplib::to_string(f.error));
  }
}

}  // namespace

SendResult classify_transport_failure(const TransportFailure& f, std::string_view request) {
  SendResult result = classify_error(f, request);
  result.latency = f.elapsed;
  if (f.idempotent && result.status == SendStatus::in_doubt) {
    result.status = SendStatus::transient;
  }
  return result;
}

}  // namespace kokola
