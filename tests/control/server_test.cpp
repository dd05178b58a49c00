#include "control/server.hpp"

#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "control/line_reader.hpp"

namespace kokola::control {
namespace {

namespace fs = std::filesystem;

ServerOptions options_for(std::string path, std::string group) {
  ServerOptions options;
  options.socket_path = std::move(path);
  options.socket_group = std::move(group);
  return options;
}

// A blocking test client on a raw Unix socket.
class RawClient {
 public:
  explicit RawClient(const std::string& path) : fd_(::socket(AF_UNIX, SOCK_STREAM, 0)) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawClient() { ::close(fd_); }

  bool connected() const { return connected_; }
  void send(const std::string& data) {
    ASSERT_EQ(::send(fd_, data.data(), data.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(data.size()));
  }

  // The next line as JSON, or nullopt on end of stream or after 5 s.
  std::optional<nlohmann::json> read_line() { return read_json_line(fd_, buffer_); }

 private:
  int fd_;
  bool connected_ = false;
  std::string buffer_;
};

// Answers every request with {"cmd", "uid"}; "sync" first sends two progress lines from a
// worker thread; "list" never answers (the Reply is dropped).
void test_handler(const Peer& peer, const Request& req, std::shared_ptr<Reply> reply) {
  if (req.cmd == "sync") {
    std::thread([reply] {
      reply->progress({{"processed", 1}});
      reply->progress({{"processed", 2}});
      reply->result({{"done", true}});
      reply->progress({{"processed", 3}});  // ignored: after the result
    }).detach();
    return;
  }
  if (req.cmd == "list") return;
  reply->result({{"cmd", req.cmd}, {"uid", peer.uid}});
}

class ControlServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/kokola-control-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    root_ = pattern;
    socket_path_ = root_ + "/run/control.sock";
  }

  void TearDown() override {
    stop_server();
    fs::remove_all(root_);
  }

  void start_server(const std::string& group = "") {
    server_.emplace(io_, options_for(socket_path_, group), test_handler);
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
  }

  void stop_server() {
    if (!thread_.joinable()) return;
    boost::asio::post(io_, [this] { server_->stop(); });
    work_.reset();
    thread_.join();
  }

