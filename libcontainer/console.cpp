#include "libcontainer/console.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>

#include "libcontainer/fd.h"
#include "libcontainer/sync.h"

namespace berth {

Result<int> connect_console_socket(const std::string &path) {
  return TRY_CTX(connect_unix_socket(path), "--console-socket");
}

Result<void> setup_console(int socket_fd, const std::optional<ConsoleSize> &size, bool mount_dev_console) {
  Fd master(::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master) return sys_error(errno, "open /dev/ptmx in the container");
  if (::unlockpt(master.get()) < 0) return sys_error(errno, "unlockpt");
  char name[128];
  if (::ptsname_r(master.get(), name, sizeof name) != 0) return sys_error(errno, "ptsname");
  if (size && size->height && size->width) {
    struct winsize ws = {};
    ws.ws_row = size->height;
    ws.ws_col = size->width;
    ::ioctl(master.get(), TIOCSWINSZ, &ws);
  }
  Fd slave(::open(name, O_RDWR | O_NOCTTY));
  if (!slave) return sys_error(errno, "open {}", name);
  if (mount_dev_console) {
    // /dev/console must exist as a file for the bind mount.
    Fd f(::open("/dev/console", O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!f && errno != EEXIST) return sys_error(errno, "create /dev/console");
    if (::mount(name, "/dev/console", nullptr, MS_BIND, nullptr) < 0)
      return sys_error(errno, "bind {} on /dev/console", name);
  }
  TRY(send_fd(socket_fd, master.get(), name));
  master.reset();
  if (::ioctl(slave.get(), TIOCSCTTY, 0) < 0) return sys_error(errno, "make {} the controlling terminal", name);
  for (int i = 0; i < 3; ++i)
    if (::dup3(slave.get(), i, 0) < 0) return sys_error(errno, "dup console to fd {}", i);
  return {};
}

}  // namespace berth
