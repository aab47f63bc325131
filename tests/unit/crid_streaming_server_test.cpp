// The streaming server and its clients end to end in one process, with a fake
// backend: exit codes, stdin, output, tokens, port-forward, and the attach
// socket's framing against a fake monitor.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include <thread>

#include "crid/streaming/attach_protocol.h"
#include "crid/streaming/client.h"
#include "crid/streaming/http_message.h"
#include "crid/streaming/relay.h"
#include "crid/streaming/server.h"

using namespace berth;
using namespace berth::crid::streaming;

namespace {

// exec: "echo X" writes X; "cat" copies stdin; "exit N" returns N; "stderr X" writes X to stderr.
class FakeBackend : public StreamBackend {
 public:
  uint16_t echo_port = 0;
  Result<int> exec(const std::string &, const std::vector<std::string> &cmd, const StreamIo &io) override {
    if (cmd.at(0) == "echo") (void)write_all(io.stdout_fd, cmd.at(1));
    if (cmd.at(0) == "stderr") (void)write_all(io.stderr_fd, cmd.at(1));
    if (cmd.at(0) == "cat") (void)copy_fd(io.stdin_fd, io.stdout_fd, -1);
    if (cmd.at(0) == "big") {
      std::string chunk(1 << 16, 'z');
      for (int i = 0; i < 160; ++i) (void)write_all(io.stdout_fd, chunk);
    }
    if (cmd.at(0) == "fail") return make_error("no such container");
    if (cmd.at(0) == "exit") return std::stoi(cmd.at(1));
    return 0;
  }
  Result<int> attach(const std::string &, const StreamIo &io) override {
    (void)write_all(io.stdout_fd, "attached");
    return 0;
  }
  Result<Fd> port_forward(const std::string &, uint16_t port) override { return connect_tcp("127.0.0.1", port); }
};

struct Pipe {
  Fd r, w;
  Pipe() {
    auto p = make_pipe();
    r = std::move(p->first);
    w = std::move(p->second);
  }
  std::string drain() {
    w.reset();
    std::string s;
    (void)copy_to(r.get(), [&](std::string_view d) -> Result<void> { s += d; return {}; }, -1);
    return s;
  }
};

class StreamingServer : public ::testing::TestWithParam<ClientProtocol> {
 protected:
  FakeBackend backend;
  Server server{ServerConfig{}, backend};
  void SetUp() override { ASSERT_TRUE(server.start()); }
  std::string exec_url(std::vector<std::string> cmd, bool stdin = false) {
    StreamRequest r;
    r.id = "c1";
    r.cmd = std::move(cmd);
    r.stdin = stdin;
    return server.url_for(r);
  }
  RemoteCommandOptions options(Pipe &out, Pipe &err) {
    RemoteCommandOptions o;
    o.protocol = GetParam();
    o.stdout_fd = out.w.get();
    o.stderr_fd = err.w.get();
    return o;
  }
};

TEST_P(StreamingServer, OutputAndExitCodes) {
  Pipe out, err;
  auto code = run_remote_command(exec_url({"echo", "hi"}), options(out, err));
  ASSERT_TRUE(code) << code.error().message;
  EXPECT_EQ(*code, 0);
  EXPECT_EQ(out.drain(), "hi");
  Pipe out2, err2;
  code = run_remote_command(exec_url({"exit", "3"}), options(out2, err2));
  ASSERT_TRUE(code) << code.error().message;
  EXPECT_EQ(*code, 3);
  Pipe out3, err3;
  code = run_remote_command(exec_url({"stderr", "oops"}), options(out3, err3));
  ASSERT_TRUE(code);
  EXPECT_EQ(err3.drain(), "oops");
  EXPECT_EQ(out3.drain(), "");
}

TEST_P(StreamingServer, BackendFailureIsTheClientsError) {
  Pipe out, err;
  auto code = run_remote_command(exec_url({"fail"}), options(out, err));
  ASSERT_FALSE(code);
  EXPECT_NE(code.error().message.find("no such container"), std::string::npos);
}

TEST_P(StreamingServer, StdinToEof) {
  Pipe in, out, err;
  auto o = options(out, err);
  o.stdin_fd = in.r.get();
  (void)write_all(in.w.get(), "some input\n");
  in.w.reset();
  auto code = run_remote_command(exec_url({"cat"}, true), o);
  ASSERT_TRUE(code) << code.error().message;
  EXPECT_EQ(out.drain(), "some input\n");
}

TEST_P(StreamingServer, LargeOutput) {
  Pipe out, err;
  std::string got;
  auto url = exec_url({"big"});
  std::thread reader([&] {
    (void)copy_to(out.r.get(), [&](std::string_view d) -> Result<void> { got += d; return {}; }, -1);
  });
  auto o = options(out, err);
  auto code = run_remote_command(url, o);
  out.w.reset();
  reader.join();
  ASSERT_TRUE(code) << code.error().message;
  EXPECT_EQ(got.size(), 160u << 16);
}

TEST_P(StreamingServer, TokensAreSingleUse) {
  Pipe out, err;
  auto url = exec_url({"echo", "x"});
  ASSERT_TRUE(run_remote_command(url, options(out, err)));
  auto again = run_remote_command(url, options(out, err));
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("404"), std::string::npos) << again.error().message;
  auto wrong_kind = url;
  wrong_kind.replace(wrong_kind.find("/exec/"), 6, "/attach/");
  EXPECT_FALSE(run_remote_command(wrong_kind, options(out, err)));
}

