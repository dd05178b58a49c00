#include "rules/readiness.hpp"

#include <gtest/gtest.h>

namespace kokola {
namespace {

PoRow po_with_status(Text status) {
  PoRow row;
  row.number = "PO-1";
  row.status = std::move(status);
  return row;
}

VendorRow vendor_with_active(Text active) {
  VendorRow row;
  row.code = "V-0042";
  row.active = std::move(active);
  return row;
}

TEST(ParseActive, RecognisesCommonSpellings) {
  for (std::string_view yes : {"1", "true", "TRUE", "t", "Y", "yes", " Yes "}) {
    EXPECT_EQ(parse_active(yes), true) << yes;
  }
  for (std::string_view no : {"0", "false", "F", "n", "NO", "0 "}) {
    EXPECT_EQ(parse_active(no), false) << no;
  }
  EXPECT_EQ(parse_active("maybe"), std::nullopt);
  EXPECT_EQ(parse_active(""), std::nullopt);
  EXPECT_EQ(parse_active("2"), std::nullopt);
}

TEST(PoReadiness, ReadyStatusIsReady) {
  ReadinessVerdict v = po_readiness(po_with_status("approved "), RulesConfig{}, false);
  EXPECT_EQ(v.readiness, Readiness::ready);
  EXPECT_TRUE(v.sendable());
}

TEST(PoReadiness, DraftIsNotReadyAndSaysWhy) {
  ReadinessVerdict v = po_readiness(po_with_status("DRAFT"), RulesConfig{}, true);
  EXPECT_EQ(v.readiness, Readiness::not_ready);
  EXPECT_FALSE(v.sendable());
  EXPECT_EQ(v.reason, "status 'DRAFT' is not one of the ready statuses (APPROVED)");
}

TEST(PoReadiness, ListsEveryConfiguredReadyStatus) {
  RulesConfig rules;
  rules.ready_statuses = {"APPROVED", "RELEASED"};
  EXPECT_EQ(po_readiness(po_with_status("DRAFT"), rules, false).reason,
            "status 'DRAFT' is not one of the ready statuses (APPROVED, RELEASED)");
  EXPECT_EQ(po_readiness(po_with_status("released"), rules, false).readiness, Readiness::ready);
}

TEST(PoReadiness, CancelledAfterDeliveryIsRetired) {
  ReadinessVerdict v = po_readiness(po_with_status("CANCELLED"), RulesConfig{}, true);
  EXPECT_EQ(v.readiness, Readiness::retired);
  EXPECT_TRUE(v.sendable());
  EXPECT_EQ(v.reason, "status 'CANCELLED': retired after delivery");
  EXPECT_EQ(po_readiness(po_with_status("closed"), RulesConfig{}, true).readiness,
            Readiness::retired);
}

TEST(PoReadiness, CancelledNeverDeliveredIsNotReady) {
  ReadinessVerdict v = po_readiness(po_with_status("CANCELLED"), RulesConfig{}, false);
  EXPECT_EQ(v.readiness, Readiness::not_ready);
  EXPECT_EQ(v.reason, "status 'CANCELLED': never delivered, nothing to retire");
}

TEST(PoReadiness, MissingStatusIsNotReady) {
  EXPECT_EQ(po_readiness(po_with_status(std::nullopt), RulesConfig{}, true).reason,
            "status is missing");
  EXPECT_EQ(po_readiness(po_with_status("   "), RulesConfig{}, true).reason, "status is missing");
}

TEST(VendorReadiness, ActiveIsReady) {
  EXPECT_EQ(vendor_readiness(vendor_with_active("1"), false).readiness, Readiness::ready);
}

TEST(VendorReadiness, InactiveAfterDeliveryIsRetired) {
  ReadinessVerdict v = vendor_readiness(vendor_with_active("0"), true);
  EXPECT_EQ(v.readiness, Readiness::retired);
  EXPECT_EQ(v.reason, "inactive: retired after delivery");
}

TEST(VendorReadiness, InactiveNeverDeliveredIsNotReady) {
  ReadinessVerdict v = vendor_readiness(vendor_with_active("N"), false);
  EXPECT_EQ(v.readiness, Readiness::not_ready);
  EXPECT_EQ(v.reason, "inactive");
}

TEST(VendorReadiness, MissingOrUnrecognisedFlagIsNotReady) {
  EXPECT_EQ(vendor_readiness(vendor_with_active(std::nullopt), true).reason, "active is missing");
  ReadinessVerdict v = vendor_readiness(vendor_with_active("maybe"), true);
  EXPECT_EQ(v.readiness, Readiness::not_ready);
  EXPECT_EQ(v.reason,
            "active value 'maybe' is not recognised (expected 1/0, true/false, t/f, y/n or "
            "yes/no)");
}

TEST(ItemReadiness, FollowsTheActiveFlag) {
  ItemRow row;
  row.active = "true";
  EXPECT_EQ(item_readiness(row, false).readiness, Readiness::ready);
  row.active = "false";
  EXPECT_EQ(item_readiness(row, true).readiness, Readiness::retired);
  EXPECT_EQ(item_readiness(row, false).reason, "inactive");
}

}  // namespace
}  // namespace kokola
