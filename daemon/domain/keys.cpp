#include "domain/keys.hpp"

#include <algorithm>

namespace kokola {
namespace {

bool is_padding(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

std::string trim_key(std::string_view raw) {
  size_t begin = 0;
  size_t end = raw.size();
  while (begin < end && is_padding(raw[begin])) ++begin;
  while (end > begin && is_padding(raw[end - 1])) --end;
  return std::string(raw.substr(begin, end - begin));
}

std::string fold_key(std::string_view raw) {
  std::string folded = trim_key(raw);
  for (char& c : folded) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return folded;
}

void KeyIndex::add(std::string_view raw_key) {
  std::vector<std::string>& group = by_fold_[fold_key(raw_key)];
  if (std::find(group.begin(), group.end(), raw_key) == group.end()) {
    group.emplace_back(raw_key);
  }
}

std::vector<std::string> KeyIndex::collisions(std::string_view key) const {
  auto group = by_fold_.find(fold_key(key));
  if (group == by_fold_.end()) return {};

  // Spellings equal to `key` after trimming are the same key (CHAR padding), not a collision.
  std::string trimmed = trim_key(key);
  std::vector<std::string> others;
  for (const std::string& spelling : group->second) {
    if (trim_key(spelling) != trimmed) others.push_back(spelling);
  }
  return others;
}

}  // namespace kokola
