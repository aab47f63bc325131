#include "cgroups/systemd_bus.h"

#include "config.h"

#include <string.h>
#include <time.h>

#if HAVE_LIBSYSTEMD
#include <systemd/sd-bus.h>

#include "cgroups/sd_bus_dl.h"
#endif

namespace berth::cgroups {

#if HAVE_LIBSYSTEMD

namespace {

constexpr const char *kDest = "org.freedesktop.systemd1";
constexpr const char *kPath = "/org/freedesktop/systemd1";
constexpr const char *kManager = "org.freedesktop.systemd1.Manager";
// systemd under load (or under emulation) can take a while to run a job.
constexpr uint64_t kJobTimeoutUsec = 90ull * 1000000;

struct BusError {
  sd_bus_error e = SD_BUS_ERROR_NULL;
  ~BusError() { sd_bus_error_free(&e); }
  std::string text(int r) const {
    return sd_bus_error_is_set(&e) && e.message ? std::string(e.message) : std::string(strerror(-r));
  }
};

struct Message {
  sd_bus_message *m = nullptr;
  ~Message() { sd_bus_message_unref(m); }
};

uint64_t now_usec() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000 + static_cast<uint64_t>(ts.tv_nsec) / 1000;
}

int append_property(sd_bus_message *m, const UnitProperty &p) {
  int r = sd_bus_message_open_container(m, 'r', "sv");
  if (r < 0) return r;
  if ((r = sd_bus_message_append(m, "s", p.name.c_str())) < 0) return r;
  r = std::visit(
      [m](const auto &v) -> int {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) {
          return sd_bus_message_append(m, "v", "b", static_cast<int>(v));
        } else if constexpr (std::is_same_v<T, uint64_t>) {
          return sd_bus_message_append(m, "v", "t", v);
        } else if constexpr (std::is_same_v<T, std::string>) {
          return sd_bus_message_append(m, "v", "s", v.c_str());
        } else if constexpr (std::is_same_v<T, std::vector<uint32_t>>) {
          int q = sd_bus_message_open_container(m, 'v', "au");
          if (q < 0) return q;
          if ((q = sd_bus_message_append_array(m, 'u', v.data(), v.size() * sizeof(uint32_t))) < 0) return q;
          return sd_bus_message_close_container(m);
        } else if constexpr (std::is_same_v<T, std::vector<uint8_t>>) {
          int q = sd_bus_message_open_container(m, 'v', "ay");
          if (q < 0) return q;
          if ((q = sd_bus_message_append_array(m, 'y', v.data(), v.size())) < 0) return q;
          return sd_bus_message_close_container(m);
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          int q = sd_bus_message_open_container(m, 'v', "as");
          if (q < 0) return q;
          if ((q = sd_bus_message_open_container(m, 'a', "s")) < 0) return q;
          for (const auto &s : v)
            if ((q = sd_bus_message_append(m, "s", s.c_str())) < 0) return q;
          if ((q = sd_bus_message_close_container(m)) < 0) return q;
          return sd_bus_message_close_container(m);
        } else {
          int q = sd_bus_message_open_container(m, 'v', "a(ss)");
          if (q < 0) return q;
          if ((q = sd_bus_message_open_container(m, 'a', "(ss)")) < 0) return q;
          for (const auto &[a, b] : v)
            if ((q = sd_bus_message_append(m, "(ss)", a.c_str(), b.c_str())) < 0) return q;
          if ((q = sd_bus_message_close_container(m)) < 0) return q;
          return sd_bus_message_close_container(m);
        }
      },
      p.value);
  if (r < 0) return r;
  return sd_bus_message_close_container(m);
}

int append_properties(sd_bus_message *m, const std::vector<UnitProperty> &props) {
  int r = sd_bus_message_open_container(m, 'a', "(sv)");
  if (r < 0) return r;
  for (const auto &p : props)
    if ((r = append_property(m, p)) < 0) return r;
  return sd_bus_message_close_container(m);
}

}  // namespace

struct SystemdBus::Impl {
  sd_bus *bus = nullptr;
  bool direct = false;  // systemd's private socket: peer-to-peer, no bus daemon
  ~Impl() { sd_bus_flush_close_unref(bus); }

