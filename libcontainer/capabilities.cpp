#include "libcontainer/capabilities.h"

#include <fcntl.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include <cctype>
#include <memory>

#include "libcontainer/fd.h"

namespace berth {
namespace {

struct CapFree {
  void operator()(void *p) const { cap_free(p); }
};

std::string names_of(uint64_t mask) {
  std::string out;
  for (int cap = 0; cap < 64; ++cap) {
    if (!(mask & ResolvedCapabilities::bit(cap))) continue;
    std::unique_ptr<char, CapFree> name(cap_to_name(cap));
    std::string upper = name ? name.get() : fmt::format("{}", cap);
    for (char &c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!out.empty()) out += ' ';
    out += upper;
  }
  return out.empty() ? "none" : out;
}

// One set from the config: its names to bits, with a warning per dropped name.
uint64_t resolve_set(std::string_view set, const std::vector<std::string> &names, int last_cap,
                     std::vector<std::string> &warnings) {
  uint64_t mask = 0;
  for (const auto &name : names) {
    auto cap = capability_from_name(name);
    if (!cap) {
      warnings.push_back(
          fmt::format("process.capabilities.{}: unknown capability \"{}\" ignored", set, name));
    } else if (*cap > last_cap) {
      warnings.push_back(fmt::format(
          "process.capabilities.{}: {} is not supported by the running kernel (its last "
          "capability is {}), ignored",
          set, name, last_cap));
    } else {
      mask |= ResolvedCapabilities::bit(*cap);
    }
  }
  return mask;
}

}  // namespace

int kernel_last_cap() {
  Fd fd(::open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC));
  if (fd) {
    char buf[16] = {};
    ssize_t n = ::read(fd.get(), buf, sizeof buf - 1);
    if (n > 0) {
      int v = 0;
      bool ok = false;
      for (ssize_t i = 0; i < n && std::isdigit(static_cast<unsigned char>(buf[i])); ++i) {
        v = v * 10 + (buf[i] - '0');
        ok = true;
      }
      if (ok && v < 64) return v;
    }
  }
  // libcap probes the bounding set when /proc cannot tell.
  return static_cast<int>(cap_max_bits()) - 1;
}

std::optional<int> capability_from_name(std::string_view name) {
  if (!name.starts_with("CAP_") || name.size() == 4) return std::nullopt;
  for (char c : name.substr(4))
    if (!(std::isupper(static_cast<unsigned char>(c)) || c == '_' ||
          std::isdigit(static_cast<unsigned char>(c))))
      return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(name[4]))) return std::nullopt;
  cap_value_t v = -1;
  std::string z(name);
  if (cap_from_name(z.c_str(), &v) != 0 || v < 0 || v >= 64) return std::nullopt;
  return static_cast<int>(v);
}

std::vector<std::string> capability_names() {
  std::vector<std::string> names;
  int known = static_cast<int>(CAP_LAST_CAP) + 1;
  for (int cap = 0; cap < known && cap < 64; ++cap) {
    std::unique_ptr<char, CapFree> name(cap_to_name(cap));
    if (!name) continue;
    std::string upper = name.get();
    // cap_to_name spells a number for a capability it has no name for.
    if (!std::isalpha(static_cast<unsigned char>(upper[0]))) continue;
    for (char &c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    names.push_back(std::move(upper));
  }
  return names;
}

Result<CapabilityResolution> resolve_capabilities(const Capabilities &config) {
  CapabilityResolution out;
  ResolvedCapabilities &c = out.caps;
  c.last_cap = kernel_last_cap();
  auto &w = out.warnings;
  c.bounding = resolve_set("bounding", config.bounding, c.last_cap, w);
  c.effective = resolve_set("effective", config.effective, c.last_cap, w);
  c.permitted = resolve_set("permitted", config.permitted, c.last_cap, w);
  c.inheritable = resolve_set("inheritable", config.inheritable, c.last_cap, w);
  c.ambient = resolve_set("ambient", config.ambient, c.last_cap, w);

  if (uint64_t extra = c.effective & ~c.permitted)
    return make_error(
        "process.capabilities.effective: {} not in the permitted set (the kernel refuses an "
        "effective capability that is not permitted)",
        names_of(extra));
  // PR_CAP_AMBIENT_RAISE fails unless the capability is permitted and
  // inheritable; leave it out here. runc's own default config asks for this,
  // and runc ignores it silently, so it is a debug note, not a warning.
  if (uint64_t orphans = c.ambient & ~(c.permitted & c.inheritable)) {
    out.notes.push_back(fmt::format(
        "process.capabilities.ambient: {} ignored (an ambient capability must also be permitted "
        "and inheritable)",
        names_of(orphans)));
    c.ambient &= ~orphans;
  }
  return out;
}

Result<void> drop_bounding_set(const ResolvedCapabilities &caps) {
  for (int cap = 0; cap <= caps.last_cap; ++cap) {
    if (caps.has_bounding(cap)) continue;
    if (::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
      int err = errno;
      // The kernel may know fewer capabilities than the one we were built for.
      if (err == EINVAL) break;
      return sys_error(err, "drop capability {} from the bounding set",
                       names_of(ResolvedCapabilities::bit(cap)));
    }
  }
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return sys_error(errno, "prctl PR_SET_KEEPCAPS");
  return {};
}

Result<void> apply_capabilities(const ResolvedCapabilities &caps) {
  std::unique_ptr<std::remove_pointer_t<cap_t>, CapFree> state(cap_init());
  if (!state) return sys_error(errno, "cap_init");
  for (int cap = 0; cap <= caps.last_cap && cap < 64; ++cap) {
    cap_value_t v = cap;
    uint64_t b = ResolvedCapabilities::bit(cap);
    if ((caps.effective & b) && cap_set_flag(state.get(), CAP_EFFECTIVE, 1, &v, CAP_SET) != 0)
      return sys_error(errno, "cap_set_flag");
    if ((caps.permitted & b) && cap_set_flag(state.get(), CAP_PERMITTED, 1, &v, CAP_SET) != 0)
      return sys_error(errno, "cap_set_flag");
    if ((caps.inheritable & b) && cap_set_flag(state.get(), CAP_INHERITABLE, 1, &v, CAP_SET) != 0)
      return sys_error(errno, "cap_set_flag");
  }
  if (cap_set_proc(state.get()) != 0)
    return sys_error(errno, "set capabilities (effective: {}; permitted: {}; inheritable: {})",
                     names_of(caps.effective), names_of(caps.permitted),
                     names_of(caps.inheritable));

  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) {
    // Kernels before 4.3 have no ambient set: nothing to clear, nothing to raise.
    if (errno != EINVAL || caps.ambient != 0)
      return sys_error(errno, "clear the ambient capability set");
  }
  for (int cap = 0; cap <= caps.last_cap && cap < 64; ++cap) {
    uint64_t b = ResolvedCapabilities::bit(cap);
    if (!(caps.ambient & b)) continue;
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0)
      return sys_error(errno, "raise ambient capability {}", names_of(b));
  }
  if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) return sys_error(errno, "prctl PR_SET_KEEPCAPS 0");
  return {};
}

Result<void> set_no_new_privileges() {
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return sys_error(errno, "prctl PR_SET_NO_NEW_PRIVS");
  return {};
}

}  // namespace berth
