#include "netns/netns.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <thread>

#include "libcontainer/fd.h"
#include "libcontainer/scope_exit.h"
#include "netns/loopback.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

namespace berth::netns {

namespace {

// Runs fn on a thread of its own and waits for it: whatever namespace that
// thread enters ends with it.
Result<void> on_own_thread(const std::function<Result<void>()> &fn) {
  Result<void> result;
  try {
    std::thread worker([&] { result = fn(); });
    worker.join();
  } catch (const std::system_error &e) {
    return sys_error(e.code().value(), "start a thread for a network namespace");
  }
  return result;
}

}  // namespace

Result<void> create_pinned_netns(const std::string &path) {
  {
    Fd file(::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444));
    if (!file) return sys_error(errno, "create network namespace file {}", path);
  }
  ScopeExit drop_file([&] { ::unlink(path.c_str()); });

  TRY(on_own_thread([&]() -> Result<void> {
    if (::unshare(CLONE_NEWNET) != 0) return sys_error(errno, "unshare a network namespace for {}", path);
    TRY_CTX(loopback_up(), fmt::format("new network namespace {}", path));
    std::string self = fmt::format("/proc/self/task/{}/ns/net", ::gettid());
    if (::mount(self.c_str(), path.c_str(), nullptr, MS_BIND, nullptr) != 0)
      return sys_error(errno, "bind-mount network namespace {} on {}", self, path);
    return {};
  }));
  drop_file.dismiss();
  return {};
}

Result<void> remove_pinned_netns(const std::string &path) {
  // A namespace pinned twice over the same file has two mounts to undo.
  for (int i = 0; i < 8; ++i) {
    if (::umount2(path.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) == 0) continue;
    if (errno == EINVAL || errno == ENOENT) break;
    return sys_error(errno, "unmount network namespace {}", path);
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    return sys_error(errno, "remove network namespace file {}", path);
  return {};
}

bool is_pinned_netns(const std::string &path) {
  struct statfs fs;
  return ::statfs(path.c_str(), &fs) == 0 && static_cast<unsigned long>(fs.f_type) == NSFS_MAGIC;
}

Result<void> run_in_netns(const std::string &path, const std::function<Result<void>()> &fn) {
  Fd ns(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!ns) return sys_error(errno, "open network namespace {}", path);
  return on_own_thread([&]() -> Result<void> {
    if (::setns(ns.get(), CLONE_NEWNET) != 0) return sys_error(errno, "join network namespace {}", path);
    return fn();
  });
}

Result<PinnedNetns> PinnedNetns::create(std::string path) {
  TRY(create_pinned_netns(path));
  return PinnedNetns(std::move(path));
}

PinnedNetns::~PinnedNetns() {
  if (!path_.empty()) (void)remove_pinned_netns(path_);
}

}  // namespace berth::netns
