// What a request that got no HTTP answer means for the pipeline (docs/http-client.md,
// "No answer"): cpp-httplib's error kinds sorted by whether the request can have reached the
// app. Nothing reached it: transient (or rejected for TLS trust problems, which a retry cannot
// mend). It may have: in doubt. Pure functions; any thread.
#pragma once

#include <httplib.h>

#include <chrono>
#include <string>
#include <string_view>

#include "kokola/client.hpp"

namespace kokola {

struct TransportFailure {
  httplib::Error error = httplib::Error::Unknown;
  std::chrono::microseconds elapsed{0};  // from the start of the request to the failure
  std::chrono::milliseconds connect_timeout{0};
  std::chrono::milliseconds read_timeout{0};
  std::string origin;          // "https://kokola.example.com:443"
  std::string tls_detail;      // OpenSSL's verify result text, for SSLServerVerification
  std::string ca_description;  // "'/etc/ssl/certs/ca-certificates.crt'", for SSLLoadingCerts
  bool idempotent = false;     // a GET: nothing it does can leave a doubt
};

// `request` names the request in the message ("PUT /v1/items/A%2F1").
SendResult classify_transport_failure(const TransportFailure& failure, std::string_view request);

}  // namespace kokola