  std::string request(const std::string& id, const std::string& cmd) {
    return nlohmann::json({{"v", 1}, {"id", id}, {"cmd", cmd}}).dump() + "\n";
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  std::optional<ControlServer> server_;
  std::thread thread_;
  std::string root_;
  std::string socket_path_;
};

TEST_F(ControlServerTest, SocketIs0660InA0750Directory) {
  start_server();
  struct stat st {};
  ASSERT_EQ(::lstat(socket_path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0660u);
  ASSERT_EQ(::stat((root_ + "/run").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0750u);
}

TEST_F(ControlServerTest, RequestGetsItsResultWithThePeerUid) {
  start_server();
  RawClient client(socket_path_);
  ASSERT_TRUE(client.connected());
  client.send(request("r1", "status"));
  auto line = client.read_line();
  ASSERT_TRUE(line);
  EXPECT_EQ((*line)["id"], "r1");
  EXPECT_EQ((*line)["type"], "result");
  EXPECT_EQ((*line)["ok"], true);
  EXPECT_EQ((*line)["data"]["uid"], ::getuid());
}

TEST_F(ControlServerTest, ProgressComesBeforeTheResultAndNothingAfter) {
  start_server();
  RawClient client(socket_path_);
  client.send(request("s1", "sync"));
  auto first = client.read_line();
  auto second = client.read_line();
  auto third = client.read_line();
  ASSERT_TRUE(first && second && third);
  EXPECT_EQ((*first)["type"], "progress");
  EXPECT_EQ((*first)["data"]["processed"], 1);
  EXPECT_EQ((*second)["data"]["processed"], 2);
  EXPECT_EQ((*third)["type"], "result");

  // The next request on the same connection is answered, and the late progress never came.
  client.send(request("s2", "status"));
  auto next = client.read_line();
  ASSERT_TRUE(next);
  EXPECT_EQ((*next)["id"], "s2");
}

TEST_F(ControlServerTest, TooLongLineGetsTooLargeThenClose) {
  start_server();
  RawClient client(socket_path_);
  client.send(std::string(kMaxMessageBytes + 10, 'x'));
  auto line = client.read_line();
  ASSERT_TRUE(line);
  EXPECT_TRUE((*line)["id"].is_null());
  EXPECT_EQ((*line)["error"]["code"], "too_large");
  EXPECT_FALSE(client.read_line());
}

TEST_F(ControlServerTest, InvalidJsonGetsBadRequestWithNullIdThenClose) {
  start_server();
  RawClient client(socket_path_);
  client.send("{\"v\":1,\n");
  auto line = client.read_line();
  ASSERT_TRUE(line);
  EXPECT_TRUE((*line)["id"].is_null());
  EXPECT_EQ((*line)["ok"], false);
  EXPECT_EQ((*line)["error"]["code"], "bad_request");
  EXPECT_FALSE(client.read_line());
}

TEST_F(ControlServerTest, UnknownCommandKeepsTheConnection) {
  start_server();
  RawClient client(socket_path_);
  client.send(request("u1", "explode"));
  auto line = client.read_line();
  ASSERT_TRUE(line);
  EXPECT_EQ((*line)["id"], "u1");
  EXPECT_EQ((*line)["error"]["code"], "unknown_command");
  client.send(request("u2", "status"));
  auto next = client.read_line();
  ASSERT_TRUE(next);
  EXPECT_EQ((*next)["ok"], true);
}

TEST_F(ControlServerTest, BadArgumentsNeverReachTheHandler) {
  start_server();
  RawClient client(socket_path_);
  client.send(R"({"v":1,"id":"b1","cmd":"push","args":{"entity":"po","keys":[""]}})"
              "\n");
  auto line = client.read_line();
  ASSERT_TRUE(line);
  EXPECT_EQ((*line)["error"]["code"], "bad_request");
  EXPECT_EQ((*line)["error"]["message"], "args.keys[0]: must be a non-empty string");
}

TEST_F(ControlServerTest, AReplyDroppedWithoutResultSendsInternal) {
  start_server();
  RawClient client(socket_path_);
  client.send(R"({"v":1,"id":"l1","cmd":"list","args":{"entity":"po"}})"
              "\n");
  auto line = client.read_line();
  ASSERT_TRUE(line);
  EXPECT_EQ((*line)["id"], "l1");
  EXPECT_EQ((*line)["error"]["code"], "internal");
}

TEST_F(ControlServerTest, StaleSocketIsReplaced) {
  fs::create_directory(root_ + "/run");
  ::chmod((root_ + "/run").c_str(), 0750);
  {
    // A socket bound and closed without a listener: what a killed daemon leaves.
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, socket_path_.c_str(), sizeof(addr.sun_path) - 1);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    ::close(fd);
  }
  start_server();
  RawClient client(socket_path_);
  EXPECT_TRUE(client.connected());
}

TEST_F(ControlServerTest, LiveSocketIsRefused) {
  start_server();
  boost::asio::io_context other;
  try {
    ControlServer second(other, options_for(socket_path_, ""), test_handler);
    FAIL() << "a second server bound a live socket";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("another kokola-syncd is listening"), std::string::npos);
  }
  RawClient client(socket_path_);  // the first one still serves
  EXPECT_TRUE(client.connected());
}

TEST_F(ControlServerTest, RegularFileAtThePathIsRefused) {
  fs::create_directory(root_ + "/run");
  ::chmod((root_ + "/run").c_str(), 0750);
  std::ofstream(socket_path_) << "not a socket";
  EXPECT_THROW(ControlServer(io_, options_for(socket_path_, ""), test_handler), std::runtime_error);
  EXPECT_TRUE(fs::is_regular_file(socket_path_));
}

TEST_F(ControlServerTest, ParentThatIsNotADirectoryIsRefused) {
  std::ofstream(root_ + "/run") << "a file";
  EXPECT_THROW(ControlServer(io_, options_for(socket_path_, ""), test_handler), std::runtime_error);
}

TEST_F(ControlServerTest, TooLongPathIsRefused) {
  std::string path = root_ + "/" + std::string(120, 'p');
  EXPECT_THROW(ControlServer(io_, options_for(path, ""), test_handler), std::runtime_error);
}

TEST_F(ControlServerTest, StopRemovesTheSocket) {
  start_server();
  ASSERT_TRUE(fs::exists(socket_path_));
  stop_server();
  EXPECT_FALSE(fs::exists(socket_path_));
}

// Counts the warnings about failed accepts while installed as the default logger.
class AcceptWarningCounter : public spdlog::sinks::base_sink<std::mutex> {
 public:
  int count() const { return count_; }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string_view text(msg.payload.data(), msg.payload.size());
    if (msg.level == spdlog::level::warn && text.starts_with("accepting on control socket")) {
      ++count_;
    }
  }
  void flush_() override {}

 private:
  std::atomic<int> count_ = 0;
};

// Lowers this process's descriptor limit to a little above what is open now and takes the
// rest, so that the next accept fails with EMFILE; gives everything back when destroyed.
class DescriptorsExhausted {
 public:
  DescriptorsExhausted() {
    ::getrlimit(RLIMIT_NOFILE, &saved_);
    int highest = 0;
    for (const auto& entry : fs::directory_iterator("/proc/self/fd")) {
      highest = std::max(highest, std::stoi(entry.path().filename().string()));
    }
    rlimit lowered = saved_;
    lowered.rlim_cur = static_cast<rlim_t>(highest) + 32;
    limited_ = ::setrlimit(RLIMIT_NOFILE, &lowered) == 0;
    for (;;) {
      int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (fd < 0) break;
      held_.push_back(fd);
    }
  }
  ~DescriptorsExhausted() { give_back(); }

