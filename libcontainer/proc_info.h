// Facts about a live process read from /proc, used to tell a container's init
// from a process that merely reuses its pid.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace berth {

struct ProcStat {
  char state = '?';          // R, S, D, Z, T, ...
  uint64_t start_time = 0;   // clock ticks after boot (field 22)
};

// Parses the text of /proc/<pid>/stat; the comm field may hold spaces and ')'.
std::optional<ProcStat> parse_proc_stat(const std::string &text);

std::optional<ProcStat> read_proc_stat(pid_t pid);

// True while pid names a live (not zombie) process started at start_time.
bool process_is_alive(pid_t pid, uint64_t start_time);

}  // namespace berth