  // The job a call queued, until systemd reports it removed.
  struct JobWait {
    std::string path;
    std::string result;
    bool done = false;
  };

  static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *) {
    auto *w = static_cast<JobWait *>(userdata);
    uint32_t id = 0;
    const char *path = nullptr, *unit = nullptr, *result = nullptr;
    if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0) return 0;
    if (path && w->path == path) {
      w->result = result ? result : "";
      w->done = true;
    }
    return 0;
  }

  // Calls a manager method that returns a job path and waits for the job.
  Result<void> call_and_wait(sd_bus_message *call, const std::string &what, bool no_such_unit_ok) {
    JobWait wait;
    sd_bus_slot *slot = nullptr;
    // On the private socket signals come without a sender: match on none.
    int r = sd_bus_match_signal(bus, &slot, direct ? nullptr : kDest, kPath, kManager, "JobRemoved",
                                &Impl::on_job_removed, &wait);
    if (r < 0) return sys_error(-r, "{}: subscribe to systemd's JobRemoved signal", what);
    struct SlotUnref {
      sd_bus_slot *s;
      ~SlotUnref() { sd_bus_slot_unref(s); }
    } slot_guard{slot};

    BusError err;
    Message reply;
    r = sd_bus_call(bus, call, kJobTimeoutUsec, &err.e, &reply.m);
    if (r < 0) {
      if (no_such_unit_ok && sd_bus_error_has_name(&err.e, "org.freedesktop.systemd1.NoSuchUnit")) return {};
      return make_error("{}: {}", what, err.text(r));
    }
    const char *job = nullptr;
    if ((r = sd_bus_message_read(reply.m, "o", &job)) < 0) return sys_error(-r, "{}: read the job path", what);
    wait.path = job;
    uint64_t deadline = now_usec() + kJobTimeoutUsec;
    while (!wait.done) {
      r = sd_bus_process(bus, nullptr);
      if (r < 0) return sys_error(-r, "{}: wait for systemd's job {}", what, wait.path);
      if (r > 0) continue;
      uint64_t now = now_usec();
      if (now >= deadline) return make_error("{}: systemd's job {} did not finish in {}s", what, wait.path,
                                             kJobTimeoutUsec / 1000000);
      r = sd_bus_wait(bus, deadline - now);
      if (r < 0) return sys_error(-r, "{}: wait for systemd's job {}", what, wait.path);
    }
    if (wait.result != "done") return make_error("{}: systemd's job ended \"{}\"", what, wait.result);
    return {};
  }
};

