// Record keys (vendor code, item code, PO number): trimming of CHAR padding, the collision
// rule (equal after trimming and case folding), and percent-encoding for URLs.
// Pure functions and a value type; any thread.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace kokola {

// Removes surrounding ASCII spaces, tabs, CR and LF (CHAR(n) padding and stray whitespace).
std::string trim_key(std::string_view raw);
// The form two keys are compared in for collisions: trimmed, then case-folded.
// TODO: folds ASCII letters only; keys differing only in the case of non-ASCII letters are
// not detected as colliding. Full Unicode case folding needs ICU, which the daemon does not
// link yet.
std::string fold_key(std::string_view raw);

// The keys of one entity that collide: groups of stored spellings equal in folded form. A
// key outside every group collides with nothing. Built once per run (or per manual push)
// from every key of the ERP, it keeps only the groups: a million keys cost about 16 bytes
// each while it is built, and nothing after.
class KeyIndex {
 public:
  KeyIndex() = default;
  explicit KeyIndex(const std::vector<std::string>& raw_keys);
  // The other stored spellings (as read, untrimmed) that collide with `stored_key`, which is
  // a key exactly as stored; empty when none.
  std::vector<std::string> collisions(std::string_view stored_key) const;

 private:
  std::map<std::string, std::vector<std::string>> by_fold_;  // groups of 2 spellings or more
};

}  // namespace kokola