  bool limited() const { return limited_; }
  // Frees one descriptor, for a client socket of the test's own.
  void free_one() {
    ::close(held_.back());
    held_.pop_back();
  }
  void give_back() {
    for (int fd : held_) ::close(fd);
    held_.clear();
    ::setrlimit(RLIMIT_NOFILE, &saved_);
  }

 private:
  rlimit saved_{};
  bool limited_ = false;
  std::vector<int> held_;
};

// Sends the default logger's lines to `sink` for the life of the object.
class LogTo {
 public:
  explicit LogTo(spdlog::sink_ptr sink) : previous_(spdlog::default_logger()) {
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", std::move(sink)));
  }
  ~LogTo() { spdlog::set_default_logger(previous_); }
  LogTo(const LogTo&) = delete;
  LogTo& operator=(const LogTo&) = delete;

 private:
  std::shared_ptr<spdlog::logger> previous_;
};

TEST_F(ControlServerTest, AcceptOutOfDescriptorsBacksOffAndRecovers) {
  auto counter = std::make_shared<AcceptWarningCounter>();
  LogTo capture(counter);
  start_server();

  std::optional<RawClient> client;
  {
    DescriptorsExhausted exhausted;
    ASSERT_TRUE(exhausted.limited());
    exhausted.free_one();
    client.emplace(socket_path_);  // queued by the kernel; the server cannot accept it
    ASSERT_TRUE(client->connected());
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  // Retrying at once logged thousands of lines in that time; 100, 200, 400 ms apart, a few.
  const int warnings = counter->count();
  EXPECT_GE(warnings, 1);
  EXPECT_LE(warnings, 5);

  // With descriptors free again, the waiting client is accepted and answered.
  client->send(request("e1", "status"));
  auto line = client->read_line();
  ASSERT_TRUE(line);
  EXPECT_EQ((*line)["id"], "e1");
  EXPECT_EQ((*line)["ok"], true);
}

TEST_F(ControlServerTest, StopCancelsTheAcceptBackOff) {
  start_server();
  {
    DescriptorsExhausted exhausted;
    ASSERT_TRUE(exhausted.limited());
    exhausted.free_one();
    RawClient client(socket_path_);
    std::this_thread::sleep_for(std::chrono::milliseconds(350));
  }
  // The server waits on its back-off timer (the next try is 700 ms after the first failure);
  // stopping must not wait for it to fire.
  const auto start = std::chrono::steady_clock::now();
  stop_server();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
  EXPECT_FALSE(fs::exists(socket_path_));
}

// A group other than root's that exists on any Debian system.
std::optional<gid_t> some_other_group() {
  for (const char* name : {"daemon", "nogroup"}) {
    if (const group* g = ::getgrnam(name); g != nullptr && g->gr_gid != 0) return g->gr_gid;
  }
  return std::nullopt;
}

TEST_F(ControlServerTest, CreatedDirectoryGetsTheSocketGroup) {
  if (::geteuid() != 0) GTEST_SKIP() << "giving a file to another group needs root";
  auto gid = some_other_group();
  ASSERT_TRUE(gid);
  const std::string name = ::getgrgid(*gid)->gr_name;
  start_server(name);

  struct stat st {};
  ASSERT_EQ(::stat((root_ + "/run").c_str(), &st), 0);
  EXPECT_EQ(st.st_gid, *gid);
  EXPECT_EQ(st.st_mode & 0777, 0750u);
  ASSERT_EQ(::lstat(socket_path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_gid, *gid);
  EXPECT_EQ(st.st_mode & 0777, 0660u);
}

TEST_F(ControlServerTest, ExistingDirectoryKeepsItsGroup) {
  if (::geteuid() != 0) GTEST_SKIP() << "giving a file to another group needs root";
  auto gid = some_other_group();
  ASSERT_TRUE(gid);
  fs::create_directory(root_ + "/run");
  ::chmod((root_ + "/run").c_str(), 0750);
  start_server(::getgrgid(*gid)->gr_name);

  struct stat st {};
  ASSERT_EQ(::stat((root_ + "/run").c_str(), &st), 0);
  EXPECT_EQ(st.st_gid, ::getegid());
  ASSERT_EQ(::lstat(socket_path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_gid, *gid);
}

TEST_F(ControlServerTest, UnknownGroupCreatesNothing) {
  EXPECT_THROW(start_server("kokola-no-such-group-4f1c"), std::runtime_error);
  EXPECT_FALSE(fs::exists(root_ + "/run"));
}

}  // namespace
}  // namespace kokola::control
