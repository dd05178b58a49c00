#include "platform/notify.hpp"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace kokola {
namespace {

// STATUS= is one line; systemd would cut it at the first line break anyway.
std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::replace(text.begin(), text.end(), '\r', ' ');
  return text;
}

// MONOTONIC_USEC= lets a systemd that knows it (253 and later) tell this reload from an
// older one; systemd 252 ignores the field.
unsigned long long monotonic_usec() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<unsigned long long>(ts.tv_sec) * 1000000ULL +
         static_cast<unsigned long long>(ts.tv_nsec) / 1000ULL;
}

std::optional<std::chrono::microseconds> read_watchdog() {
  uint64_t usec = 0;
  if (::sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec);
}

}  // namespace

SystemdNotifier::SystemdNotifier(boost::asio::io_context& io, StatusSource status,
                                 std::chrono::milliseconds status_every)
    : status_source_(std::move(status)),
      status_every_(status_every),
      ping_timer_(io),
      status_timer_(io) {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  enabled_ = socket != nullptr && socket[0] != '\0';
  if (enabled_) watchdog_ = read_watchdog();
}

void SystemdNotifier::start() {
  if (!enabled_ || running_) return;
  running_ = true;
  if (watchdog_) {
    spdlog::info("systemd watchdog on: pinging every {} ms", watchdog_->count() / 2000);
    send("WATCHDOG=1");
    do_ping();
  }
  if (status_source_) do_refresh_status();
}

void SystemdNotifier::stop() {
  running_ = false;
  ping_timer_.cancel();
  status_timer_.cancel();
}

void SystemdNotifier::ready() {
  std::string message = "READY=1";
  if (status_source_) {
    last_status_ = one_line(status_source_());
    message += "\nSTATUS=" + last_status_;
  }
  send(message);
}

void SystemdNotifier::reloading() {
  send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonic_usec()));
}

void SystemdNotifier::stopping() { send("STOPPING=1"); }

void SystemdNotifier::status(const std::string& line) {
  last_status_ = one_line(line);
  send("STATUS=" + last_status_);
}

void SystemdNotifier::send(const std::string& message) {
  if (!enabled_) return;
  int rc = ::sd_notify(0, message.c_str());
  if (rc < 0) {
    spdlog::warn("notifying systemd '{}': {}", message.substr(0, message.find('\n')),
                 std::strerror(-rc));
  }
}

// Half the interval, as sd_watchdog_enabled(3) advises: one late tick is not yet a miss.
void SystemdNotifier::do_ping() {
  ping_timer_.expires_after(*watchdog_ / 2);
  ping_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec == boost::asio::error::operation_aborted || !running_) return;
    send("WATCHDOG=1");
    do_ping();
  });
}

void SystemdNotifier::do_refresh_status() {
  status_timer_.expires_after(status_every_);
  status_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec == boost::asio::error::operation_aborted || !running_) return;
    refresh_status();
    do_refresh_status();
  });
}

// Only a changed line is sent: systemd need not be told the same status every few seconds.
void SystemdNotifier::refresh_status() {
  std::string line = one_line(status_source_());
  if (line != last_status_) status(line);
}

}  // namespace kokola
