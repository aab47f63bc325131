#include "libcontainer/proc_info.h"

#include <charconv>
#include <string_view>

#include "libcontainer/file_util.h"

namespace berth {

std::optional<ProcStat> parse_proc_stat(const std::string &text) {
  // The command name is in parentheses and may contain anything, so fields
  // are counted from the last ')'.
  auto close = text.rfind(')');
  if (close == std::string::npos || close + 2 >= text.size()) return std::nullopt;
  std::string_view rest = std::string_view(text).substr(close + 2);
  // Whitespace-separated fields from state (field 3) on; starttime is field 22.
  auto next = [&rest]() -> std::string_view {
    size_t b = rest.find_first_not_of(" \t\n");
    if (b == std::string_view::npos) return rest = {}, std::string_view{};
    size_t e = rest.find_first_of(" \t\n", b);
    if (e == std::string_view::npos) e = rest.size();
    std::string_view word = rest.substr(b, e - b);
    rest.remove_prefix(e);
    return word;
  };
  ProcStat st;
  std::string_view state = next();
  if (state.empty()) return std::nullopt;
  st.state = state[0];
  for (int i = 4; i <= 21; ++i)
    if (next().empty()) return std::nullopt;
  std::string_view start = next();
  auto [p, ec] = std::from_chars(start.data(), start.data() + start.size(), st.start_time);
  if (start.empty() || ec != std::errc{}) return std::nullopt;
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
