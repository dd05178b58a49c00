// In-memory stand-ins for the ERP and the Kokola App, so that the pipeline's stages and the
// senders can be tested without SQLite views or HTTP. Single-threaded test use only (the
// senders' drain() runs on the test's thread).
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "domain/keys.hpp"
#include "erp/source.hpp"
#include "kokola/client.hpp"

namespace kokola::testing {

class FakeErp : public ErpSource {
 public:
  std::map<std::string, VendorRow> vendors;
  std::map<std::string, ItemRow> items;
  std::map<std::string, PoRow> pos;
  // A scan throws ErpError after this many rows (the connection to the ERP lost); -1: never.
  int scan_fails_after = -1;

  std::optional<VendorRow> load_vendor(std::string_view key) override { return find(vendors, key); }
  std::optional<ItemRow> load_item(std::string_view key) override { return find(items, key); }
  std::optional<PoRow> load_purchase_order(std::string_view key) override { return find(pos, key); }
  std::vector<std::string> keys(Entity e) override {
    switch (e) {
      case Entity::vendor:
        return keys_of(vendors);
      case Entity::item:
        return keys_of(items);
      case Entity::purchase_order:
        return keys_of(pos);
    }
    return {};
  }
  void scan_vendors(const std::function<bool(VendorRow&&)>& visit) override {
    scan(vendors, visit, scan_fails_after);
  }
  void scan_items(const std::function<bool(ItemRow&&)>& visit) override {
    scan(items, visit, scan_fails_after);
  }
  void scan_purchase_orders(const std::function<bool(PoRow&&)>& visit) override {
    scan(pos, visit, scan_fails_after);
  }
  std::vector<ListEntry> list(Entity, const ListQuery&) override { return {}; }
  std::vector<std::string> check_schema() override { return {}; }

 private:
  template <typename Row>
  static std::optional<Row> find(const std::map<std::string, Row>& rows, std::string_view key) {
    for (const auto& [k, row] : rows) {
      if (trim_key(k) == trim_key(key)) return row;
    }
    return std::nullopt;
  }
  template <typename Row>
  static std::vector<std::string> keys_of(const std::map<std::string, Row>& rows) {
    std::vector<std::string> out;
    for (const auto& [k, row] : rows) out.push_back(k);
    return out;
  }
  template <typename Row>
  static void scan(const std::map<std::string, Row>& rows, const std::function<bool(Row&&)>& visit,
                   int fails_after) {
    int read = 0;
    for (const auto& [k, row] : rows) {
      if (read++ == fails_after) throw ErpError("reading the ERP: connection lost");
      Row copy = row;
      if (!visit(std::move(copy))) return;
    }
  }
};

// A request that may have reached the app without an answer (in doubt).
inline SendResult no_answer(const std::string& message = "no answer within 5 s") {
  SendResult silent;
  silent.status = SendStatus::in_doubt;
  silent.error_code = "no_answer";
  silent.message = message;
  return silent;
}

// Answers PUTs from a queue of scripted results (delivered with a fresh app id when the
// queue is empty) and GETs with `fetch_answer`, and remembers every request.
class FakeApp : public KokolaTransport {
 public:
  std::vector<PutRequest> puts;
  std::deque<SendResult> scripted;
  FetchResult fetch_answer;
  int gets = 0;
  std::function<void()> on_get;  // called as each GET arrives

  SendResult put(const PutRequest& req) override {
    puts.push_back(req);
    if (!scripted.empty()) {
      SendResult r = scripted.front();
      scripted.pop_front();
      return r;
    }
    SendResult r;
    r.status = SendStatus::delivered;
    r.http_status = 201;
    r.app_id = "app-" + std::to_string(puts.size());
    return r;
  }

  FetchResult get(Entity, const std::string&, const std::string&) override {
    ++gets;
    if (on_get) on_get();
    return fetch_answer;
  }
};

}  // namespace kokola::testing
