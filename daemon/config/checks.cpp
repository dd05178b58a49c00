#include "config/checks.hpp"

#include <algorithm>
#include <charconv>

namespace kokola {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_host_char(char c) { return is_alpha(c) || is_digit(c) || c == '-' || c == '.'; }

bool is_port(std::string_view text) {
  int port = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  return ec == std::errc() && end == text.data() + text.size() && port >= 1 && port <= 65535 &&
         !text.starts_with('0');
}

bool is_ipv6_text(std::string_view host) {
  return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
    return is_digit(c) || c == ':' || c == '.' || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

// host[:port] or [v6][:port]; nullopt when acceptable.
std::optional<std::string> check_authority(std::string_view authority) {
  if (authority.empty()) return "has no host";
  // "127.0.0.1:@SANDBOX_PORT@": a template whose placeholder was never filled in.
  if (const auto at = authority.find('@'); at != std::string_view::npos) {
    const auto end = authority.find('@', at + 1);
    const std::string_view name =
        end + 1 != authority.size() ? "" : authority.substr(at + 1, end - at - 1);
    if (!name.empty() && std::all_of(name.begin(), name.end(),
                                     [](char c) { return (c >= 'A' && c <= 'Z') || c == '_'; })) {
      return "has a placeholder that was not filled in: @" + std::string(name) + "@";
    }
  }
  if (authority.find('@') != std::string_view::npos) {
    return "must not carry credentials (the token comes from kokola.token_file)";
  }

  std::string_view host = authority;
  std::optional<std::string_view> port;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return "has an unclosed IPv6 address";
    host = authority.substr(1, close - 1);
    const std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) return "has garbage after the IPv6 address";
    if (!rest.empty()) port = rest.substr(1);
    if (!is_ipv6_text(host)) return "has an invalid IPv6 address";
  } else {
    if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
    }
    if (host.empty() || !std::all_of(host.begin(), host.end(), is_host_char)) {
      return "has an invalid host";
    }
  }

  if (port && !is_port(*port)) return "has an invalid port";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> check_base_url(std::string_view url) {
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return "expected an http:// or https:// URL, got '" + std::string(url) + "'";
  }

  const std::string quoted = " ('" + std::string(url) + "')";
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return "must not carry a query or fragment" + quoted;
  }
  const auto slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos && rest.substr(slash) != "/") {
    return "must not carry a path; put it in kokola.paths" + quoted;
  }
  if (auto error = check_authority(authority)) return *error + quoted;
  return std::nullopt;
}

std::string without_trailing_slash(std::string_view url) {
  if (url.ends_with('/')) url.remove_suffix(1);
  return std::string(url);
}

bool is_sql_name(std::string_view name) {
  if (name.empty() || is_digit(name[0])) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return is_alpha(c) || is_digit(c) || c == '_'; });
}

bool is_http_token(std::string_view text) {
  constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
  return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
    return is_alpha(c) || is_digit(c) || kSpecials.find(c) != std::string_view::npos;
  });
}

bool is_path_prefix(std::string_view path) {
  if (path.empty() || !path.starts_with('/') || !path.ends_with('/')) return false;
  return std::none_of(path.begin(), path.end(), [](char c) {
    return c == '?' || c == '#' || static_cast<unsigned char>(c) <= ' ';
  });
}

bool is_currency_code(std::string_view code) {
  return code.size() == 3 &&
         std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::string normalise_status(std::string_view status) {
  const auto first = status.find_first_not_of(" \t");
  if (first == std::string_view::npos) return "";
  status = status.substr(first, status.find_last_not_of(" \t") - first + 1);

  std::string out(status);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The keys of "key = value key='quoted \' value'" (libpq's rules: a value is quoted with
// single quotes, a backslash escapes the next character in either form).
std::optional<std::vector<std::string>> keyword_keys(std::string_view text) {
  std::vector<std::string> keys;
  size_t i = 0;
  const auto skip_spaces = [&] {
    while (i < text.size() && is_space(text[i])) ++i;
  };
  for (skip_spaces(); i < text.size(); skip_spaces()) {
    const size_t start = i;
    while (i < text.size() && text[i] != '=' && !is_space(text[i])) ++i;
    if (i == start) return std::nullopt;
    keys.emplace_back(text.substr(start, i - start));
    skip_spaces();
    if (i == text.size() || text[i] != '=') return std::nullopt;
    ++i;
    skip_spaces();

    const bool quoted = i < text.size() && text[i] == '\'';
    if (quoted) ++i;
    for (; i < text.size(); ++i) {
      if (text[i] == '\\') {
        ++i;
      } else if (quoted ? text[i] == '\'' : is_space(text[i])) {
        break;
      }
    }
    if (quoted && i >= text.size()) return std::nullopt;  // unterminated quote
    if (quoted) ++i;
  }
  return keys;
}

// The keys of "postgresql://[user[:password]@][host][:port][/dbname][?key=value&...]"
// (percent-encoded keys are not decoded: libpq's own names need no encoding).
std::vector<std::string> uri_keys(std::string_view rest) {
  std::vector<std::string> keys;
  const size_t query = rest.find('?');
  const std::string_view head = rest.substr(0, query);
  const std::string_view authority = head.substr(0, head.find('/'));

  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    keys.emplace_back("user");
    if (authority.substr(0, at).find(':') != std::string_view::npos) keys.emplace_back("password");
  }
  if (!authority.substr(at == std::string_view::npos ? 0 : at + 1).empty()) {
    keys.emplace_back("host");
  }
  if (head.size() > authority.size() + 1) keys.emplace_back("dbname");

  if (query == std::string_view::npos) return keys;
  std::string_view params = rest.substr(query + 1);
  while (!params.empty()) {
    const size_t amp = params.find('&');
    const std::string_view pair = params.substr(0, amp);
    if (!pair.empty()) keys.emplace_back(pair.substr(0, pair.find('=')));
    if (amp == std::string_view::npos) break;
    params.remove_prefix(amp + 1);
  }
  return keys;
}

}  // namespace

std::optional<std::vector<std::string>> conninfo_keys(std::string_view conninfo) {
  for (const std::string_view scheme : {"postgresql://", "postgres://"}) {
    if (conninfo.starts_with(scheme)) return uri_keys(conninfo.substr(scheme.size()));
  }
  return keyword_keys(conninfo);
}

}  // namespace kokola
