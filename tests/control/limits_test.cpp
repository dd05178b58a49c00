// The control server's connection limits: idle timeout, per-uid limit and the slots kept
// for admins. Connections of another user are opened by a child process that drops to
// that user and hands the connected sockets back (SCM_RIGHTS): the kernel records the
// peer's identity at connect().
#include <grp.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <optional>
#include <thread>
#include <vector>

#include "control/line_reader.hpp"
#include "control/server.hpp"

namespace kokola::control {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr uid_t kNobody = 65534;

// A blocking client over a connected socket it owns.
class Client {
 public:
  explicit Client(int fd) : fd_(fd) {}
  Client(Client&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  ~Client() {
    if (fd_ >= 0) ::close(fd_);
  }

  void send(const std::string& data) {
    ASSERT_EQ(::send(fd_, data.data(), data.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(data.size()));
  }

  // The next line as JSON, or nullopt on end of stream or after 5 s.
  std::optional<nlohmann::json> read_line() { return read_json_line(fd_, buffer_); }

 private:
  int fd_;
  std::string buffer_;
};

sockaddr_un address_of(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  return addr;
}

int connect_to(const sockaddr_un& addr) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void send_fd(int channel, int fd) {
  char byte = 'x';
  iovec iov{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
  ::sendmsg(channel, &msg, 0);
}

int receive_fd(int channel) {
  char byte = 0;
  iovec iov{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  if (::recvmsg(channel, &msg, 0) != 1) return -1;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  if (c == nullptr || c->cmsg_type != SCM_RIGHTS) return -1;
  int fd = -1;
  std::memcpy(&fd, CMSG_DATA(c), sizeof(int));
  return fd;
}

// `count` connections made one after another by uid kNobody in group `gid`. The child
// only makes system calls: the test process has other threads.
std::vector<Client> connect_as_nobody(const std::string& path, gid_t gid, int count) {
  const sockaddr_un addr = address_of(path);
  int channel[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, channel) != 0) return {};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(channel[0]);
    if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(kNobody) != 0) _exit(2);
    for (int i = 0; i < count; ++i) {
      int fd = connect_to(addr);
      if (fd < 0) _exit(3);
      send_fd(channel[1], fd);
      ::close(fd);
    }
    _exit(0);
  }
  ::close(channel[1]);
  std::vector<Client> clients;
  for (int i = 0; i < count; ++i) {
    int fd = receive_fd(channel[0]);
    if (fd < 0) break;
    clients.emplace_back(fd);
  }
  ::close(channel[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return clients;
}

std::string request(const std::string& id, const std::string& cmd) {
  return nlohmann::json({{"v", 1}, {"id", id}, {"cmd", cmd}}).dump() + "\n";
}

// "sync" answers after 800 ms from a worker; anything else at once.
void slow_handler(const Peer&, const Request& req, std::shared_ptr<Reply> reply) {
  if (req.cmd == "sync") {
    std::thread([reply] {
      std::this_thread::sleep_for(800ms);
      reply->result({{"done", true}});
    }).detach();
    return;
  }
  reply->result({{"cmd", req.cmd}});
}

bool answers(Client& client, const std::string& id) {
  client.send(request(id, "status"));
  auto line = client.read_line();
  return line && (*line)["id"] == id && (*line)["ok"] == true;
}

bool is_busy(Client& client) {
  auto line = client.read_line();
  return line && (*line)["id"].is_null() && (*line)["ok"] == false &&
         (*line)["error"]["code"] == "busy" && !client.read_line();
}

class ConnectionLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/kokola-limits-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    root_ = pattern;
    options_.socket_path = root_ + "/run/control.sock";
    options_.is_admin = [](const Peer& p) { return p.uid == 0; };
    const group* g = ::getgrnam("nogroup");
    if (g != nullptr) gid_ = g->gr_gid;
  }

  void TearDown() override {
    if (thread_.joinable()) {
      boost::asio::post(io_, [this] { server_->stop(); });
      work_.reset();
      thread_.join();
    }
    fs::remove_all(root_);
  }

  void start_server() {
    server_.emplace(io_, options_, slow_handler);
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
  }

  // Lets another user reach the socket (directory 0750, socket 0660, both in `nogroup`).
  bool can_connect_as_nobody() {
    if (::geteuid() != 0 || !gid_) return false;
    options_.socket_group = "nogroup";
    ::chmod(root_.c_str(), 0755);  // mkdtemp made it 0700
    return true;
  }

  Client connect_here() { return Client(connect_to(address_of(options_.socket_path))); }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  ServerOptions options_;
  std::optional<ControlServer> server_;
  std::thread thread_;
  std::string root_;
  std::optional<gid_t> gid_;
};

TEST_F(ConnectionLimitsTest, IdleConnectionIsClosedButNotOneWaitingForAResult) {
  options_.idle_timeout = 300ms;
  start_server();
  Client idle = connect_here();
  Client busy = connect_here();
  busy.send(request("s1", "sync"));

  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(idle.read_line());  // end of stream, well before read_line's 5 s
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);

