#include "validate.hpp"

#include <cstdint>
#include <set>
#include <string_view>
#include <utility>

#include "formats.hpp"

namespace sandbox {
namespace {

using nlohmann::json;

enum class Kind {
  text,               // string, non-empty
  any_text,           // string, may be empty
  text_or_null,       // string (may be empty) or null
  reference_or_null,  // string, non-empty, or null
  boolean,
  timestamp_or_null,
  date,
  date_or_null,
  decimal,
  positive_decimal,
  currency,
  tax_id,
  revision,        // integer >= 1
  schema_version,  // the integer 1
  line_no,         // integer >= 1
  lines,           // array of at least one line object
};

using Schema = std::vector<std::pair<std::string_view, Kind>>;

const Schema kVendor{
    {"code", Kind::text},
    {"name", Kind::text},
    {"tax_id", Kind::tax_id},
    {"address", Kind::text_or_null},
    {"city", Kind::text_or_null},
    {"phone", Kind::text_or_null},
    {"email", Kind::text_or_null},
    {"active", Kind::boolean},
    {"updated_at", Kind::timestamp_or_null},
    {"schema_version", Kind::schema_version},
    {"revision", Kind::revision},
};

const Schema kItem{
    {"code", Kind::text},
    {"name", Kind::text},
    {"uom", Kind::text},
    {"category", Kind::text_or_null},
    {"barcode", Kind::text_or_null},
    {"active", Kind::boolean},
    {"updated_at", Kind::timestamp_or_null},
    {"schema_version", Kind::schema_version},
    {"revision", Kind::revision},
};

const Schema kPurchaseOrder{
    {"number", Kind::text},
    {"vendor_code", Kind::text},
    {"order_date", Kind::date},
    {"delivery_date", Kind::date_or_null},
    {"currency", Kind::currency},
    {"status", Kind::text},
    {"total", Kind::decimal},
    {"notes", Kind::text_or_null},
    {"updated_at", Kind::timestamp_or_null},
    {"schema_version", Kind::schema_version},
    {"revision", Kind::revision},
    {"lines", Kind::lines},
};

const Schema kLine{
    {"line_no", Kind::line_no},
    {"item_code", Kind::reference_or_null},
    {"description", Kind::text_or_null},
    {"qty", Kind::positive_decimal},
    {"uom", Kind::any_text},
    {"unit_price", Kind::decimal},
    {"discount", Kind::decimal},
    {"tax_rate", Kind::decimal},
    {"net", Kind::decimal},
    {"tax", Kind::decimal},
    {"total", Kind::decimal},
};

std::string join(const std::string& prefix, std::string_view name) {
  return prefix.empty() ? std::string(name) : prefix + "." + std::string(name);
}

bool is_string(const json& v, bool allow_empty) {
  return v.is_string() && (allow_empty || !v.get_ref<const std::string&>().empty());
}

bool string_with(const json& v, bool (*format)(std::string_view)) {
  return v.is_string() && format(v.get_ref<const std::string&>());
}

// Integers outside the signed 64-bit range are refused: the app stores revisions as such.
bool integer_at_least(const json& v, std::int64_t minimum) {
  if (v.is_number_unsigned()) {
    const auto value = v.get<std::uint64_t>();
    return value >= static_cast<std::uint64_t>(minimum) && value <= INT64_MAX;
  }
  return v.is_number_integer() && v.get<std::int64_t>() >= minimum;
}

// The message for a value of the wrong kind; empty when the value is right.
std::string check_scalar(Kind kind, const json& v) {
  switch (kind) {
    case Kind::text:
      return is_string(v, false) ? "" : "must be a non-empty string";
    case Kind::any_text:
      return is_string(v, true) ? "" : "must be a string";
    case Kind::text_or_null:
      return v.is_null() || is_string(v, true) ? "" : "must be a string or null";
    case Kind::reference_or_null:
      return v.is_null() || is_string(v, false) ? "" : "must be a non-empty string or null";
    case Kind::boolean:
      return v.is_boolean() ? "" : "must be a boolean";
    case Kind::timestamp_or_null:
      return v.is_null() || string_with(v, is_timestamp)
                 ? ""
                 : "must be an RFC 3339 timestamp with offset or null";
    case Kind::date:
      return string_with(v, is_date) ? "" : "must be a date that exists, as YYYY-MM-DD";
    case Kind::date_or_null:
      return v.is_null() || string_with(v, is_date)
                 ? ""
                 : "must be a date that exists, as YYYY-MM-DD, or null";
    case Kind::decimal:
      return string_with(v, is_decimal) ? "" : "must be a decimal string such as \"1250.5\"";
    case Kind::positive_decimal:
      return string_with(v, is_positive_decimal) ? ""
                                                 : "must be a decimal string greater than zero";
    case Kind::currency:
      return string_with(v, is_currency) ? "" : "must be three upper-case letters";
    case Kind::tax_id:
      return string_with(v, is_tax_id) ? "" : "must be a string of 15 or 16 digits";
    case Kind::revision:
    case Kind::line_no:
      return integer_at_least(v, 1) ? "" : "must be an integer >= 1";
    case Kind::schema_version:
      return v.is_number_integer() && v.get<std::int64_t>() == 1 ? "" : "must be 1";
    case Kind::lines:
      return "";
  }
  return "";
}

class Validator {
 public:
  FieldErrors take() { return std::move(errors_); }

