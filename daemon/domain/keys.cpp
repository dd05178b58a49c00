#include "domain/keys.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>

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

KeyIndex::KeyIndex(const std::vector<std::string>& raw_keys) {
  // Keys ordered by a hash of their folded form bring the candidates together without a
  // second copy of every key; only equal hashes are compared in full.
  std::vector<std::pair<std::size_t, std::uint32_t>> hashed;
  hashed.reserve(raw_keys.size());
  for (std::uint32_t i = 0; i < raw_keys.size(); ++i) {
    hashed.emplace_back(std::hash<std::string>{}(fold_key(raw_keys[i])), i);
  }
  std::sort(hashed.begin(), hashed.end());

  for (size_t begin = 0; begin < hashed.size();) {
    size_t end = begin + 1;
    while (end < hashed.size() && hashed[end].first == hashed[begin].first) ++end;
    for (size_t i = begin; end - begin > 1 && i < end; ++i) {
      const std::string& raw = raw_keys[hashed[i].second];
      std::vector<std::string>& group = by_fold_[fold_key(raw)];
      if (std::find(group.begin(), group.end(), raw) == group.end()) group.push_back(raw);
    }
    begin = end;
  }
  // A fold met under one spelling only (the same key twice, or a hash shared by chance)
  // collides with nothing.
  std::erase_if(by_fold_, [](const auto& group) { return group.second.size() < 2; });
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
