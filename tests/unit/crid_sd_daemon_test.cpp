#include "crid/sd_daemon.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "libcontainer/fd.h"

namespace berth::crid {
namespace {

Fd bound_socket(int type, const std::string &path, bool listen) {
  Fd fd(::socket(AF_UNIX, type | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  ::unlink(path.c_str());
  EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0) << std::strerror(errno);
  if (listen) EXPECT_EQ(::listen(fd.get(), 1), 0);
  return fd;
}

TEST(SdDaemon, NotifySendsOneDatagramToNotifySocket) {
  std::string path = "/tmp/crid-sd-notify-" + std::to_string(::getpid());
  Fd server = bound_socket(SOCK_DGRAM, path, false);
  ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
  ASSERT_TRUE(sd::notify("READY=1"));
  char buf[64] = {};
  ssize_t n = ::recv(server.get(), buf, sizeof buf, MSG_DONTWAIT);
  EXPECT_EQ(std::string(buf, n > 0 ? size_t(n) : 0), "READY=1");
  ::setenv("NOTIFY_SOCKET", "relative", 1);
  auto bad = sd::notify("READY=1");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "$NOTIFY_SOCKET \"relative\": not a unix socket path");
  ::unsetenv("NOTIFY_SOCKET");
  EXPECT_TRUE(sd::notify("READY=1"));  // not under systemd: nothing to do
  ::unlink(path.c_str());
}

TEST(SdDaemon, ListenFdsOnlyForThisPid) {
  ::setenv("LISTEN_PID", "1", 1);
  ::setenv("LISTEN_FDS", "1", 1);
  EXPECT_EQ(sd::listen_fds().value_or(-1), 0);
  EXPECT_EQ(::getenv("LISTEN_FDS"), nullptr);
  ::setenv("LISTEN_PID", std::to_string(::getpid()).c_str(), 1);
  ::setenv("LISTEN_FDS", "x", 1);
  EXPECT_FALSE(sd::listen_fds());
  EXPECT_EQ(sd::listen_fds().value_or(-1), 0);  // no variables: no sockets
}

TEST(SdDaemon, ListeningUnixStreamSocket) {
  std::string path = "/tmp/crid-sd-listen-" + std::to_string(::getpid());
  Fd listening = bound_socket(SOCK_STREAM, path, true);
  EXPECT_TRUE(sd::is_listening_unix_stream(listening.get()).value_or(false));
  Fd bound = bound_socket(SOCK_STREAM, path + "b", false);
  EXPECT_FALSE(sd::is_listening_unix_stream(bound.get()).value_or(true));
  Fd dgram = bound_socket(SOCK_DGRAM, path + "d", false);
  EXPECT_FALSE(sd::is_listening_unix_stream(dgram.get()).value_or(true));
  for (auto p : {path, path + "b", path + "d"}) ::unlink(p.c_str());
}

}  // namespace
}  // namespace berth::crid
