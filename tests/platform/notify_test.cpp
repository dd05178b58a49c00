#include "platform/notify.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/steady_timer.hpp>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.hpp"

namespace kokola {
namespace {

using namespace std::chrono_literals;

// Sets an environment variable for one test and puts the old value back.
class EnvVar {
 public:
  EnvVar(const char* name, const std::optional<std::string>& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~EnvVar() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  EnvVar(const EnvVar&) = delete;
  EnvVar& operator=(const EnvVar&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// What systemd would be: a datagram socket that collects the notifications.
class FakeNotifySocket {
 public:
  FakeNotifySocket() : path_(dir_.file("notify.sock")) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      throw std::runtime_error("binding fake notify socket: " + std::string(strerror(errno)));
    }
  }
  ~FakeNotifySocket() { ::close(fd_); }
  FakeNotifySocket(const FakeNotifySocket&) = delete;
  FakeNotifySocket& operator=(const FakeNotifySocket&) = delete;

  const std::string& path() const { return path_; }

  // Every datagram received so far, oldest first.
  std::vector<std::string> drain() {
    std::vector<std::string> got;
    char buf[4096];
    ssize_t n = 0;
    while ((n = ::recv(fd_, buf, sizeof buf, 0)) >= 0) got.emplace_back(buf, n);
    return got;
  }

 private:
  TempDir dir_;
  std::string path_;
  int fd_ = -1;
};

std::size_t count_of(const std::vector<std::string>& messages, const std::string& text) {
  std::size_t n = 0;
  for (const auto& m : messages) n += m == text ? 1 : 0;
  return n;
}

// Runs the loop until `done` says so, checking every few milliseconds; a generous deadline
// turns a hang into a failure instead of a stuck test.
template <typename Done>
bool run_until(boost::asio::io_context& io, Done done) {
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    io.restart();
    io.run_for(5ms);
  }
  return true;
}

class NotifyTest : public ::testing::Test {
 protected:
  FakeNotifySocket systemd_;
  EnvVar socket_{"NOTIFY_SOCKET", systemd_.path()};
  EnvVar watchdog_usec_{"WATCHDOG_USEC", std::nullopt};
  EnvVar watchdog_pid_{"WATCHDOG_PID", std::nullopt};
  boost::asio::io_context io_;
};

TEST_F(NotifyTest, OutsideSystemdSendsNothing) {
  EnvVar no_socket("NOTIFY_SOCKET", std::nullopt);
  SystemdNotifier notifier(
      io_, [] { return std::string("idle"); }, 1ms);
  EXPECT_FALSE(notifier.enabled());

  notifier.start();
  notifier.ready();
  notifier.reloading();
  notifier.status("busy");
  notifier.stopping();
  io_.run_for(20ms);
  EXPECT_TRUE(systemd_.drain().empty());
}

TEST_F(NotifyTest, ReadyCarriesTheCurrentStatus) {
  SystemdNotifier notifier(io_, [] { return std::string("0 in flight"); });
  ASSERT_TRUE(notifier.enabled());
  notifier.ready();
  EXPECT_EQ(systemd_.drain(), std::vector<std::string>{"READY=1\nSTATUS=0 in flight"});
}

TEST_F(NotifyTest, ReloadIsReloadingThenReady) {
  SystemdNotifier notifier(io_, [] { return std::string("reloaded"); });
  notifier.reloading();
  notifier.ready();

  auto got = systemd_.drain();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].rfind("RELOADING=1\nMONOTONIC_USEC=", 0), 0u) << got[0];
  EXPECT_GT(std::stoull(got[0].substr(got[0].find('=', 12) + 1)), 0u);
  EXPECT_EQ(got[1], "READY=1\nSTATUS=reloaded");
}

TEST_F(NotifyTest, StoppingAndStatusAreSentAsSuch) {
  SystemdNotifier notifier(io_, nullptr);
  notifier.ready();
  notifier.status("last po run: 3 delivered\n1 failed");
  notifier.stopping();
  EXPECT_EQ(systemd_.drain(),
            (std::vector<std::string>{"READY=1", "STATUS=last po run: 3 delivered 1 failed",
                                      "STOPPING=1"}));
}

TEST_F(NotifyTest, NoWatchdogWithoutWatchdogUsec) {
  SystemdNotifier notifier(io_, nullptr);
  EXPECT_FALSE(notifier.watchdog_interval().has_value());
  notifier.start();
  io_.run_for(30ms);
  EXPECT_EQ(count_of(systemd_.drain(), "WATCHDOG=1"), 0u);
}

TEST_F(NotifyTest, WatchdogForAnotherProcessIsIgnored) {
  EnvVar usec("WATCHDOG_USEC", "20000");
  EnvVar pid("WATCHDOG_PID", std::to_string(::getpid() + 1));
  SystemdNotifier notifier(io_, nullptr);
  EXPECT_FALSE(notifier.watchdog_interval().has_value());
}

TEST_F(NotifyTest, WatchdogPingsComeFromTheEventLoop) {
  EnvVar usec("WATCHDOG_USEC", "40000");
  EnvVar pid("WATCHDOG_PID", std::to_string(::getpid()));
  SystemdNotifier notifier(io_, nullptr);
  ASSERT_EQ(notifier.watchdog_interval(), std::chrono::microseconds(40000));

  notifier.start();
  std::size_t pings = 0;
  ASSERT_TRUE(run_until(io_, [&] {
    pings += count_of(systemd_.drain(), "WATCHDOG=1");
    return pings >= 3;
  }));

  // A loop that does not turn sends nothing, whatever the time: that is what lets systemd
  // see a stuck daemon.
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(count_of(systemd_.drain(), "WATCHDOG=1"), 0u);

  // Once it turns again, the pings resume.
  ASSERT_TRUE(run_until(io_, [&] { return count_of(systemd_.drain(), "WATCHDOG=1") > 0; }));
}

TEST_F(NotifyTest, StatusIsRefreshedOnlyWhenItChanges) {
  int asked = 0;
  SystemdNotifier notifier(
      io_, [&] { return ++asked < 4 ? std::string("idle") : std::string("po run going on"); }, 1ms);
  notifier.ready();  // asked once: "idle"
  notifier.start();

  std::vector<std::string> got;
  ASSERT_TRUE(run_until(io_, [&] {
    for (auto& m : systemd_.drain()) got.push_back(m);
    return asked >= 6;
  }));
  EXPECT_EQ(got, (std::vector<std::string>{"READY=1\nSTATUS=idle", "STATUS=po run going on"}));
}

TEST_F(NotifyTest, StopLetsTheLoopReturn) {
  EnvVar usec("WATCHDOG_USEC", "40000");
  EnvVar pid("WATCHDOG_PID", std::to_string(::getpid()));
  SystemdNotifier notifier(
      io_, [] { return std::string("idle"); }, 1ms);
  notifier.start();

  boost::asio::steady_timer later(io_, 20ms);
  later.async_wait([&](boost::system::error_code) { notifier.stop(); });
  io_.run_for(20s);  // returns at once when no work is left
  EXPECT_TRUE(io_.stopped());
  systemd_.drain();
  io_.restart();
  io_.run_for(100ms);
  EXPECT_TRUE(systemd_.drain().empty());
}

}  // namespace
}  // namespace kokola
