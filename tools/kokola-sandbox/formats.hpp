// The value formats of the Kokola API contract (docs/kokola-api.md, "Formats"): decimal
// strings, calendar dates, RFC 3339 timestamps with offset, tax ids, currency codes.
// Pure functions; any thread.
#pragma once

#include <string_view>

namespace sandbox {

// Exactly ^-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$ : plain notation, no trailing zeros.
bool is_decimal(std::string_view text);
// A decimal as above that is greater than zero.
bool is_positive_decimal(std::string_view text);
// "YYYY-MM-DD", a date that exists (leap years included), year 0001-9999.
bool is_date(std::string_view text);
// "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)", every part in range.
bool is_timestamp(std::string_view text);
// 15 or 16 ASCII digits.
bool is_tax_id(std::string_view text);
// Three upper-case ASCII letters.
bool is_currency(std::string_view text);

}  // namespace sandbox
