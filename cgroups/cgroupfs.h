// File operations on cgroupfs directories shared by the v1 and v2 managers.
// cgroupfs is not a normal filesystem: control files are written in one
// write(2) each, directories are removed with rmdir(2) even though they hold
// files, and rmdir fails with EBUSY while the kernel still counts members.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "libcontainer/result.h"

namespace berth::cgroups {

// The whole content of a (small) file, e.g. /proc/self/cgroup or cgroup.procs.
Result<std::string> read_text(const std::string &path);

// The whitespace-separated words of a cgroup file (views into text).
std::vector<std::string_view> split_words(std::string_view text);

// Writes value with a single write(2), as cgroupfs expects.
Result<void> write_text(const std::string &path, std::string_view value);

// mkdir -p: appends each directory it made itself (not pre-existing ones) to
// created, outermost first, so a caller can undo exactly its own work.
Result<void> mkdir_all(const std::string &dir, std::vector<std::string> &created);

// rmdir of dir and every cgroup below it, deepest first. While the kernel still
// counts members (EBUSY) it retries for a bounded time. A missing dir is success.
Result<void> remove_cgroup_tree(const std::string &dir);

// Best-effort rmdir of dirs in reverse order (undoing mkdir_all).
void remove_created(const std::vector<std::string> &created);

// The pids listed in dir/cgroup.procs; with recursive, also those of every
// cgroup below dir.
Result<std::vector<pid_t>> read_procs(const std::string &dir, bool recursive);

// Signals every process in dir (and its descendants), re-reading until a pass
// finds no process it has not signalled yet, so children forked meanwhile are
// not missed. Processes that are already gone are not an error.
Result<void> signal_procs(const std::string &dir, int signal);

}  // namespace berth::cgroups