INSTANTIATE_TEST_SUITE_P(Protocols, StreamingServer,
                         ::testing::Values(ClientProtocol::spdy, ClientProtocol::websocket));

TEST(StreamingServerPortForward, RelaysBothWays) {
  // A one-shot upper-casing echo server stands in for the pod's port.
  Fd ls(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(ls.get(), reinterpret_cast<sockaddr *>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(ls.get(), 4), 0);
  socklen_t len = sizeof a;
  ::getsockname(ls.get(), reinterpret_cast<sockaddr *>(&a), &len);
  uint16_t pod_port = ntohs(a.sin_port);
  std::thread pod([&] {
    Fd c(::accept(ls.get(), nullptr, nullptr));
    char buf[64];
    ssize_t n = ::read(c.get(), buf, sizeof buf);
    for (ssize_t i = 0; i < n; ++i) buf[i] = char(std::toupper(buf[i]));
    (void)write_all(c.get(), std::string_view(buf, size_t(n)));
  });

  FakeBackend backend;
  Server server{ServerConfig{}, backend};
  ASSERT_TRUE(server.start());
  StreamRequest r;
  r.kind = StreamKind::port_forward;
  r.id = "pod1";
  std::string url = server.url_for(r);
  std::atomic<bool> stop{false};
  std::atomic<uint16_t> local{0};
  std::thread client([&] {
    auto res = port_forward(url, 0, pod_port, [&](uint16_t p) { local = p; }, &stop);
    EXPECT_TRUE(res) << res.error().message;
  });
  while (!local) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto c = connect_tcp("127.0.0.1", local);
  ASSERT_TRUE(c);
  ASSERT_TRUE(write_all(c->get(), "hello"));
  std::string got;
  (void)copy_to(c->get(), [&](std::string_view d) -> Result<void> { got += d; return {}; }, -1);
  EXPECT_EQ(got, "HELLO");
  stop = true;
  client.join();
  pod.join();
}

TEST(AttachProtocol, MessagesToStreams) {
  // As the monitor serves it: SEQPACKET, a stream byte then the output.
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  Fd ours(sv[0]), monitor(sv[1]);
  std::string monitor_got;
  std::string big(10000, 'x');  // more than the monitor reads in one message
  std::thread fake_monitor([&] {
    (void)::send(monitor.get(), "\x01" "out1", 5, 0);
    (void)::send(monitor.get(), "\x02" "err1", 5, 0);
    char buf[4096];
    while (monitor_got.size() < 5 + big.size()) {
      ssize_t n = ::recv(monitor.get(), buf, sizeof buf, MSG_TRUNC);
      if (n <= 0) break;
      EXPECT_LE(size_t(n), sizeof buf) << "an input message longer than the monitor reads";
      monitor_got.append(buf, size_t(n));
    }
    // The container exited: the monitor hangs up.
    monitor.reset();
  });
  Pipe in, out, err;
  (void)write_all(in.w.get(), "typed" + big);
  in.w.reset();
  StreamIo io;
  io.stdin_fd = in.r.get();
  io.stdout_fd = out.w.get();
  io.stderr_fd = err.w.get();
  auto r = run_attach_client(ours.get(), io);
  fake_monitor.join();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(out.drain(), "out1");
  EXPECT_EQ(err.drain(), "err1");
  EXPECT_EQ(monitor_got, "typed" + big);
}

TEST(AttachProtocol, TtyOutputAndResize) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  Fd ours(sv[0]), monitor(sv[1]);
  ResizeQueue sizes;
  sizes.push({100, 40});
  std::mutex mu;
  std::vector<TermSize> applied;
  std::thread fake_monitor([&] {
    for (int i = 0; i < 100; ++i) {
      {
        std::lock_guard lock(mu);
        if (!applied.empty()) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    (void)::send(monitor.get(), "\x02tty", 4, 0);
    monitor.reset();
  });
  Pipe out;
  StreamIo io;
  io.stdout_fd = out.w.get();
  io.tty = true;
  io.resize = &sizes;
  auto r = run_attach_client(ours.get(), io, [&](TermSize s) -> Result<void> {
    std::lock_guard lock(mu);
    applied.push_back(s);
    return {};
  });
  fake_monitor.join();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(out.drain(), "tty");
  ASSERT_EQ(applied.size(), 1u);
  EXPECT_EQ(applied[0], (TermSize{100, 40}));
}

TEST(AttachProtocol, RejectsUnknownStream) {
  std::string_view payload;
  EXPECT_FALSE(decode_attach_message(std::string_view("\x03x", 2), payload));
  EXPECT_FALSE(decode_attach_message("", payload));
  auto s = decode_attach_message(std::string_view("\x01hi", 3), payload);
  ASSERT_TRUE(s);
  EXPECT_EQ(*s, AttachStream::stdout);
  EXPECT_EQ(payload, "hi");
}

}  // namespace
