// The config `berth spec` writes. It matches what `runc spec` (and
// `runc spec --rootless`) writes, key for key, so bundles made by either tool
// behave the same under both runtimes; only ociVersion and hostname differ.
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "libcontainer/spec_parser.h"

namespace berth {

namespace {

using Json = nlohmann::json;

Json default_capabilities() {
  Json caps = Json::array({"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"});
  return Json{{"bounding", caps}, {"effective", caps}, {"permitted", caps}, {"ambient", caps}};
}

Json mount(const char *destination, const char *type, const char *source, Json options = nullptr) {
  Json m{{"destination", destination}, {"type", type}, {"source", source}};
  if (!options.is_null()) m["options"] = std::move(options);
  return m;
}

Json default_mounts(bool rootless) {
  Json devpts_options = {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"};
  // An unprivileged user cannot map gid 5 (tty), so rootless devpts leaves it out.
  if (!rootless) devpts_options.push_back("gid=5");
  Json mounts = Json::array({
      mount("/proc", "proc", "proc"),
      mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      mount("/dev/pts", "devpts", "devpts", devpts_options),
      mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
      mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
  });
  // A fresh sysfs needs a network namespace owned by the mounting user; the
  // rootless config keeps the host's network, so it bind-mounts /sys instead.
  if (rootless)
    mounts.push_back(mount("/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"}));
  else
    mounts.push_back(mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}));
  mounts.push_back(mount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}));
  return mounts;
}

Json default_linux(bool rootless) {
  Json linux;
  if (rootless) {
    // Map root in the container to the invoking user, the only id an
    // unprivileged user may map without newuidmap.
    linux["uidMappings"] = Json::array({{{"containerID", 0}, {"hostID", ::geteuid()}, {"size", 1}}});
    linux["gidMappings"] = Json::array({{{"containerID", 0}, {"hostID", ::getegid()}, {"size", 1}}});
  } else {
    linux["resources"] = {{"devices", Json::array({{{"allow", false}, {"access", "rwm"}}})}};
  }
  Json namespaces = Json::array();
  for (const char *type : {"pid", "network", "ipc", "uts", "mount"}) {
    if (rootless && std::string_view(type) == "network") continue;
    namespaces.push_back({{"type", type}});
  }
  if (rootless) namespaces.push_back({{"type", "user"}});
  linux["namespaces"] = std::move(namespaces);
  linux["maskedPaths"] = {"/proc/acpi",          "/proc/asound",     "/proc/kcore",       "/proc/keys",
                          "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
                          "/sys/firmware",       "/proc/scsi"};
  linux["readonlyPaths"] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
  return linux;
}

}  // namespace

Json default_spec(bool rootless) {
  Json process{
      {"terminal", true},
      {"user", {{"uid", 0}, {"gid", 0}}},
      {"args", {"sh"}},
      {"env", {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"}},
      {"cwd", "/"},
      {"capabilities", default_capabilities()},
      {"rlimits", Json::array({{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}})},
      {"noNewPrivileges", true},
  };
  return Json{
      {"ociVersion", "1.3.0"}, {"process", std::move(process)},      {"root", {{"path", "rootfs"}, {"readonly", true}}},
      {"hostname", "berth"},   {"mounts", default_mounts(rootless)}, {"linux", default_linux(rootless)},
  };
}

}  // namespace berth
