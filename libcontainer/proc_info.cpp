#include "libcontainer/proc_info.h"

#include <cstdlib>
#include <sstream>

#include "libcontainer/file_util.h"

namespace berth {

std::optional<ProcStat> parse_proc_stat(const std::string &text) {
  // The command name is in parentheses and may contain anything, so fields
  // are counted from the last ')'.
  auto close = text.rfind(')');
  if (close == std::string::npos || close + 2 >= text.size()) return std::nullopt;
  std::istringstream rest(text.substr(close + 2));
  ProcStat st;
  rest >> st.state;
  std::string field;
  // state is field 3; starttime is field 22, so skip fields 4..21.
  for (int i = 4; i <= 21; ++i)
    if (!(rest >> field)) return std::nullopt;
  if (!(rest >> st.start_time)) return std::nullopt;
  return st;
}

std::optional<ProcStat> read_proc_stat(pid_t pid) {
  // Plain read(2): a process that exits between open and read makes the read
  // fail with ESRCH, which a std::filebuf would throw out of delete --force.
  auto text = read_file("/proc/" + std::to_string(pid) + "/stat");
  if (!text) return std::nullopt;
  return parse_proc_stat(*text);
}

bool process_is_alive(pid_t pid, uint64_t start_time) {
  if (pid <= 0) return false;
  auto st = read_proc_stat(pid);
  return st && st->state != 'Z' && st->state != 'X' && st->start_time == start_time;
}

}  // namespace berth
