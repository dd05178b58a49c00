// How kokolactl shows the daemon's progress events on stderr while it waits (docs/kokolactl.md):
// on a terminal a push prints one line per stage and a sync keeps one line up to date in place;
// when stderr is not a terminal only `sync --wait` says anything, one plain line every few
// seconds, so that a log shows a long run is alive without filling up. Single-threaded: the
// client's progress callback and the code that prints the result, one after the other.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace kokola::ctl {

class ProgressView {
 public:
  using Clock = std::chrono::steady_clock;

  enum class Mode {
    silent,     // nothing
    lines,      // every event on a line of its own
    updating,   // one line rewritten in place ("\r", then erase to the end of the line)
    throttled,  // the latest state as a plain line, at most every kThrottle
  };
  static constexpr std::chrono::seconds kThrottle{5};

  // The mode for a command, whether it waits (--wait), and whether stderr is a terminal.
  static Mode mode_for(const std::string& cmd, bool wait, bool terminal);

  // `width`: the terminal's columns for Mode::updating (0: unknown, lines are not cut).
  ProgressView(std::string cmd, Mode mode, std::ostream& out, std::size_t width = 0);

  void update(const nlohmann::json& data, Clock::time_point now = Clock::now());
  // Clears the line kept up to date, before the result is printed.
  void finish();

 private:
  std::string current_line(const nlohmann::json& data);

  std::string cmd_;
  Mode mode_;
  std::ostream& out_;
  std::size_t width_;
  std::vector<std::pair<std::string, std::string>> per_entity_;  // sync: latest line of each
  bool drawn_ = false;
  Clock::time_point last_printed_{};
  bool printed_ = false;
};

}  // namespace kokola::ctl
