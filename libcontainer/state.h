// The on-disk record of one container: <root>/<id>/state.json, written
// atomically, read by every command. Status is never stored: it is derived
// from the live process each time (see container_status()).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "libcontainer/fd.h"
#include "libcontainer/result.h"

namespace berth {

enum class Status { Creating, Created, Running, Paused, Stopped };
std::string_view status_name(Status s);

struct ContainerState {
  std::string id;
  std::string oci_version;
  pid_t pid = 0;
  uint64_t pid_start_time = 0;
  std::string bundle;
  std::string rootfs;
  std::string created;  // RFC 3339 with nanoseconds, UTC
  std::string owner;
  std::map<std::string, std::string> annotations;
  bool own_pid_ns = true;       // kill/delete must sweep the cgroup when false
  nlohmann::json cgroup;        // cgroups::Manager::to_json()
  nlohmann::json extra;         // room for later parts (hooks, rootless, ...)
};

nlohmann::json state_to_json(const ContainerState &s);
Result<ContainerState> state_from_json(const nlohmann::json &j);

// A lock over one container's directory, held for the whole command so
// commands on one container are serialised and others run in parallel.
class StateDir {
 public:
  // Makes <root>/<id> (fails with "already exists" for a duplicate) and locks it.
  static Result<StateDir> create(const std::string &root, const std::string &id);
  // Opens and locks an existing <root>/<id>; "container does not exist" otherwise.
  static Result<StateDir> open(const std::string &root, const std::string &id);

  const std::string &path() const { return path_; }
  // The fd holding the lock: a cloned child must close it, or it holds the lock too.
  int lock_fd() const { return lock_.get(); }
  std::string file(std::string_view name) const { return path_ + "/" + std::string(name); }

  Result<ContainerState> load() const;
  Result<void> save(const ContainerState &s) const;
  // Removes the directory (and releases the lock with it).
  Result<void> remove();

 private:
  StateDir(std::string path, Fd lock) : path_(std::move(path)), lock_(std::move(lock)) {}
  std::string path_;
  Fd lock_;
};

// Checks a container id the way runc does: letters, digits, '_', '+', '-', '.'.
Result<void> validate_id(std::string_view id);

Status container_status(const ContainerState &s, const StateDir &dir);

std::string now_rfc3339();

}  // namespace berth