SystemdBus::SystemdBus(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SystemdBus::~SystemdBus() = default;

Result<std::unique_ptr<SystemdBus>> SystemdBus::connect() {
  TRY(sdbus::load());
  auto impl = std::make_unique<Impl>();
  int r = -ENOENT;
  if (geteuid() == 0) {
    r = sd_bus_new(&impl->bus);
    if (r >= 0) r = sd_bus_set_address(impl->bus, "unix:path=/run/systemd/private");
    if (r >= 0) r = sd_bus_start(impl->bus);
    if (r >= 0) {
      impl->direct = true;
    } else {
      impl->bus = sd_bus_flush_close_unref(impl->bus);
    }
  }
  if (!impl->direct) {
    int r2 = sd_bus_open_system(&impl->bus);
    if (r2 < 0) {
      impl->bus = nullptr;
      // The private socket's error says more when both are missing.
      return sys_error(r != -ENOENT ? -r : -r2,
                       "--systemd-cgroup: cannot connect to systemd over D-Bus (is systemd running as PID 1?)");
    }
  }
  // A bus without systemd on it (a dbus-daemon alone) is no better.
  BusError err;
  char *version = nullptr;
  r = sd_bus_get_property_string(impl->bus, kDest, kPath, kManager, "Version", &err.e, &version);
  if (r < 0)
    return make_error("--systemd-cgroup: cannot connect to systemd over D-Bus (is systemd running as PID 1?): {}",
                      err.text(r));
  free(version);
  if (!impl->direct) {
    // On the system bus systemd emits job signals only once a client subscribed.
    BusError serr;
    (void)sd_bus_call_method(impl->bus, kDest, kPath, kManager, "Subscribe", &serr.e, nullptr, "");
  }
  return std::unique_ptr<SystemdBus>(new SystemdBus(std::move(impl)));
}

Result<void> SystemdBus::start_transient_unit(const std::string &name, const std::vector<UnitProperty> &props) {
  std::string what = fmt::format("start systemd unit {}", name);
  Message call;
  int r = sd_bus_message_new_method_call(impl_->bus, &call.m, kDest, kPath, kManager, "StartTransientUnit");
  if (r >= 0) r = sd_bus_message_append(call.m, "ss", name.c_str(), "fail");
  if (r >= 0) r = append_properties(call.m, props);
  if (r >= 0) r = sd_bus_message_append(call.m, "a(sa(sv))", 0);
  if (r < 0) return sys_error(-r, "{}: build the D-Bus message", what);
  return impl_->call_and_wait(call.m, what, false);
}

Result<void> SystemdBus::stop_unit(const std::string &name) {
  std::string what = fmt::format("stop systemd unit {}", name);
  Message call;
  int r = sd_bus_message_new_method_call(impl_->bus, &call.m, kDest, kPath, kManager, "StopUnit");
  if (r >= 0) r = sd_bus_message_append(call.m, "ss", name.c_str(), "replace");
  if (r < 0) return sys_error(-r, "{}: build the D-Bus message", what);
  return impl_->call_and_wait(call.m, what, true);
}

Result<void> SystemdBus::set_unit_properties(const std::string &name, const std::vector<UnitProperty> &props) {
  if (props.empty()) return {};
  std::string what = fmt::format("set properties of systemd unit {}", name);
  Message call, reply;
  BusError err;
  int r = sd_bus_message_new_method_call(impl_->bus, &call.m, kDest, kPath, kManager, "SetUnitProperties");
  if (r >= 0) r = sd_bus_message_append(call.m, "sb", name.c_str(), 1);
  if (r >= 0) r = append_properties(call.m, props);
  if (r < 0) return sys_error(-r, "{}: build the D-Bus message", what);
  r = sd_bus_call(impl_->bus, call.m, kJobTimeoutUsec, &err.e, &reply.m);
  if (r < 0) return make_error("{}: {}", what, err.text(r));
  return {};
}

Result<std::string> SystemdBus::control_group(const std::string &name) {
  BusError err;
  Message reply;
  int r = sd_bus_call_method(impl_->bus, kDest, kPath, kManager, "GetUnit", &err.e, &reply.m, "s", name.c_str());
  if (r < 0) return make_error("systemd unit {}: {}", name, err.text(r));
  const char *path = nullptr;
  if ((r = sd_bus_message_read(reply.m, "o", &path)) < 0) return sys_error(-r, "systemd unit {}: read its path", name);
  const char *iface = name.ends_with(".slice") ? "org.freedesktop.systemd1.Slice" : "org.freedesktop.systemd1.Scope";
  char *cgroup = nullptr;
  BusError perr;
  r = sd_bus_get_property_string(impl_->bus, kDest, path, iface, "ControlGroup", &perr.e, &cgroup);
  if (r < 0) return make_error("systemd unit {}: read ControlGroup: {}", name, perr.text(r));
  std::string out = cgroup ? cgroup : "";
  free(cgroup);
  if (out.empty()) return make_error("systemd unit {}: systemd gave it no cgroup", name);
  return out;
}

#else  // !HAVE_LIBSYSTEMD

struct SystemdBus::Impl {};
SystemdBus::SystemdBus(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SystemdBus::~SystemdBus() = default;

Result<std::unique_ptr<SystemdBus>> SystemdBus::connect() {
  return make_error("--systemd-cgroup: berth was built without libsystemd (configure found no libsystemd-dev)");
}
Result<void> SystemdBus::start_transient_unit(const std::string &, const std::vector<UnitProperty> &) {
  return make_error("built without libsystemd");
}
Result<void> SystemdBus::stop_unit(const std::string &) { return make_error("built without libsystemd"); }
Result<void> SystemdBus::set_unit_properties(const std::string &, const std::vector<UnitProperty> &) {
  return make_error("built without libsystemd");
}
Result<std::string> SystemdBus::control_group(const std::string &) { return make_error("built without libsystemd"); }

#endif

}  // namespace berth::cgroups
