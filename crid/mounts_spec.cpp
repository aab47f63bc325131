// A container's mounts and devices, as containerd's WithMounts and WithDevices
// build them.
#include "crid/mounts_spec.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <filesystem>

#include "cgroups/device_rules.h"

namespace berth::crid::spec {

namespace {

using Json = nlohmann::json;

Json fs_mount(const char *destination, const char *type, const char *source, std::vector<std::string> options) {
  return Json{{"destination", destination}, {"type", type}, {"source", source}, {"options", std::move(options)}};
}

size_t depth(const std::string &path) { return static_cast<size_t>(std::count(path.begin(), path.end(), '/')); }

bool is_under(const std::string &path, const std::string &dir) {
  return path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/';
}

Json rule_json(const DeviceCgroupRule &r) {
  Json j{{"allow", r.allow}, {"access", r.access}};
  if (!r.type.empty()) j["type"] = r.type;
  if (r.major) j["major"] = *r.major;
  if (r.minor) j["minor"] = *r.minor;
  return j;
}

struct HostDevice {
  char type;
  int64_t major, minor;
  uint32_t mode, uid, gid;
};

std::optional<HostDevice> device_of(const struct stat &st) {
  char type;
  if (S_ISCHR(st.st_mode)) type = 'c';
  else if (S_ISBLK(st.st_mode)) type = 'b';
  else return std::nullopt;
  return HostDevice{type, static_cast<int64_t>(major(st.st_rdev)), static_cast<int64_t>(minor(st.st_rdev)),
                    static_cast<uint32_t>(st.st_mode & 07777), st.st_uid, st.st_gid};
}

void add_device(DevicePlan &plan, const std::string &container_path, const HostDevice &d,
                const std::string &access) {
  plan.devices.push_back({{"path", container_path},
                          {"type", std::string(1, d.type)},
                          {"major", d.major},
                          {"minor", d.minor},
                          {"fileMode", d.mode},
                          {"uid", d.uid},
                          {"gid", d.gid}});
  plan.rules.push_back(
      {{"allow", true}, {"type", std::string(1, d.type)}, {"major", d.major}, {"minor", d.minor}, {"access", access}});
}

}  // namespace

Json default_mounts(bool privileged, bool with_cgroup) {
  std::vector<std::string> sys_options = {"nosuid", "noexec", "nodev"};
  std::vector<std::string> cgroup_options = {"nosuid", "noexec", "nodev", "relatime"};
  if (!privileged) {
    sys_options.push_back("ro");
    cgroup_options.push_back("ro");
  }
  Json mounts = Json::array({
      fs_mount("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}),
      fs_mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      fs_mount("/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
      fs_mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
      fs_mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      fs_mount("/sys", "sysfs", "sysfs", sys_options),
  });
  if (with_cgroup) mounts.push_back(fs_mount("/sys/fs/cgroup", "cgroup", "cgroup", cgroup_options));
  return mounts;
}

Json bind_mount(const std::string &source, const std::string &destination, std::vector<std::string> options) {
  return Json{{"destination", destination}, {"type", "bind"}, {"source", source}, {"options", std::move(options)}};
}

std::string clean_path(const std::string &path) {
  if (path.empty()) return path;
  std::string out = std::filesystem::path(path).lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

Result<MountPlan> container_mounts(const runtime::v1::ContainerConfig &config, const SandboxContext &sandbox,
                                   bool privileged, bool readonly_rootfs) {
  using runtime::v1::MountPropagation;
  MountPlan plan;
  // (destination, entry): CRI mounts first, the pod's files after, then sorted.
  std::vector<std::pair<std::string, Json>> supplied;
  bool shared = false, slave = false;

  for (int i = 0; i < config.mounts_size(); ++i) {
    const auto &m = config.mounts(i);
    const std::string field = fmt::format("config.mounts[{}]", i);
    if (m.container_path().empty() || m.container_path().front() != '/')
      return make_error("{}.container_path: \"{}\": expected an absolute path", field, m.container_path());
    std::string dst = clean_path(m.container_path());
    if (dst == "/") return make_error("{}.container_path: cannot mount over the container's /", field);
    if (m.has_image() && !m.image().image().empty())
      return make_error("{}.image: image volumes are not supported", field);
    if (m.host_path().empty() || m.host_path().front() != '/')
      return make_error("{}.host_path: \"{}\": expected an absolute path", field, m.host_path());
    // The kubelet creates hostPath and emptyDir sources before it asks, so a
    // missing source is its mistake: refused, not created (nothing to clean up).
    char resolved[PATH_MAX];
    if (!::realpath(m.host_path().c_str(), resolved))
      return sys_error(errno, "{}.host_path: {}", field, m.host_path());

    std::vector<std::string> options = {"rbind"};
    switch (m.propagation()) {
      case MountPropagation::PROPAGATION_PRIVATE: options.push_back("rprivate"); break;
      case MountPropagation::PROPAGATION_HOST_TO_CONTAINER:
        options.push_back("rslave");
        slave = true;
        break;
      case MountPropagation::PROPAGATION_BIDIRECTIONAL:
        options.push_back("rshared");
        shared = true;
        break;
      default: return make_error("{}.propagation: unknown propagation {}", field, static_cast<int>(m.propagation()));
    }
    if (m.recursive_read_only()) {
      if (!m.readonly()) return make_error("{}.recursive_read_only: needs readonly", field);
      if (m.propagation() != MountPropagation::PROPAGATION_PRIVATE)
        return make_error("{}.recursive_read_only: needs private propagation", field);
      options.push_back("rro");
    } else {
      options.push_back(m.readonly() ? "ro" : "rw");
    }
    Json entry = bind_mount(resolved, dst, options);
    auto id_maps = [](const auto &maps) {
      Json out = Json::array();
      for (const auto &id : maps)
        out.push_back({{"containerID", id.container_id()}, {"hostID", id.host_id()}, {"size", id.length()}});
      return out;
    };
    if (m.uidmappings_size() > 0 || m.gidmappings_size() > 0) {
      if (m.uidmappings_size() == 0 || m.gidmappings_size() == 0)
        return make_error("{}: uidMappings and gidMappings go together", field);
      entry["uidMappings"] = id_maps(m.uidmappings());
      entry["gidMappings"] = id_maps(m.gidmappings());
      entry["options"].push_back("idmap");
    }
    supplied.emplace_back(dst, std::move(entry));
  }

  auto supplied_has = [&](const std::string &dst) {
    return std::any_of(supplied.begin(), supplied.end(), [&](auto &p) { return p.first == dst; });
  };
  const std::string file_mode = readonly_rootfs ? "ro" : "rw";
  const std::pair<const std::string *, const char *> pod_files[] = {
      {&sandbox.hostname_path, "/etc/hostname"},
      {&sandbox.hosts_path, "/etc/hosts"},
      {&sandbox.resolv_conf_path, "/etc/resolv.conf"},
  };
  std::vector<std::pair<std::string, Json>> pod_mounts;
  for (auto [source, dst] : pod_files)
    if (!source->empty() && !supplied_has(dst))
      pod_mounts.emplace_back(dst, bind_mount(*source, dst, {"rbind", "rprivate", file_mode}));
  if (!sandbox.shm_path.empty() && !supplied_has("/dev/shm"))
    pod_mounts.emplace_back("/dev/shm", bind_mount(sandbox.shm_path, "/dev/shm", {"rbind", "rprivate", "rw"}));
  for (auto &p : pod_mounts) supplied.push_back(std::move(p));

  std::vector<std::pair<std::string, Json>> all;
  const bool dev_supplied = supplied_has("/dev");
  for (auto &m : default_mounts(privileged)) {
    std::string dst = m["destination"].get<std::string>();
    if (supplied_has(dst) || (dev_supplied && is_under(dst, "/dev"))) continue;
    all.emplace_back(dst, std::move(m));
  }
  for (auto &p : supplied) all.push_back(std::move(p));
  std::stable_sort(all.begin(), all.end(), [](auto &a, auto &b) { return depth(a.first) < depth(b.first); });
  for (auto &p : all) plan.mounts.push_back(std::move(p.second));
  // A shared or slave bind needs the rootfs itself to propagate that way, or
  // mounts made on the host never reach the container's copy.
  if (shared) plan.rootfs_propagation = "rshared";
  else if (slave) plan.rootfs_propagation = "rslave";
  return plan;
}

Result<DevicePlan> container_devices(const runtime::v1::ContainerConfig &config) {
  DevicePlan plan;
  for (int i = 0; i < config.devices_size(); ++i) {
    const auto &d = config.devices(i);
    const std::string field = fmt::format("config.devices[{}]", i);
    std::string access = d.permissions().empty() ? "rwm" : d.permissions();
    if (access.find_first_not_of("rwm") != std::string::npos)
      return make_error("{}.permissions: \"{}\": expected letters of \"rwm\"", field, d.permissions());
    if (d.host_path().empty() || d.host_path().front() != '/')
      return make_error("{}.host_path: \"{}\": expected an absolute path", field, d.host_path());
    std::string container_path = d.container_path().empty() ? d.host_path() : d.container_path();
    if (container_path.front() != '/')
      return make_error("{}.container_path: \"{}\": expected an absolute path", field, d.container_path());
    container_path = clean_path(container_path);
    struct stat st {};
    if (::stat(d.host_path().c_str(), &st) != 0) return sys_error(errno, "{}.host_path: {}", field, d.host_path());
    if (auto dev = device_of(st)) {
      add_device(plan, container_path, *dev, access);
      continue;
    }
    if (!S_ISDIR(st.st_mode))
      return make_error("{}.host_path: {}: not a device node or a directory of them", field, d.host_path());
    // A directory (/dev/snd): every node below it, at the same place under container_path.
    std::error_code ec;
    const std::filesystem::path root(d.host_path());
    for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      struct stat sub {};
      if (::lstat(it->path().c_str(), &sub) != 0) continue;
      if (auto dev = device_of(sub))
        add_device(plan, clean_path(container_path + "/" + it->path().lexically_relative(root).string()), *dev,
                   access);
    }
    if (ec) return sys_error(ec.value(), "{}.host_path: read directory {}", field, d.host_path());
  }
  return plan;
}

DevicePlan host_devices() {
  DevicePlan plan;
  std::error_code ec;
  auto it = std::filesystem::recursive_directory_iterator("/dev", ec);
  for (; !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    const std::string path = it->path().string();
    if (it->is_directory(ec) && !it->is_symlink(ec)) {
      // Filesystems the runtime mounts fresh, and bookkeeping of other tools.
      static const char *const skip[] = {"/dev/pts", "/dev/shm", "/dev/fd", "/dev/mqueue", "/dev/.lxc",
                                         "/dev/.lxd-mounts", "/dev/.udev"};
      if (std::any_of(std::begin(skip), std::end(skip), [&](const char *s) { return path == s; }))
        it.disable_recursion_pending();
      continue;
    }
    if (path == "/dev/console") continue;  // the runtime sets up the container's own
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) continue;
    if (auto dev = device_of(st)) add_device(plan, path, *dev, "rwm");
  }
  plan.rules = Json::array({{{"allow", true}, {"access", "rwm"}}});
  return plan;
}

Json base_device_rules() {
  Json rules = Json::array({{{"allow", false}, {"access", "rwm"}}});
  for (const auto &r : cgroups::default_device_rules()) rules.push_back(rule_json(r));
  return rules;
}

}  // namespace berth::crid::spec
