// Compiled seccomp programs, cached: the parent compiles a profile with
// libseccomp once and keeps the BPF program in /run/berth-seccomp-cache (0700),
// so the next container with the same profile skips the compile, and the init
// only hands a buffer already in memory to seccomp(2). The cache is shared by
// every state root: an entry's name says everything that built it.
//
// An entry is named by the sha256 of the canonical profile (what builds the
// program: actions, rules, architectures, flags), libseccomp's version, its
// API level (what the kernel offers it) and the native architecture, so a
// changed profile, library or kernel misses instead of loading a stale
// program. Each file ends with the sha256 of the program: a torn or damaged
// entry is a miss, compiled and written again.
#pragma once

#include <linux/filter.h>

#include <string>
#include <vector>

#include "libcontainer/fd.h"
#include "libcontainer/result.h"
#include "libcontainer/spec.h"

namespace berth {

struct SeccompProgram {
  std::vector<sock_filter> code;
  unsigned flags = 0;  // SECCOMP_FILTER_FLAG_*, NEW_LISTENER when a rule notifies
  bool from_cache = false;
};

// $BERTH_SECCOMP_CACHE when set (empty: no cache), else /run/berth-seccomp-cache.
std::string seccomp_cache_dir();

// The cache entry's name for a profile (64 hex digits).
std::string seccomp_cache_key(const Seccomp &seccomp);

// Parent, before clone: the program from cache_dir, or compiled and stored
// there atomically. An empty cache_dir compiles without caching; a cache that
// cannot be read or written costs a compile and a debug note, never an error.
Result<SeccompProgram> prepare_seccomp_program(const Seccomp &seccomp, const std::string &cache_dir);

// In the init: seccomp(SECCOMP_SET_MODE_FILTER) with the program's flags.
// Returns the notification listener when the program asks for one.
Result<Fd> load_seccomp_program(const SeccompProgram &program);

}  // namespace berth
