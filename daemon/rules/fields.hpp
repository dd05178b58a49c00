// Field readers for the row mapper: each turns one raw column value (optional bytes) into a
// typed value, or records a Problem with the field's path and returns nullopt. Text rules
// (docs/data-rules.md): strict UTF-8 first, then no control characters, then surrounding
// white space trimmed; an optional value that is empty after trimming is null. One FieldReader per
// record being mapped; not shared between threads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "domain/date.hpp"
#include "domain/decimal.hpp"
#include "domain/model.hpp"

namespace kokola {

class FieldReader {
 public:
  // Problems go to `problems`; timestamps without an offset are read in `zone` (when null,
  // in Asia/Jakarta, the documented default).
  FieldReader(Problems& problems, std::shared_ptr<const TimeZone> zone);

  void problem(std::string_view path, std::string message);

  // Checked and trimmed text; nullopt when NULL, blank, not valid UTF-8, or holding a
  // control character (tab, CR and LF included) inside.
  Text optional_text(const Text& raw, std::string_view path);
  // Free text (an address, notes): as optional_text, but tab, CR and LF are allowed inside.
  Text free_text(const Text& raw, std::string_view path);
  // As optional_text; NULL or blank is the problem "is required".
  Text required_text(const Text& raw, std::string_view path);
  // A key (code, number): required text, trimmed of CHAR padding as trim_key does.
  Text key(const Text& raw, std::string_view path);
  // An optional key (a PO line's item code): as key(), but NULL or blank is null.
  Text optional_key(const Text& raw, std::string_view path);

  // An exact decimal; NULL gives `fallback` when set, else the problem "is required".
  std::optional<Decimal> decimal(const Text& raw, std::string_view path,
                                 std::optional<Decimal> fallback = std::nullopt);
  std::optional<Date> date(const Text& raw, std::string_view path, bool required);
  std::optional<Timestamp> timestamp(const Text& raw, std::string_view path);
  // The active flag, as parse_active reads it; required.
  std::optional<bool> active(const Text& raw, std::string_view path);

 private:
  Text checked_text(const Text& raw, std::string_view path, bool allow_line_breaks);

  Problems& problems_;
  std::shared_ptr<const TimeZone> zone_;
};

}  // namespace kokola
