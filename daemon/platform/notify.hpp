// Telling systemd how the daemon is doing (sd_notify(3)): READY=1 once everything that can
// fail at start-up has succeeded, RELOADING=1 / READY=1 around a configuration reload,
// STOPPING=1 on the way out, a one-line STATUS= kept current, and WATCHDOG=1 pings while
// the event loop turns. Outside systemd ($NOTIFY_SOCKET unset) every call does nothing.
//
// The watchdog pings come from a timer on the event loop itself, not from a thread of their
// own: a loop that is stuck (a handler that never returns, a process stopped with SIGSTOP)
// stops pinging, and systemd restarts the service after WatchdogSec=.
//
// Threads: construct, start(), stop() and the notifications on the event-loop thread.
// sd_notify itself is thread-safe, so the notifications may also be sent from elsewhere.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace kokola {

class SystemdNotifier {
 public:
  using StatusSource = std::function<std::string()>;

  // Reads $NOTIFY_SOCKET and the watchdog interval ($WATCHDOG_USEC, for this pid) once.
  // `status` gives the STATUS= line; it is asked every `status_every` while started.
  SystemdNotifier(boost::asio::io_context& io, StatusSource status,
                  std::chrono::milliseconds status_every = std::chrono::seconds(5));
  SystemdNotifier(const SystemdNotifier&) = delete;
  SystemdNotifier& operator=(const SystemdNotifier&) = delete;

  // Whether systemd listens at all ($NOTIFY_SOCKET set).
  bool enabled() const { return enabled_; }
  // The interval systemd expects pings within (WatchdogSec=), if the watchdog is on.
  std::optional<std::chrono::microseconds> watchdog_interval() const { return watchdog_; }

  // Arms the watchdog pings (every half interval) and the STATUS= refresh.
  void start();
  // Cancels both timers, so that the event loop can return.
  void stop();

  // READY=1 with the current STATUS=: at the end of start-up, and after a reload.
  void ready();
  // RELOADING=1: a reload has begun; ready() ends it.
  void reloading();
  // STOPPING=1: the daemon is shutting down.
  void stopping();
  // STATUS=line (line breaks become spaces).
  void status(const std::string& line);

 private:
  void send(const std::string& message);
  void do_ping();
  void do_refresh_status();
  void refresh_status();

  StatusSource status_source_;
  std::chrono::milliseconds status_every_;
  bool enabled_ = false;
  std::optional<std::chrono::microseconds> watchdog_;
  bool running_ = false;
  std::string last_status_;
  boost::asio::steady_timer ping_timer_;
  boost::asio::steady_timer status_timer_;
};

}  // namespace kokola
