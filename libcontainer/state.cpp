#include "libcontainer/state.h"

#include <climits>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <ctime>

#include "cgroups/manager.h"
#include "libcontainer/file_util.h"
#include "libcontainer/proc_info.h"

namespace berth {

std::string_view status_name(Status s) {
  switch (s) {
    case Status::Creating: return "creating";
    case Status::Created: return "created";
    case Status::Running: return "running";
    case Status::Paused: return "paused";
    case Status::Stopped: return "stopped";
  }
  return "unknown";
}

nlohmann::json state_to_json(const ContainerState &s) {
  return {{"id", s.id},
          {"ociVersion", s.oci_version},
          {"pid", s.pid},
          {"pidStartTime", s.pid_start_time},
          {"bundle", s.bundle},
          {"rootfs", s.rootfs},
          {"created", s.created},
          {"owner", s.owner},
          {"annotations", s.annotations},
          {"ownPidNamespace", s.own_pid_ns},
          {"cgroup", s.cgroup},
          {"extra", s.extra}};
}

Result<ContainerState> state_from_json(const nlohmann::json &j) {
  // Checked before get<>(): nlohmann converts a JSON float with a plain cast,
  // undefined behaviour when out of range (e.g. "pid": 1e300; a regression input of fuzz_state), and an
  // integer that wraps could name another process (pid 4294967297 -> 1).
  if (j.is_object()) {
    if (auto it = j.find("pid"); it != j.end() &&
        (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > INT_MAX))
      return make_error("state.json: pid: expected a process id, got {}", it->dump());
    if (auto it = j.find("pidStartTime"); it != j.end() &&
        (!it->is_number_integer() || (!it->is_number_unsigned() && it->get<int64_t>() < 0)))
      return make_error("state.json: pidStartTime: expected a non-negative integer, got {}", it->dump());
  }
  try {
    ContainerState s;
    s.id = j.at("id").get<std::string>();
    s.oci_version = j.value("ociVersion", "");
    s.pid = j.at("pid").get<pid_t>();
    s.pid_start_time = j.at("pidStartTime").get<uint64_t>();
    s.bundle = j.at("bundle").get<std::string>();
    s.rootfs = j.value("rootfs", "");
    s.created = j.value("created", "");
    s.owner = j.value("owner", "");
    if (j.contains("annotations")) s.annotations = j["annotations"].get<std::map<std::string, std::string>>();
    s.own_pid_ns = j.value("ownPidNamespace", true);
    s.cgroup = j.value("cgroup", nlohmann::json());
    s.extra = j.value("extra", nlohmann::json::object());
    return s;
  } catch (const nlohmann::json::exception &e) {
    return make_error("state.json: {}", e.what());
  }
}

Result<void> validate_id(std::string_view id) {
  if (id.empty()) return make_error("container id cannot be empty");
  if (id == "." || id == "..") return make_error("invalid container id \"{}\"", id);
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '+' || c == '-' || c == '.';
    if (!ok) return make_error("invalid container id \"{}\": only letters, digits and _+-. are allowed", id);
  }
  if (id.size() > 1024) return make_error("invalid container id: longer than 1024 characters");
  return {};
}

static Result<Fd> lock_dir(const std::string &path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return sys_error(errno, "open {}", path);
  while (::flock(fd.get(), LOCK_EX) < 0)
    if (errno != EINTR) return sys_error(errno, "lock {}", path);
  return fd;
}

Result<StateDir> StateDir::create(const std::string &root, const std::string &id) {
  std::string path = root + "/" + id;
  // The root exists but on a host's first container: make it only then.
  int rc = ::mkdir(path.c_str(), 0700);
  if (rc < 0 && errno == ENOENT) {
    TRY(mkdir_all(root, 0700));
    rc = ::mkdir(path.c_str(), 0700);
  }
  if (rc < 0) {
    if (errno == EEXIST) return make_error("container \"{}\" already exists", id);
    return sys_error(errno, "mkdir {}", path);
  }
  auto fd = lock_dir(path);
  if (!fd) {
    ::rmdir(path.c_str());
    return std::unexpected(fd.error());
  }
  return StateDir(path, std::move(*fd));
}

Result<StateDir> StateDir::open(const std::string &root, const std::string &id) {
  TRY(validate_id(id));
  std::string path = root + "/" + id;
  Fd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return make_error("container \"{}\" does not exist", id);
    return sys_error(errno, "open {}", path);
  }
  while (::flock(fd.get(), LOCK_EX) < 0)
    if (errno != EINTR) return sys_error(errno, "lock {}", path);
  // A concurrent delete may have removed the directory while we waited.
  struct stat st;
  if (::fstat(fd.get(), &st) < 0 || st.st_nlink == 0)
    return make_error("container \"{}\" does not exist", id);
  return StateDir(path, std::move(fd));
}

Result<ContainerState> StateDir::load() const {
  auto text = read_file(file("state.json"));
  if (!text) {
    // A directory without state is a create still in progress (or one that
    // died before writing it).
    if (text.error().code == ENOENT) return make_error("container state not found in {}", path_);
    return std::unexpected(text.error());
  }
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded()) return make_error("{}: invalid JSON", file("state.json"));
  return state_from_json(j);
}

Result<void> StateDir::save(const ContainerState &s) const {
  return write_file_atomic(file("state.json"), state_to_json(s).dump());
}

Result<void> StateDir::remove() {
  TRY(remove_tree(path_));
  lock_.reset();
  return {};
}

// Paused is the cgroup's freezer state, not something the state file records.
static bool is_frozen(const nlohmann::json &cgroup) {
  if (cgroup.is_null()) return false;
  auto cg = cgroups::manager_from_json(cgroup);
  if (!cg) return false;
  auto st = (*cg)->freezer_state();
  return st && *st == cgroups::FreezerState::Frozen;
}

Status container_status(const ContainerState &s, const StateDir &dir) {
  if (!process_is_alive(s.pid, s.pid_start_time)) return Status::Stopped;
  if (is_frozen(s.cgroup)) return Status::Paused;
  if (::access(dir.file("exec.fifo").c_str(), F_OK) == 0) return Status::Created;
  return Status::Running;
}

std::string now_rfc3339() {
  // Civil time from the calendar types, not gmtime_r + strftime: those load
  // the time zone file (and its code) on every start for a UTC string.
  using namespace std::chrono;
  auto now = system_clock::now();
  auto day = floor<days>(now);
  year_month_day ymd{day};
  hh_mm_ss hms{floor<nanoseconds>(now - day)};
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:09d}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), hms.hours().count(),
                     hms.minutes().count(), hms.seconds().count(), hms.subseconds().count());
}

}  // namespace berth