  // The result comes after more than the idle timeout, and the connection still serves.
  auto result = busy.read_line();
  ASSERT_TRUE(result);
  EXPECT_EQ((*result)["id"], "s1");
  EXPECT_EQ((*result)["ok"], true);
  EXPECT_TRUE(answers(busy, "s2"));

  // Then it waits for a request again, and that wait times out.
  EXPECT_FALSE(busy.read_line());
}

TEST_F(ConnectionLimitsTest, APartialLineIsStillIdle) {
  options_.idle_timeout = 300ms;
  start_server();
  Client client = connect_here();
  client.send(R"({"v":1,"id":"p1",)");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(client.read_line());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST_F(ConnectionLimitsTest, PerUserLimitRefusesTheNextWithBusyButNotRoot) {
  if (!can_connect_as_nobody()) GTEST_SKIP() << "connecting as another user needs root";
  options_.limits.max_clients_per_user = 2;
  start_server();

  auto clients = connect_as_nobody(options_.socket_path, *gid_, 3);
  ASSERT_EQ(clients.size(), 3u);
  EXPECT_TRUE(is_busy(clients[2]));
  EXPECT_TRUE(answers(clients[0], "n1"));
  EXPECT_TRUE(answers(clients[1], "n2"));

  std::vector<Client> roots;
  for (int i = 0; i < 3; ++i) roots.push_back(connect_here());
  for (auto& c : roots) EXPECT_TRUE(answers(c, "r"));
}

TEST_F(ConnectionLimitsTest, ReservedSlotsTakeAdminsOnly) {
  if (!can_connect_as_nobody()) GTEST_SKIP() << "connecting as another user needs root";
  options_.limits.max_clients = 4;
  options_.limits.admin_reserved = 2;
  start_server();

  auto users = connect_as_nobody(options_.socket_path, *gid_, 3);
  ASSERT_EQ(users.size(), 3u);
  EXPECT_TRUE(is_busy(users[2]));
  EXPECT_TRUE(answers(users[0], "u1"));

  // Root (an admin here) gets the two reserved slots, then the total limit holds for it too.
  Client admin1 = connect_here();
  Client admin2 = connect_here();
  EXPECT_TRUE(answers(admin1, "a1"));
  EXPECT_TRUE(answers(admin2, "a2"));
  Client admin3 = connect_here();
  EXPECT_TRUE(is_busy(admin3));
}

TEST_F(ConnectionLimitsTest, AClosedConnectionFreesItsSlot) {
  options_.limits.max_clients = 1;
  options_.limits.admin_reserved = 0;
  start_server();
  {
    Client first = connect_here();
    EXPECT_TRUE(answers(first, "f1"));
    Client second = connect_here();
    EXPECT_TRUE(is_busy(second));
  }
  // The server notices the hang-up asynchronously.
  for (int i = 0; i < 50; ++i) {
    Client again = connect_here();
    again.send(request("g1", "status"));
    auto line = again.read_line();
    if (line && (*line)["ok"] == true) return;
    std::this_thread::sleep_for(20ms);
  }
  ADD_FAILURE() << "the slot of the closed connection was never freed";
}

}  // namespace
}  // namespace kokola::control
