// The OCI runtime binary (berth, runc, crun) through its runc-compatible
// command line, for everything but create (which the monitor runs).
#pragma once

#include <string>

#include "libcontainer/result.h"

namespace berth::crid {

class OciRuntime {
 public:
  OciRuntime(std::string path, std::string root) : path_(std::move(path)), root_(std::move(root)) {}

  Result<void> start(const std::string &id) const;
  // signal: a name or number the runtime accepts ("SIGTERM", "KILL", "9").
  Result<void> kill(const std::string &id, const std::string &signal) const;
  // kill --all: every process in the container's cgroup, also after its init exited.
  Result<void> kill_all(const std::string &id, const std::string &signal) const;
  // --force: kills a container that still runs. A container the runtime does not know is not an error.
  Result<void> remove(const std::string &id) const;
  // The container's status as the runtime reports it ("created", "running",
  // "stopped", "paused"), or "" when the runtime does not know the container.
  Result<std::string> status(const std::string &id) const;

  const std::string &path() const { return path_; }
  const std::string &root() const { return root_; }

 private:
  std::string path_;
  std::string root_;
};

}  // namespace berth::crid
