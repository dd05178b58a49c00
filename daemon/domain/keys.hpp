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

// Groups the keys of one entity by folded form; a key whose group holds another stored
// spelling collides with it. Built once per run (or per manual push) from the ERP's keys.
class KeyIndex {
 public:
  void add(std::string_view raw_key);
  // The other stored spellings (as read, untrimmed) that collide with `stored_key`, which is
  // a key exactly as stored; empty when none.
  std::vector<std::string> collisions(std::string_view stored_key) const;

 private:
  std::map<std::string, std::vector<std::string>> by_fold_;
};

}  // namespace kokola
