#include "config/yaml_reader.hpp"

#include <algorithm>
#include <charconv>

#include "config/duration.hpp"

namespace kokola {
namespace {

std::string describe(const YAML::Node& value) {
  switch (value.Type()) {
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    default:
      return "'" + value.Scalar() + "'";
  }
}

int line_of_node(const YAML::Node& node, int fallback) {
  const int line = node.Mark().line;
  return line >= 0 ? line + 1 : fallback;
}

// Plain decimal only: an optional '-', then "0" or digits without a leading zero (YAML
// readers disagree on whether "010" is ten or eight).
std::optional<long long> parse_plain_integer(const std::string& text) {
  std::string_view digits = text;
  if (digits.starts_with('-')) digits.remove_prefix(1);
  if (digits.empty() || digits.size() > 15) return std::nullopt;
  if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;

  long long value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

// Levenshtein distance, small strings only (config keys).
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

void ProblemList::add(int line, std::string_view key_path, std::string_view message) {
  std::string text = origin_ + ":" + std::to_string(line) + ": ";
  if (!key_path.empty()) text += std::string(key_path) + ": ";
  items_.push_back(text + std::string(message));
}

MapReader::MapReader(const YAML::Node& node, std::string path, int line, ProblemList& problems)
    : path_(std::move(path)), line_(line), problems_(problems) {
  if (node.IsMap()) {
    collect(node);
  } else if (node.IsDefined() && !node.IsNull()) {
    usable_ = false;
  }
}

// yaml-cpp keeps every entry of a map, duplicates included, and a lookup silently picks one
// of them: walk the entries and refuse the repeats.
void MapReader::collect(const YAML::Node& node) {
  for (const auto& pair : node) {
    const int line = line_of_node(pair.first, line_);
    if (!pair.first.IsScalar()) {
      problems_.add(line, path_, "keys must be plain text");
      continue;
    }
    const std::string key = pair.first.Scalar();
    if (const Entry* first = find(key)) {
      problems_.add(line, path_of(key),
                    "duplicate key (first at line " + std::to_string(first->line) + ")");
      continue;
    }
    entries_.push_back(Entry{key, pair.second, line});
  }
}

const MapReader::Entry* MapReader::find(std::string_view key) const {
  for (const Entry& e : entries_) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

std::vector<std::string> MapReader::keys() const {
  std::vector<std::string> out;
  for (const Entry& e : entries_) out.push_back(e.key);
  return out;
}

std::string MapReader::path_of(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

int MapReader::line_of(std::string_view key) const {
  const Entry* e = find(key);
  return e ? e->line : line_;
}

void MapReader::problem(std::string_view key, std::string_view message) {
  problems_.add(line_of(key), path_of(key), message);
}

const MapReader::Entry* MapReader::scalar(std::string_view key, Need need) {
  known_.emplace(key);
  const Entry* e = find(key);
  if (!e) {
    if (need == Need::required && usable_) problem(key, "required key is missing");
    return nullptr;
  }
  if (!e->value.IsScalar() && !e->value.IsNull()) {
    problem(key, "expected a single value, got " + describe(e->value));
    return nullptr;
  }
  return e;
}

void MapReader::text(std::string_view key, std::string& out, Need need) {
  const Entry* e = scalar(key, need);
  if (!e) return;

  std::string value = e->value.IsNull() ? "" : e->value.Scalar();
  if (value.empty() && need != Need::optional) {
    problem(key, "must not be empty");
    return;
  }
  out = std::move(value);
}

void MapReader::flag(std::string_view key, bool& out) {
  const Entry* e = scalar(key, Need::optional);
  if (!e) return;

  const std::string value = e->value.IsNull() ? "" : e->value.Scalar();
  if (value == "true" || value == "false") {
    out = value == "true";
  } else {
    problem(key, "expected true or false, got " + describe(e->value));
  }
}

void MapReader::integer(std::string_view key, int& out, int min, int max) {
  const Entry* e = scalar(key, Need::optional);
  if (!e) return;

  const auto value = e->value.IsNull() ? std::nullopt : parse_plain_integer(e->value.Scalar());
  if (!value || *value < min || *value > max) {
    problem(key, "expected a whole number from " + std::to_string(min) + " to " +
                     std::to_string(max) + ", got " + describe(e->value));
    return;
  }
  out = static_cast<int>(*value);
}

void MapReader::duration(std::string_view key, std::chrono::milliseconds& out,
                         std::chrono::milliseconds min, std::chrono::milliseconds max) {
  const Entry* e = scalar(key, Need::optional);
  if (!e) return;

  const auto value = e->value.IsNull() ? std::nullopt : parse_duration(e->value.Scalar());
  if (!value) {
    problem(key,
            "expected a duration with a unit (500ms, 30s, 5m, 2h, 1d), got " + describe(e->value));
  } else if (*value < min) {
    problem(key, "must be at least " + format_duration(min));
  } else if (*value > max) {
    problem(key, "must be at most " + format_duration(max) + ", got " + describe(e->value));
  } else {
    out = *value;
  }
}

void MapReader::text_list(std::string_view key, std::vector<std::string>& out, Need need) {
  known_.emplace(key);
  const Entry* e = find(key);
  if (!e) {
    if (need == Need::required && usable_) problem(key, "required key is missing");
    return;
  }
  if (!e->value.IsSequence() && !e->value.IsNull()) {
    problem(key, "expected a list, got " + describe(e->value));
    return;
  }

  std::vector<std::string> values;
  bool ok = true;
  for (std::size_t i = 0; i < e->value.size(); ++i) {
    const YAML::Node item = e->value[i];
    const std::string item_path = path_of(key) + "[" + std::to_string(i) + "]";
    const int line = line_of_node(item, e->line);
    if (!item.IsScalar() || item.Scalar().empty()) {
      problems_.add(line, item_path, "expected a non-empty value, got " + describe(item));
      ok = false;
      continue;
    }
    values.push_back(item.Scalar());
  }

  if (ok && values.empty() && need != Need::optional) {
    problem(key, "must list at least one value");
    return;
  }
  if (ok) out = std::move(values);
}

MapReader MapReader::section(std::string_view key, Need need) {
  known_.emplace(key);
  const Entry* e = find(key);
  if (!e) {
    MapReader absent(YAML::Node(), path_of(key), line_, problems_);
    if (need == Need::required && usable_) problem(key, "required section is missing");
    // Inside a section already reported, required keys would only repeat the problem.
    if (need == Need::required || !usable_) absent.usable_ = false;
    return absent;
  }
  if (!e->value.IsMap() && !e->value.IsNull()) {
    problem(key, "expected a map, got " + describe(e->value));
  }
  return MapReader(e->value, path_of(key), e->line, problems_);
}

void MapReader::finish() {
  if (!usable_) return;
  for (const Entry& e : entries_) {
    if (known_.contains(e.key)) continue;

    std::string message = "unknown key";
    for (const std::string& candidate : known_) {
      if (edit_distance(e.key, candidate) <= 2 && candidate.size() > 2) {
        message += " (did you mean '" + candidate + "'?)";
        break;
      }
    }
    problems_.add(e.line, path_of(e.key), message);
  }
}

}  // namespace kokola
