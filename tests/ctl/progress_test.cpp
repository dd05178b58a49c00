// How kokolactl shows progress events (ctl/progress.cpp): one line per event, one line kept
// up to date on a terminal, or a plain line every few seconds for a log.
#include "../../ctl/progress.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace kokola::ctl {
namespace {

using Mode = ProgressView::Mode;
using Clock = ProgressView::Clock;

nlohmann::json sync_event(const std::string& entity, int processed) {
  return {{"entity", entity}, {"processed", processed}, {"delivered", processed / 10}};
}

TEST(CtlProgress, ModeDependsOnTheCommandWaitAndTerminal) {
  EXPECT_EQ(ProgressView::mode_for("sync", true, true), Mode::updating);
  EXPECT_EQ(ProgressView::mode_for("sync", false, true), Mode::updating);
  EXPECT_EQ(ProgressView::mode_for("sync", true, false), Mode::throttled);
  EXPECT_EQ(ProgressView::mode_for("sync", false, false), Mode::silent);
  EXPECT_EQ(ProgressView::mode_for("push", true, true), Mode::lines);
  EXPECT_EQ(ProgressView::mode_for("push", true, false), Mode::silent);
  EXPECT_EQ(ProgressView::mode_for("retry", false, true), Mode::lines);
}

TEST(CtlProgress, UpdatingLineIsRewrittenInPlaceAndClearedAtTheEnd) {
  std::ostringstream out;
  ProgressView view("sync", Mode::updating, out);
  view.update(sync_event("vendor", 60));
  view.update(sync_event("item", 200));
  view.finish();
  EXPECT_EQ(out.str(),
            "\rvendor: 60 processed: delivered 6\x1b[K"
            "\rvendor: 60 processed: delivered 6; item: 200 processed: delivered 20\x1b[K"
            "\r\x1b[K");
}

TEST(CtlProgress, UpdatingLineIsCutToTheTerminalWidth) {
  std::ostringstream out;
  ProgressView view("sync", Mode::updating, out, 20);
  view.update(sync_event("vendor", 60));
  EXPECT_EQ(out.str(), "\rvendor: 60 proce...\x1b[K");
}

TEST(CtlProgress, ThrottledPrintsPlainLinesEveryFewSeconds) {
  std::ostringstream out;
  ProgressView view("sync", Mode::throttled, out);
  const auto start = Clock::now();
  view.update(sync_event("item", 100), start);
  view.update(sync_event("item", 200), start + std::chrono::seconds(1));
  view.update(sync_event("item", 300), start + ProgressView::kThrottle);
  view.finish();
  EXPECT_EQ(out.str(),
            "item: 100 processed: delivered 10\n"
            "item: 300 processed: delivered 30\n");
}

TEST(CtlProgress, LinesModePrintsEveryPushStage) {
  std::ostringstream out;
  ProgressView view("push", Mode::lines, out);
  view.update({{"entity", "po"}, {"key", "X"}, {"stage", "loading"}});
  view.update({{"entity", "po"}, {"key", "X"}, {"stage", "sending"}});
  view.finish();
  EXPECT_EQ(out.str(), "po X: loading\npo X: sending\n");
}

TEST(CtlProgress, SilentPrintsNothing) {
  std::ostringstream out;
  ProgressView view("sync", Mode::silent, out);
  view.update(sync_event("po", 5));
  view.finish();
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace kokola::ctl
