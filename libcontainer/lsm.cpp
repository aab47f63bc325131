#include "libcontainer/lsm.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libcontainer/fd.h"
#include "libcontainer/file_util.h"
#include "libcontainer/selinux_label.h"

namespace berth {

namespace {

bool exists(const char *path) {
  struct stat st;
  return ::stat(path, &st) == 0;
}

Result<void> write_attr(const char *path, const std::string &value, std::string_view field) {
  Fd fd(::open(path, O_WRONLY | O_CLOEXEC));
  if (!fd) return sys_error(errno, "{}: open {}", field, path);
  if (::write(fd.get(), value.data(), value.size()) < 0)
    return sys_error(errno, "{}: set \"{}\" through {}", field, value, path);
  return {};
}

}  // namespace

bool apparmor_enabled() {
  if (!exists("/sys/kernel/security/apparmor")) return false;
  auto v = read_file("/sys/module/apparmor/parameters/enabled");
  return v && v->substr(0, v->find_first_of(" \t\n")) == "Y";
}

bool selinux_enabled() {
  if (!exists("/sys/fs/selinux/enforce")) return false;
  // As go-selinux: until a policy is loaded every process is "kernel", and
  // the kernel takes any label without checking it.
  auto label = read_file("/proc/self/attr/current");
  return label && label->substr(0, label->find_first_of(std::string_view("\0\n", 2))) != "kernel";
}

Result<void> check_lsm_labels(const Spec &spec) {
  if (spec.process && !spec.process->apparmor_profile.empty() && !apparmor_enabled())
    return make_error("process.apparmorProfile: \"{}\" asked for, but AppArmor is not enabled on this host "
                      "(no /sys/kernel/security/apparmor)",
                      spec.process->apparmor_profile);
  if (spec.process && !spec.process->selinux_label.empty() && !selinux_enabled())
    return make_error("process.selinuxLabel: \"{}\" asked for, but SELinux is not enabled on this host "
                      "(no /sys/fs/selinux, or no policy loaded)",
                      spec.process->selinux_label);
  if (spec.linux && !spec.linux->mount_label.empty() && !selinux_enabled())
    return make_error("linux.mountLabel: \"{}\" asked for, but SELinux is not enabled on this host "
                      "(no /sys/fs/selinux, or no policy loaded)",
                      spec.linux->mount_label);
  if (spec.process) TRY(check_selinux_context(spec.process->selinux_label, "process.selinuxLabel"));
  if (spec.linux) TRY(check_selinux_context(spec.linux->mount_label, "linux.mountLabel"));
  return {};
}

Result<void> apply_exec_labels(const Process &proc) {
  if (!proc.apparmor_profile.empty()) {
    // The AppArmor-specific attr directory first: with stacked LSMs the
    // generic /proc/self/attr/exec belongs to whichever module came first.
    const char *path = exists("/proc/self/attr/apparmor/exec") ? "/proc/self/attr/apparmor/exec" : "/proc/self/attr/exec";
    TRY(write_attr(path, "exec " + proc.apparmor_profile, "process.apparmorProfile"));
  }
  if (!proc.selinux_label.empty()) TRY(write_attr("/proc/self/attr/exec", proc.selinux_label, "process.selinuxLabel"));
  return {};
}

}  // namespace berth
