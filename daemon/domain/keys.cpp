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

std::vector<std::string> KeyIndex::collisions(std::string_view stored_key) const {
  auto group = by_fold_.find(fold_key(stored_key));
  if (group == by_fold_.end()) return {};

  // Every other stored spelling is another row that would become the same record at the
  // app, padding included: 'V-0042' and 'V-0042   ' in a VARCHAR column are two rows.
  std::vector<std::string> others;
  for (const std::string& spelling : group->second) {
    if (spelling != stored_key) others.push_back(spelling);
  }
  return others;
}

}  // namespace kokola
