// Value checks for the configuration file that are more than a type: URLs, SQL names, HTTP
// tokens, currency codes. Private to the config loader. Pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kokola {

// Why `url` is not an acceptable kokola.base_url (http:// or https://, a host, an optional
// port, no credentials, no path other than "/", no query or fragment); nullopt when it is.
std::optional<std::string> check_base_url(std::string_view url);
std::string without_trailing_slash(std::string_view url);

// "kokola_items": letters, digits and '_', not starting with a digit. The ERP source quotes
// the name as one identifier, so a schema prefix ("erp.items") would name no table.
bool is_sql_name(std::string_view name);
// An HTTP token (RFC 9110), as header names and auth schemes are.
bool is_http_token(std::string_view text);
// Starts and ends with '/', no query, fragment or white space.
bool is_path_prefix(std::string_view path);
// Three upper-case ASCII letters (ISO 4217 shape).
bool is_currency_code(std::string_view code);
// A PO status as compared: surrounding spaces dropped, ASCII upper case.
std::string normalise_status(std::string_view status);

// The parameter names a libpq connection string sets, in either of its forms
// ("host=db1 dbname=erp" or "postgresql://user@db1:5432/erp?sslmode=require"); a password
// inside the user part of a URI counts as "password". Nullopt when the string cannot be read.
// The values are never returned: they may hold a password.
std::optional<std::vector<std::string>> conninfo_keys(std::string_view conninfo);

}  // namespace kokola
