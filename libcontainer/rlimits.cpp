#include "libcontainer/rlimits.h"

#include <sys/resource.h>

#include <array>
#include <cstdint>
#include <utility>

namespace berth {
namespace {

struct RlimitName {
  std::string_view name;
  int resource;
};

// Kernel order (include/uapi/asm-generic/resource.h).
constexpr std::array kRlimits{
    RlimitName{"RLIMIT_CPU", RLIMIT_CPU},
    RlimitName{"RLIMIT_FSIZE", RLIMIT_FSIZE},
    RlimitName{"RLIMIT_DATA", RLIMIT_DATA},
    RlimitName{"RLIMIT_STACK", RLIMIT_STACK},
    RlimitName{"RLIMIT_CORE", RLIMIT_CORE},
    RlimitName{"RLIMIT_RSS", RLIMIT_RSS},
    RlimitName{"RLIMIT_NPROC", RLIMIT_NPROC},
    RlimitName{"RLIMIT_NOFILE", RLIMIT_NOFILE},
    RlimitName{"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    RlimitName{"RLIMIT_AS", RLIMIT_AS},
    RlimitName{"RLIMIT_LOCKS", RLIMIT_LOCKS},
    RlimitName{"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    RlimitName{"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    RlimitName{"RLIMIT_NICE", RLIMIT_NICE},
    RlimitName{"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    RlimitName{"RLIMIT_RTTIME", RLIMIT_RTTIME},
};

// RLIM_INFINITY is all ones, as is the largest JSON value for an unlimited
// limit, so the spec's numbers pass to the kernel unchanged.
static_assert(RLIM_INFINITY == UINT64_MAX);

std::string limit_text(uint64_t v) {
  return v == RLIM_INFINITY ? std::string("unlimited") : fmt::format("{}", v);
}

}  // namespace

std::optional<int> rlimit_from_name(std::string_view name) {
  for (const auto &r : kRlimits)
    if (r.name == name) return r.resource;
  return std::nullopt;
}

std::vector<std::string> rlimit_names() {
  std::vector<std::string> names;
  names.reserve(kRlimits.size());
  for (const auto &r : kRlimits) names.emplace_back(r.name);
  return names;
}

Result<void> validate_rlimits(const std::vector<Rlimit> &rlimits) {
  for (size_t i = 0; i < rlimits.size(); ++i) {
    const Rlimit &r = rlimits[i];
    if (!rlimit_from_name(r.type))
      return make_error("process.rlimits[{}].type: unknown rlimit \"{}\"", i, r.type);
    for (size_t j = 0; j < i; ++j)
      if (rlimits[j].type == r.type)
        return make_error("process.rlimits[{}].type: {} is already set by process.rlimits[{}]", i,
                          r.type, j);
    if (r.soft > r.hard)
      return make_error("process.rlimits[{}]: {} soft limit {} is above its hard limit {}", i,
                        r.type, limit_text(r.soft), limit_text(r.hard));
  }
  return {};
}

Result<void> apply_rlimits(const std::vector<Rlimit> &rlimits) {
  for (const Rlimit &r : rlimits) {
    auto resource = rlimit_from_name(r.type);
    if (!resource) return make_error("setrlimit: unknown rlimit \"{}\"", r.type);
    const struct rlimit want { .rlim_cur = r.soft, .rlim_max = r.hard };
    if (::setrlimit(*resource, &want) == 0) continue;
    int err = errno;
    struct rlimit now {};
    if (err == EPERM && ::getrlimit(*resource, &now) == 0 && r.hard > now.rlim_max)
      return std::unexpected(Error{
          err, fmt::format("setrlimit {} (soft {}, hard {}): {} (the hard limit here is {} and "
                           "raising it needs CAP_SYS_RESOURCE)",
                           r.type, limit_text(r.soft), limit_text(r.hard), std::strerror(err),
                           limit_text(now.rlim_max))});
    // RLIMIT_NOFILE above fs.nr_open fails with EPERM too, even with the capability.
    if (err == EPERM && *resource == RLIMIT_NOFILE)
      return std::unexpected(Error{
          err, fmt::format("setrlimit {} (soft {}, hard {}): {} (is it above fs.nr_open?)", r.type,
                           limit_text(r.soft), limit_text(r.hard), std::strerror(err))});
    return sys_error(err, "setrlimit {} (soft {}, hard {})", r.type, limit_text(r.soft),
                     limit_text(r.hard));
  }
  return {};
}

}  // namespace berth
