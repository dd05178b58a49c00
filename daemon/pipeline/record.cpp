#include "pipeline/record.hpp"

#include "rules/mapper.hpp"

namespace kokola {

namespace {

template <typename... Fs>
struct Overload : Fs... {
  using Fs::operator()...;
};
template <typename... Fs>
Overload(Fs...) -> Overload<Fs...>;

template <typename Record>
MappedRecord wrap(Mapped<Record>&& m) {
  MappedRecord out;
  out.problems = std::move(m.problems);
  if (m.record && out.problems.empty()) out.record = std::move(*m.record);
  return out;
}

}  // namespace

Entity entity_of(const AnyRow& row) {
  return std::visit(Overload{[](const VendorRow&) { return Entity::vendor; },
                             [](const ItemRow&) { return Entity::item; },
                             [](const PoRow&) { return Entity::purchase_order; }},
                    row);
}

std::string raw_key(const AnyRow& row) {
  const Text& key = std::visit(Overload{[](const VendorRow& r) -> const Text& { return r.code; },
                                        [](const ItemRow& r) -> const Text& { return r.code; },
                                        [](const PoRow& r) -> const Text& { return r.number; }},
                               row);
  return key.value_or("");
}

std::string_view key_field(Entity e) { return e == Entity::purchase_order ? "number" : "code"; }

std::optional<AnyRow> load_row(ErpSource& source, Entity e, std::string_view key) {
  switch (e) {
    case Entity::vendor:
      if (auto r = source.load_vendor(key)) return AnyRow(std::move(*r));
      return std::nullopt;
    case Entity::item:
      if (auto r = source.load_item(key)) return AnyRow(std::move(*r));
      return std::nullopt;
    case Entity::purchase_order:
      if (auto r = source.load_purchase_order(key)) return AnyRow(std::move(*r));
      return std::nullopt;
  }
  return std::nullopt;
}

ReadinessVerdict readiness_of(const AnyRow& row, const RulesConfig& rules, bool delivered_before) {
  return std::visit(
      Overload{[&](const VendorRow& r) { return vendor_readiness(r, delivered_before); },
               [&](const ItemRow& r) { return item_readiness(r, delivered_before); },
               [&](const PoRow& r) { return po_readiness(r, rules, delivered_before); }},
      row);
}

MappedRecord map_row(const AnyRow& row, const RulesConfig& rules) {
  return std::visit(Overload{[&](const VendorRow& r) { return wrap(map_vendor(r, rules)); },
                             [&](const ItemRow& r) { return wrap(map_item(r, rules)); },
                             [&](const PoRow& r) { return wrap(map_purchase_order(r, rules)); }},
                    row);
}

Payload payload_of(const AnyRecord& record) {
  return std::visit(Overload{[](const Vendor& v) { return vendor_payload(v); },
                             [](const Item& i) { return item_payload(i); },
                             [](const PurchaseOrder& p) { return purchase_order_payload(p); }},
                    record);
}

}  // namespace kokola
