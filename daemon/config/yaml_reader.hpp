// A schema-checking reader over a parsed YAML tree, private to the config loader. yaml-cpp
// keeps duplicate keys silently, accepts "yes"/"on" as booleans, reads leading zeros as
// octal and says only "bad conversion" for a missing key; this reader checks every value
// itself and records each problem as "ORIGIN:LINE: key.path: message" (1-based line), so
// that one pass reports everything that is wrong with a file. Single-threaded, start-up only.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace kokola {

// Every problem found in one file, in the order found.
class ProblemList {
 public:
  explicit ProblemList(std::string origin) : origin_(std::move(origin)) {}

  void add(int line, std::string_view key_path, std::string_view message);
  const std::vector<std::string>& items() const { return items_; }
  bool empty() const { return items_.empty(); }

 private:
  std::string origin_;
  std::vector<std::string> items_;
};

// optional: may be absent or empty; non_empty: may be absent, not empty; required: present
// and not empty.
enum class Need { optional, non_empty, required };

// Reads one YAML map. Each typed read names a key, records it as known and leaves `out`
// untouched when the key is absent or its value is wrong (the problem is recorded).
// finish() then reports every key that no read asked for.
class MapReader {
 public:
  // `node` is the map found at `path` ("" for the document root), named at `line`.
  MapReader(const YAML::Node& node, std::string path, int line, ProblemList& problems);

  bool has(std::string_view key) const { return find(key) != nullptr; }
  // False when the value was not a map (already reported) or lies inside a missing section.
  bool usable() const { return usable_; }
  // The keys of an open-ended map (e.g. currency codes) in file order, without duplicates.
  std::vector<std::string> keys() const;

  void text(std::string_view key, std::string& out, Need need = Need::optional);
  void flag(std::string_view key, bool& out);
  void integer(std::string_view key, int& out, int min, int max);
  // A duration from `min` to `max`, both included.
  void duration(std::string_view key, std::chrono::milliseconds& out, std::chrono::milliseconds min,
                std::chrono::milliseconds max);
  void text_list(std::string_view key, std::vector<std::string>& out, Need need);
  // A nested map; absent or empty (`key:` alone) gives an empty reader.
  MapReader section(std::string_view key, Need need = Need::optional);

  // Records a problem with the value of `key` (at its line, or the map's when absent).
  void problem(std::string_view key, std::string_view message);
  std::string path_of(std::string_view key) const;
  int line_of(std::string_view key) const;

  // Reports the keys no read asked for, suggesting a known key when one is a typo away.
  void finish();

 private:
  struct Entry {
    std::string key;
    YAML::Node value;
    int line = 0;
  };

  const Entry* find(std::string_view key) const;
  // The scalar text of `key`, or nullptr with the problem recorded (absent: nothing said
  // unless required).
  const Entry* scalar(std::string_view key, Need need);
  void collect(const YAML::Node& node);

  std::string path_;
  int line_;
  ProblemList& problems_;
  bool usable_ = true;  // false when the value was not a map (already reported)
  std::vector<Entry> entries_;
  std::set<std::string, std::less<>> known_;
};

}  // namespace kokola
