#include "crid/monitor_client.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstdlib>
#include <thread>

#include "crid/create_lock.h"
#include "crid/monitor/unix_socket.h"
#include "libcontainer/file_util.h"

namespace berth::crid {
namespace {

class MonitorClient : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/crid-monitor-client-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { (void)remove_tree(dir_); }

  // A stand-in monitor: a shell script that does what `body` says with fd 3.
  MonitorOptions fake_monitor(const std::string &body) {
    std::string path = dir_ + "/fake-monitor";
    EXPECT_TRUE(write_file_atomic(path, "#!/bin/sh\n" + body + "\n", 0755));
    MonitorOptions o;
    o.monitor_path = path;
    o.id = "c1";
    o.bundle = dir_;
    o.runtime_path = "/bin/true";
    o.runtime_root = dir_;
    o.exit_file = dir_ + "/exit.json";
    o.socket_dir = dir_ + "/monitor";
    return o;
  }

  std::string dir_;
};

TEST_F(MonitorClient, ReturnsThePidTheMonitorReports) {
  auto pid = start_monitor(fake_monitor("echo '{\"pid\": 4242}' >&3"));
  ASSERT_TRUE(pid) << pid.error().message;
  EXPECT_EQ(*pid, 4242);
}

TEST_F(MonitorClient, PassesTheContractFlags) {
  auto o = fake_monitor("echo \"$*\" > \"$(dirname \"$0\")/args\"; echo '{\"pid\": 1}' >&3");
  o.log_path = "/l/c.log";
  o.runtime_args = {"--systemd-cgroup"};
  o.tty = true;
  ASSERT_TRUE(start_monitor(o));
  auto args = read_file(dir_ + "/args");
  ASSERT_TRUE(args);
  EXPECT_EQ(*args, fmt::format("--id c1 --bundle {0} --runtime /bin/true --runtime-root {0} --exit-file "
                               "{0}/exit.json --socket-dir {0}/monitor --sync-fd 3 --create-lock-fd 4 --log-path /l/c.log "
                               "--runtime-arg --systemd-cgroup --tty\n",
                               dir_));
}

TEST_F(MonitorClient, CarriesTheRuntimesError) {
  auto r = start_monitor(fake_monitor("echo '{\"error\": \"exec: \\\"/x\\\": No such file\"}' >&3; exit 1"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "exec: \"/x\": No such file");
}

TEST_F(MonitorClient, AMonitorThatSaysNothingIsAnError) {
  auto r = start_monitor(fake_monitor("exit 3"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "monitor for c1 exited without reporting");
  auto garbage = start_monitor(fake_monitor("echo hello >&3"));
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().message, "monitor for c1: unreadable report \"hello\"");
}

TEST_F(MonitorClient, AMissingMonitorBinaryIsAnError) {
  MonitorOptions o = fake_monitor("");
  o.monitor_path = dir_ + "/nope";
  auto r = start_monitor(o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("No such file or directory"), std::string::npos) << r.error().message;
  // crid's own setup, not something the client named: no ENOENT (NotFound).
  EXPECT_EQ(r.error().code, 0);
}

// The create lock stays held by the monitor (fd 4) after start_monitor
// returns, for as long as the monitor keeps it, and not a moment longer.
TEST_F(MonitorClient, TheMonitorHoldsTheCreateLockUntilItLetsGo) {
  EXPECT_TRUE(wait_for_create_end(dir_, std::chrono::milliseconds(0)));  // nothing started yet
  auto o = fake_monitor("echo '{\"pid\": 1}' >&3; exec 3>&-; (sleep 0.5; exec 4>&-) & exit 0");
  ASSERT_TRUE(start_monitor(o));
  EXPECT_FALSE(wait_for_create_end(dir_, std::chrono::milliseconds(50)));
  EXPECT_TRUE(wait_for_create_end(dir_, std::chrono::seconds(10)));
}

TEST_F(MonitorClient, CommandsGetTheirReply) {
  ASSERT_EQ(::mkdir((dir_ + "/monitor").c_str(), 0700), 0);
  auto listener = listen_unix(dir_ + "/monitor/ctl", SOCK_SEQPACKET);
  ASSERT_TRUE(listener) << listener.error().message;
  std::thread server([fd = listener->get()] {
    for (int i = 0; i < 2; i++) {
      int conn;
      while ((conn = ::accept(fd, nullptr, nullptr)) < 0 && (errno == EAGAIN || errno == EINTR)) ::usleep(1000);
      char buf[64];
      ssize_t n = ::recv(conn, buf, sizeof buf, 0);
      std::string cmd(buf, n > 0 ? n : 0);
      std::string reply = cmd == "ping" ? "ok" : "error: unknown command \"" + cmd + "\"";
      ::send(conn, reply.data(), reply.size(), 0);
      ::close(conn);
    }
  });
  auto ok = monitor_command(dir_ + "/monitor", "ping");
  auto bad = monitor_command(dir_ + "/monitor", "dance");
  server.join();
  EXPECT_TRUE(ok) << ok.error().message;
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, fmt::format("monitor {}/monitor/ctl: dance: unknown command \"dance\"", dir_));
}

TEST_F(MonitorClient, NoMonitorIsAConnectError) {
  auto r = monitor_command(dir_ + "/monitor", "ping");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ENOENT);
}

TEST_F(MonitorClient, ReadsTheExitFile) {
  auto missing = read_exit_file(dir_ + "/exit.json");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ENOENT);
  ASSERT_TRUE(write_file_atomic(dir_ + "/exit.json", "{\"exit_code\":1,\"exited_at\":5,\"signal\":0}\n"));
  auto r = read_exit_file(dir_ + "/exit.json");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->exit_code, 1);
  EXPECT_EQ(r->exited_at_ns, 5);
  ASSERT_TRUE(write_file_atomic(dir_ + "/exit.json", "{"));
  auto broken = read_exit_file(dir_ + "/exit.json");
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().message, fmt::format("{}/exit.json: exit record: not a JSON object", dir_));
}

}  // namespace
}  // namespace berth::crid
