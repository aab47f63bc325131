// Capabilities, seccomp, LSM labels, masked paths and the OOM score of a
// container or sandbox config.json, as containerd's CRI plugin sets them.
#include "crid/security_spec.h"

#include <sys/prctl.h>
#include <sys/utsname.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "libcontainer/capabilities.h"
#include "libcontainer/file_util.h"
#include "libcontainer/lsm.h"

namespace berth::crid::spec {

namespace {

using Json = nlohmann::json;

std::string canonical_capability(std::string_view name) {
  std::string upper;
  for (char c : name) upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  if (!upper.starts_with("CAP_")) upper.insert(0, "CAP_");
  return upper;
}

bool is_all(std::string_view name) {
  return name.size() == 3 && std::toupper(static_cast<unsigned char>(name[0])) == 'A' &&
         std::toupper(static_cast<unsigned char>(name[1])) == 'L' &&
         std::toupper(static_cast<unsigned char>(name[2])) == 'L';
}

void add_unique(std::vector<std::string> &set, const std::string &cap) {
  if (std::find(set.begin(), set.end(), cap) == set.end()) set.push_back(cap);
}

void remove(std::vector<std::string> &set, const std::string &cap) { std::erase(set, cap); }

Result<std::string> checked_capability(std::string_view name, std::string_view field, int index) {
  std::string cap = canonical_capability(name);
  auto number = capability_from_name(cap);
  if (!number) return make_error("{}[{}]: unknown capability \"{}\"", field, index, name);
  return cap;
}

// Docker profiles name architectures the Go way in includes/excludes.
std::string native_go_arch() {
  struct utsname u {};
  ::uname(&u);
  std::string_view m = u.machine;
  if (m == "x86_64") return "amd64";
  if (m == "aarch64") return "arm64";
  if (m == "i686" || m == "i386") return "386";
  if (m.starts_with("arm")) return "arm";
  return std::string(m);
}

std::string native_seccomp_arch() {
  static const std::pair<const char *, const char *> table[] = {
      {"amd64", "SCMP_ARCH_X86_64"}, {"arm64", "SCMP_ARCH_AARCH64"}, {"386", "SCMP_ARCH_X86"},
      {"arm", "SCMP_ARCH_ARM"},      {"ppc64le", "SCMP_ARCH_PPC64LE"}, {"s390x", "SCMP_ARCH_S390X"},
      {"riscv64", "SCMP_ARCH_RISCV64"}};
  std::string go = native_go_arch();
  for (auto [g, s] : table)
    if (go == g) return s;
  return "";
}

// "5.8" <= running kernel?
bool kernel_at_least(std::string_view version) {
  struct utsname u {};
  ::uname(&u);
  int want_major = 0, want_minor = 0, have_major = 0, have_minor = 0;
  if (std::sscanf(std::string(version).c_str(), "%d.%d", &want_major, &want_minor) < 1) return true;
  if (std::sscanf(u.release, "%d.%d", &have_major, &have_minor) < 1) return true;
  return have_major > want_major || (have_major == want_major && have_minor >= want_minor);
}

bool contains(const Json &list, const std::string &value) {
  if (!list.is_array()) return false;
  for (const auto &v : list)
    if (v.is_string() && v.get<std::string>() == value) return true;
  return false;
}

// Docker's rule: an entry applies when every included capability is held,
// the arch and kernel match, and no excluded capability or arch applies.
bool entry_applies(const Json &entry, const std::vector<std::string> &caps, const std::string &arch) {
  auto has_cap = [&](const Json &c) {
    return c.is_string() && std::find(caps.begin(), caps.end(), c.get<std::string>()) != caps.end();
  };
  if (auto in = entry.find("includes"); in != entry.end() && in->is_object()) {
    if (auto c = in->find("caps"); c != in->end() && c->is_array())
      for (const auto &cap : *c)
        if (!has_cap(cap)) return false;
    if (auto a = in->find("arches"); a != in->end() && a->is_array() && !a->empty() && !contains(*a, arch))
      return false;
    if (auto k = in->find("minKernel"); k != in->end() && k->is_string() && !kernel_at_least(k->get<std::string>()))
      return false;
  }
  if (auto ex = entry.find("excludes"); ex != entry.end() && ex->is_object()) {
    if (auto c = ex->find("caps"); c != ex->end() && c->is_array())
      for (const auto &cap : *c)
        if (has_cap(cap)) return false;
    if (auto a = ex->find("arches"); a != ex->end() && contains(*a, arch)) return false;
  }
  return true;
}

Result<Json> load_profile_file(const std::string &path, const std::vector<std::string> &caps,
                               std::string_view field) {
  auto text = read_file(path);
  if (!text) return std::unexpected(text.error().context(field));
  Json doc = Json::parse(*text, nullptr, false);
  if (doc.is_discarded()) return make_error("{}: seccomp profile {}: not valid JSON", field, path);
  return convert_seccomp_profile(doc, caps, fmt::format("{}: seccomp profile {}", field, path));
}

}  // namespace

const std::vector<std::string> &default_capabilities() {
  static const std::vector<std::string> caps = {
      "CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FSETID",  "CAP_FOWNER",           "CAP_MKNOD",
      "CAP_NET_RAW", "CAP_SETGID",      "CAP_SETUID",  "CAP_SETFCAP",          "CAP_SETPCAP",
      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"};
  return caps;
}

std::vector<std::string> all_capabilities() {
  int last = kernel_last_cap();
  std::vector<std::string> out;
  for (auto &name : capability_names()) {
    auto n = capability_from_name(name);
    // Only what crid's own bounding set holds: no runtime can grant more
    // (containerd uses its current set the same way), and hosts like one
    // without CAP_SYS_RESOURCE would fail every privileged container.
    if (n && *n <= last && ::prctl(PR_CAPBSET_READ, *n, 0, 0, 0) == 1) out.push_back(name);
  }
  return out;
}

Result<Json> capabilities_json(const runtime::v1::Capability &caps, bool privileged, std::string_view field) {
  std::vector<std::string> set = privileged ? all_capabilities() : default_capabilities();
  std::vector<std::string> ambient;
  const std::string add_field = fmt::format("{}.add_capabilities", field);
  const std::string drop_field = fmt::format("{}.drop_capabilities", field);
  const std::string ambient_field = fmt::format("{}.add_ambient_capabilities", field);
  if (!privileged) {
    for (const auto &c : caps.add_capabilities())
      if (is_all(c)) set = all_capabilities();
    for (const auto &c : caps.drop_capabilities())
      if (is_all(c)) set.clear();
    for (int i = 0; i < caps.add_capabilities_size(); ++i) {
      if (is_all(caps.add_capabilities(i))) continue;
      add_unique(set, TRY(checked_capability(caps.add_capabilities(i), add_field, i)));
    }
    for (int i = 0; i < caps.drop_capabilities_size(); ++i) {
      if (is_all(caps.drop_capabilities(i))) continue;
      remove(set, TRY(checked_capability(caps.drop_capabilities(i), drop_field, i)));
    }
  }
  for (int i = 0; i < caps.add_ambient_capabilities_size(); ++i) {
    std::string cap = TRY(checked_capability(caps.add_ambient_capabilities(i), ambient_field, i));
    add_unique(set, cap);
    add_unique(ambient, cap);
  }
  Json out{{"bounding", set}, {"effective", set}, {"permitted", set}};
  if (!ambient.empty()) {
    out["inheritable"] = ambient;
    out["ambient"] = ambient;
  }
  return out;
}

Result<Json> convert_seccomp_profile(const Json &profile, const std::vector<std::string> &caps,
                                     std::string_view source) {
  if (!profile.is_object()) return make_error("{}: expected a JSON object", source);
  auto action = profile.find("defaultAction");
  if (action == profile.end() || !action->is_string())
    return make_error("{}: defaultAction: expected a string", source);
  const std::string arch = native_go_arch();
  Json out{{"defaultAction", *action}};
  for (const char *key : {"defaultErrnoRet", "flags", "listenerPath", "listenerMetadata"})
    if (auto it = profile.find(key); it != profile.end()) out[key] = *it;

  Json architectures = Json::array();
  if (auto it = profile.find("architectures"); it != profile.end()) {
    if (!it->is_array()) return make_error("{}: architectures: expected an array", source);
    architectures = *it;
  }
  // archMap (Docker): only the native architecture and its sub-architectures.
  if (auto it = profile.find("archMap"); it != profile.end() && it->is_array()) {
    std::string native = native_seccomp_arch();
    for (const auto &m : *it) {
      if (!m.is_object() || m.value("architecture", "") != native) continue;
      if (!contains(architectures, native)) architectures.push_back(native);
      if (auto sub = m.find("subArchitectures"); sub != m.end() && sub->is_array())
        for (const auto &s : *sub)
          if (!contains(architectures, s.is_string() ? s.get<std::string>() : "")) architectures.push_back(s);
    }
  }
  if (!architectures.empty()) out["architectures"] = std::move(architectures);

  Json syscalls = Json::array();
  if (auto it = profile.find("syscalls"); it != profile.end()) {
    if (!it->is_array()) return make_error("{}: syscalls: expected an array", source);
    for (size_t i = 0; i < it->size(); ++i) {
      const Json &entry = (*it)[i];
      if (!entry.is_object()) return make_error("{}: syscalls[{}]: expected an object", source, i);
      if (!entry_applies(entry, caps, arch)) continue;
      Json names = Json::array();
      if (auto n = entry.find("names"); n != entry.end()) names = *n;
      if (auto n = entry.find("name"); n != entry.end() && n->is_string()) names.push_back(*n);
      if (!names.is_array() || names.empty())
        return make_error("{}: syscalls[{}]: names: expected a non-empty array", source, i);
      Json rule{{"names", names}};
      for (const char *key : {"action", "errnoRet", "args"})
        if (auto k = entry.find(key); k != entry.end() && !k->is_null()) rule[key] = *k;
      if (!rule.contains("action")) return make_error("{}: syscalls[{}]: action: missing", source, i);
      syscalls.push_back(std::move(rule));
    }
  }
  if (!syscalls.empty()) out["syscalls"] = std::move(syscalls);
  return out;
}

Result<Json> seccomp_json(bool has_profile, const runtime::v1::SecurityProfile &profile,
                          const std::string &deprecated_path, const SpecOptions &options,
                          const std::vector<std::string> &caps, std::string_view field) {
  using P = runtime::v1::SecurityProfile;
  auto runtime_default = [&]() -> Result<Json> {
    if (options.seccomp_default_profile.empty())
      return make_error("{}: RuntimeDefault asked for, but crid has no seccomp_default_profile set", field);
    return load_profile_file(options.seccomp_default_profile, caps, field);
  };
  auto localhost = [&](const std::string &ref, std::string_view ref_field) -> Result<Json> {
    if (ref.empty()) return make_error("{}: Localhost profile without a path", ref_field);
    std::string path = ref;
    if (path.front() != '/') {
      if (options.seccomp_profile_root.empty())
        return make_error("{}: \"{}\": a Localhost profile must be an absolute path", ref_field, ref);
      path = options.seccomp_profile_root + "/" + ref;
    }
    return load_profile_file(path, caps, ref_field);
  };
  if (has_profile) {
    switch (profile.profile_type()) {
      case P::RuntimeDefault: return runtime_default();
      case P::Unconfined: return Json(nullptr);
      case P::Localhost: return localhost(profile.localhost_ref(), fmt::format("{}.localhost_ref", field));
      default: return make_error("{}.profile_type: unknown type {}", field, static_cast<int>(profile.profile_type()));
    }
  }
  std::string_view old = deprecated_path;
  std::string old_field = fmt::format("{}_profile_path", field);
  if (old.empty() || old == "unconfined") return Json(nullptr);
  if (old == "runtime/default" || old == "docker/default") return runtime_default();
  if (old.starts_with("localhost/")) return localhost(std::string(old.substr(10)), old_field);
  return make_error("{}: unknown seccomp profile \"{}\"", old_field, old);
}

Result<std::string> apparmor_profile(bool has_profile, const runtime::v1::SecurityProfile &profile,
                                     const std::string &deprecated_name, std::string_view field) {
  using P = runtime::v1::SecurityProfile;
  std::string name;
  std::string name_field;
  if (has_profile) {
    if (profile.profile_type() != P::Localhost) return std::string();
    name = profile.localhost_ref();
    name_field = fmt::format("{}.localhost_ref", field);
    if (name.empty()) return make_error("{}: Localhost profile without a name", name_field);
  } else {
    std::string_view old = deprecated_name;
    if (old.empty() || old == "runtime/default" || old == "unconfined") return std::string();
    if (!old.starts_with("localhost/"))
      return make_error("{}_profile: unknown AppArmor profile \"{}\"", field, old);
    name = std::string(old.substr(10));
    name_field = fmt::format("{}_profile", field);
  }
  if (!apparmor_enabled())
    return make_error("{}: AppArmor profile \"{}\" asked for, but AppArmor is not enabled on this host", name_field,
                      name);
  return name;
}

SelinuxLabels selinux_labels(bool has_options, const runtime::v1::SELinuxOption &o) {
  if (!has_options || !selinux_enabled()) return {};
  if (o.user().empty() && o.role().empty() && o.type().empty() && o.level().empty()) return {};
  auto or_default = [](const std::string &v, const char *d) { return v.empty() ? std::string(d) : v; };
  std::string level = or_default(o.level(), "s0");
  return {fmt::format("{}:{}:{}:{}", or_default(o.user(), "system_u"), or_default(o.role(), "system_r"),
                      or_default(o.type(), "container_t"), level),
          fmt::format("system_u:object_r:container_file_t:{}", level)};
}

const std::vector<std::string> &default_masked_paths() {
  static const std::vector<std::string> paths = {
      "/proc/acpi",        "/proc/asound",      "/proc/kcore", "/proc/keys",    "/proc/latency_stats",
      "/proc/timer_list",  "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
      "/sys/devices/virtual/powercap"};
  return paths;
}

const std::vector<std::string> &default_readonly_paths() {
  static const std::vector<std::string> paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                                 "/proc/sysrq-trigger"};
  return paths;
}

int oom_score_adj(int64_t requested, const SpecOptions &options) {
  int64_t adj = std::clamp<int64_t>(requested, -1000, 1000);
  if (options.restrict_oom_score_adj && adj < options.own_oom_score_adj) adj = options.own_oom_score_adj;
  return static_cast<int>(adj);
}

}  // namespace berth::crid::spec
