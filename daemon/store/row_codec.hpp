// How the state store spells values in its rows (docs/state-store.md): entities by their
// short name, outcomes by their wire name, JSON documents as compact text. Private to the
// store; pure functions; any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "domain/entity.hpp"
#include "kokola/outcome.hpp"

namespace kokola::store {

inline Entity read_entity(const std::string& text, const std::string& store_path) {
  if (auto e = parse_entity(text)) return *e;
  throw std::runtime_error("reading state store '" + store_path + "': unknown entity '" + text +
                           "'");
}

inline Outcome read_outcome(const std::string& text, const std::string& store_path) {
  if (auto o = parse_outcome(text)) return *o;
  throw std::runtime_error("reading state store '" + store_path + "': unknown job state '" + text +
                           "'");
}

// Invalid UTF-8 (legacy ERP text quoted in a verdict) is replaced, never thrown.
inline std::string write_json(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A document that no longer parses is kept as a string rather than lost.
inline nlohmann::json read_json(const std::string& text) {
  auto value = nlohmann::json::parse(text, nullptr, false);
  return value.is_discarded() ? nlohmann::json(text) : value;
}

}  // namespace kokola::store
