#include "routes.hpp"

#include <cstdio>
#include <exception>
#include <string>

#include "connection.hpp"

namespace sandbox {
namespace {

using nlohmann::json;

constexpr const char* kJson = "application/json";
constexpr const char* kDroppedMarker = "X-Sandbox-Dropped";

std::optional<std::string> header(const httplib::Request& req, const char* name) {
  if (!req.has_header(name)) return std::nullopt;
  return req.get_header_value(name);
}

ApiRequest to_api_request(const httplib::Request& req) {
  return {req.method,
          req.target,
          req.body,
          header(req, "Content-Type"),
          header(req, "Authorization"),
          header(req, "Idempotency-Key"),
          header(req, "X-Request-Id")};
}

void send(httplib::Response& res, const Answer& answer) {
  res.status = answer.status;
  for (const auto& [name, value] : answer.headers) res.set_header(name, value);
  res.set_content(answer.body, kJson);
}

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), kJson);
}

std::string code_for_status(int status) {
  switch (status) {
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 413:
      return "payload_too_large";
    case 414:
      return "uri_too_long";
    case 415:
      return "unsupported_media_type";
    default:
      return status >= 500 ? "internal_error" : "bad_request";
  }
}

void handle_faults(const httplib::Request& req, httplib::Response& res, FaultTable& faults) {
  if (req.method == "GET") return send_json(res, 200, faults.to_json());

  const json body = json::parse(req.body, nullptr, false);
  std::string error;
  auto rules = body.is_discarded() ? std::nullopt : parse_fault_rules(body, error);
  if (!rules) {
    if (error.empty()) error = "the body is not valid JSON";
    return send(res, error_answer(400, "invalid_fault_rules", "reading fault rules: " + error));
  }
  faults.replace(std::move(*rules));
  send_json(res, 200, faults.to_json());
}

// GET /_sandbox/dump, GET|POST /_sandbox/faults, POST /_sandbox/reset: no token.
void handle_admin(const httplib::Request& req, httplib::Response& res, const Route& route, Api& api,
                  FaultTable& faults) {
  const bool get = req.method == "GET" || req.method == "HEAD";
  const bool post = req.method == "POST";
  if (route.admin == "dump" && get) return send_json(res, 200, api.dump());
  if (route.admin == "faults" && (get || post)) return handle_faults(req, res, faults);
  if (route.admin == "reset" && post) {
    api.reset();
    return send_json(res, 200, {{"reset", true}});
  }
  const bool known = route.admin == "dump" || route.admin == "faults" || route.admin == "reset";
  send(res, known ? error_answer(405, "method_not_allowed", "method not allowed on this path")
                  : error_answer(404, "not_found", "no such path: " + req.target));
}

void dispatch(const httplib::Request& req, httplib::Response& res, Api& api, FaultTable& faults) {
  try {
    const Route route = route_target(req.target);
    if (route.kind == Route::Kind::admin) return handle_admin(req, res, route, api, faults);

    const Answer answer = api.handle(to_api_request(req));
    if (answer.drop_connection && drop_connection(req)) {
      // Never sent (the socket is shut down); tells the request log line what happened.
      res.set_header(kDroppedMarker, "1");
      return;
    }
    send(res, answer);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "handling '%s': %s\n", req.target.c_str(), e.what());
    send(res, error_answer(500, "internal_error", "the sandbox failed to handle the request"));
  }
}

// Errors produced by the library itself arrive here with an empty body; answers from the
// handlers already carry theirs.
httplib::Server::HandlerResponse on_error(const httplib::Request& req, httplib::Response& res,
                                          Api& api) {
  if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
  const Route route = route_target(req.target);
  std::string code = code_for_status(res.status);
  std::string message = code == "payload_too_large"
                            ? "the body is larger than the limit of 8 MiB"
                            : "the request could not be read (" + code + ")";
  if (res.status == 400 && route.kind == Route::Kind::bad_key) {
    code = "invalid_key";
    message = "invalid key in path: " + route.error;
  }
  send(res, error_answer(res.status, code, message));
  try {
    api.log_unhandled(to_api_request(req), res.status, code);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "logging '%s': %s\n", req.target.c_str(), e.what());
  }
  return httplib::Server::HandlerResponse::Handled;
}

}  // namespace

void install_routes(httplib::Server& server, Api& api, FaultTable& faults, bool quiet) {
  const auto handler = [&api, &faults](const httplib::Request& req, httplib::Response& res) {
    dispatch(req, res, api, faults);
  };
  // Every method reaches dispatch(), which answers 405 where a method does not apply.
  const httplib::Server::Handler any = handler;
  server.Get(".*", any);
  server.Post(".*", any);
  server.Put(".*", any);
  server.Patch(".*", any);
  server.Delete(".*", any);
  server.Options(".*", any);

  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [&api](const httplib::Request& req, httplib::Response& res) {
        return on_error(req, res, api);
      }));
  server.set_post_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    if (req.has_header("X-Request-Id")) {
      res.set_header("X-Request-Id", req.get_header_value("X-Request-Id"));
    }
  });
  if (quiet) return;
  // One line per request; the Authorization header is never written.
  server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    const std::string id =
        req.has_header("X-Request-Id") ? req.get_header_value("X-Request-Id") : "-";
    const std::string status =
        res.has_header(kDroppedMarker) ? "closed" : std::to_string(res.status);
    std::fprintf(stderr, "%s %s %s %s\n", req.method.c_str(), req.target.c_str(), status.c_str(),
                 id.c_str());
  });
}

}  // namespace sandbox
