// Persistent network namespaces for pods: a new namespace pinned by a bind
// mount of its nsfs file onto a path (e.g. <state>/netns/<sandbox id>), so it
// lives on without any process in it until remove_pinned_netns.
//
// crid is multithreaded and never forks: a namespace is made by a short-lived
// thread that unshares its own network namespace (unshare(CLONE_NEWNET) in a
// thread affects that thread only), the way CNI's ns package and CRI-O's pinns
// do. The calling thread never changes namespace.
#pragma once

#include <functional>
#include <string>
#include <utility>

#include "libcontainer/result.h"

namespace berth::netns {

// Creates the file at path (its directory must exist; the file must not),
// unshares a network namespace in a fresh thread, brings its loopback up and
// bind-mounts the namespace onto path. On failure nothing is left at path.
Result<void> create_pinned_netns(const std::string &path);

// Unmounts (MNT_DETACH) and unlinks path. Idempotent: a missing path or a
// path that is not a mount point is fine.
Result<void> remove_pinned_netns(const std::string &path);

// Is path a mounted network namespace?
bool is_pinned_netns(const std::string &path);

// Runs fn in a fresh thread that has joined the network namespace at path;
// the caller's own thread stays where it is. fn's result is returned.
Result<void> run_in_netns(const std::string &path, const std::function<Result<void>()> &fn);

// Owns a pinned namespace: removes it when destroyed unless released. For
// callers that pin a namespace, then do more that may fail.
class PinnedNetns {
 public:
  static Result<PinnedNetns> create(std::string path);
  PinnedNetns(PinnedNetns &&other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  PinnedNetns &operator=(PinnedNetns &&) = delete;
  PinnedNetns(const PinnedNetns &) = delete;
  ~PinnedNetns();

  const std::string &path() const { return path_; }
  // Keeps the namespace past this object's life; returns its path.
  std::string release() { return std::exchange(path_, {}); }

 private:
  explicit PinnedNetns(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace berth::netns
