// Words for messages people read.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kokola {

// "1 record", "3 records": `noun` is singular and takes an "s" in the plural.
inline std::string count_of(std::int64_t n, std::string_view noun) {
  return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

}  // namespace kokola
