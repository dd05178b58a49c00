#include "delivery/failpoint.hpp"

#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>

namespace kokola {
namespace {

constexpr std::array<std::string_view, 4> kNames = {"after_job_written", "after_request_sent",
                                                    "after_answer", "before_ledger_commit"};

struct Armed {
  std::array<std::atomic<long>, kNames.size()> remaining{};  // 0: not armed
  std::atomic<bool> any{false};
};

Armed& armed() {
  static Armed a;
  return a;
}

int index_of(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<int>(i);
  }
  return -1;
}

// True when this hit is the one the count named.
bool reached(std::string_view name) {
  auto& a = armed();
  if (!a.any.load(std::memory_order_relaxed)) return false;
  int i = index_of(name);
  if (i < 0) return false;
  auto& left = a.remaining[static_cast<size_t>(i)];
  if (left.load() <= 0) return false;
  return left.fetch_sub(1) == 1;
}

[[noreturn]] void die() {
  ::kill(::getpid(), SIGKILL);
  std::_Exit(137);
}

}  // namespace

std::string arm_failpoints_from_environment() {
  const char* spec = std::getenv("KOKOLA_FAILPOINTS");
  if (spec == nullptr || *spec == '\0') return "";
  std::string text = spec;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    size_t eq = item.find('=');
    int i = index_of(item.substr(0, eq));
    long count = 0;
    char* rest = nullptr;
    if (eq != std::string::npos && eq + 1 < item.size()) {
      errno = 0;
      count = std::strtol(item.c_str() + eq + 1, &rest, 10);
      if (errno != 0 || rest == nullptr || *rest != '\0') count = 0;
    }
    if (i < 0 || count <= 0) {
      throw std::invalid_argument("reading KOKOLA_FAILPOINTS: '" + item +
                                  "': expected NAME=COUNT with a known name and COUNT > 0");
    }
    armed().remaining[static_cast<size_t>(i)] = count;
    start = end + 1;
  }
  armed().any = true;
  return "failpoints armed (KOKOLA_FAILPOINTS=" + text + "): the daemon will kill itself";
}

void failpoint(std::string_view name) {
  if (reached(name)) die();
}

void failpoint_in_flight(std::string_view name, int delay_ms) {
  if (!reached(name)) return;
  std::thread([delay_ms] {
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    die();
  }).detach();
}

}  // namespace kokola
