// Readable failure messages for domain values in tests (GoogleTest finds PrintTo by ADL).
#pragma once

#include <ostream>

#include "domain/date.hpp"
#include "domain/decimal.hpp"

namespace kokola {

inline void PrintTo(const Decimal& d, std::ostream* os) {
  *os << d.to_string() << " (scale " << d.scale() << ")";
}

inline void PrintTo(const Date& d, std::ostream* os) { *os << d.to_string(); }

inline void PrintTo(const Timestamp& t, std::ostream* os) { *os << t.to_rfc3339(); }

}  // namespace kokola