  void object(const json& value, const Schema& schema, const std::string& path) {
    if (!value.is_object()) {
      add(path, "must be an object");
      return;
    }
    for (const auto& [name, member] : value.items()) {
      if (!has(schema, name)) add(join(path, name), "is not a known property");
    }
    for (const auto& [name, kind] : schema) {
      const auto found = value.find(name);
      if (found == value.end()) {
        add(join(path, name), "is required");
      } else if (kind == Kind::lines) {
        lines(*found, join(path, name));
      } else if (auto message = check_scalar(kind, *found); !message.empty()) {
        add(join(path, name), message);
      }
    }
  }

 private:
  static bool has(const Schema& schema, std::string_view name) {
    for (const auto& field : schema) {
      if (field.first == name) return true;
    }
    return false;
  }

  void add(std::string path, std::string message) {
    errors_.push_back({std::move(path), std::move(message)});
  }

  void lines(const json& value, const std::string& path) {
    if (!value.is_array() || value.empty()) {
      add(path, "must be an array of at least one line");
      return;
    }
    std::set<std::int64_t> seen;
    for (std::size_t i = 0; i < value.size(); ++i) {
      const std::string line_path = path + "[" + std::to_string(i) + "]";
      object(value[i], kLine, line_path);
      if (value[i].is_object()) line_rules(value[i], line_path, seen);
    }
  }

  void line_rules(const json& line, const std::string& path, std::set<std::int64_t>& seen) {
    const auto number = line.find("line_no");
    if (number != line.end() && number->is_number_integer() &&
        !seen.insert(number->get<std::int64_t>()).second) {
      add(path + ".line_no", "duplicates the line_no of an earlier line");
    }
    const auto item = line.find("item_code");
    const auto text = line.find("description");
    const bool has_item = item != line.end() && is_string(*item, false);
    const bool has_text = text != line.end() && is_string(*text, false);
    if (!has_item && !has_text) {
      add(path + ".description", "a line needs an item_code or a non-empty description");
    }
  }

  FieldErrors errors_;
};

const Schema& schema_of(Entity entity) {
  switch (entity) {
    case Entity::vendor:
      return kVendor;
    case Entity::item:
      return kItem;
    case Entity::po:
      return kPurchaseOrder;
  }
  return kVendor;
}

}  // namespace

FieldErrors validate_body(Entity entity, const nlohmann::json& body) {
  Validator validator;
  validator.object(body, schema_of(entity), "");
  return validator.take();
}

}  // namespace sandbox
