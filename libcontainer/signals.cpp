#include "libcontainer/signals.h"

#include <signal.h>

#include <charconv>
#include <utility>

namespace berth {

namespace {
constexpr std::pair<std::string_view, int> kSignals[] = {
    {"ABRT", SIGABRT}, {"ALRM", SIGALRM}, {"BUS", SIGBUS},       {"CHLD", SIGCHLD},   {"CLD", SIGCHLD},
    {"CONT", SIGCONT}, {"FPE", SIGFPE},   {"HUP", SIGHUP},       {"ILL", SIGILL},     {"INT", SIGINT},
    {"IO", SIGIO},     {"IOT", SIGIOT},   {"KILL", SIGKILL},     {"PIPE", SIGPIPE},   {"POLL", SIGPOLL},
    {"PROF", SIGPROF}, {"PWR", SIGPWR},   {"QUIT", SIGQUIT},     {"SEGV", SIGSEGV},   {"STKFLT", SIGSTKFLT},
    {"STOP", SIGSTOP}, {"SYS", SIGSYS},   {"TERM", SIGTERM},     {"TRAP", SIGTRAP},   {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU}, {"URG", SIGURG},       {"USR1", SIGUSR1},   {"USR2", SIGUSR2},
    {"VTALRM", SIGVTALRM}, {"WINCH", SIGWINCH}, {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},
};

std::optional<int> to_int(std::string_view s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}
}  // namespace

std::optional<int> parse_signal(std::string_view text) {
  if (auto n = to_int(text)) {
    if (*n <= 0 || *n > SIGRTMAX) return std::nullopt;
    return n;
  }
  std::string upper;
  for (char c : text) upper += static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  std::string_view name = upper;
  if (name.starts_with("SIG")) name.remove_prefix(3);
  for (const auto &[n, v] : kSignals)
    if (n == name) return v;
  auto rt = [&](std::string_view prefix, int base, int dir) -> std::optional<int> {
    if (!name.starts_with(prefix)) return std::nullopt;
    std::string_view rest = name.substr(prefix.size());
    if (rest.empty()) return base;
    if (rest[0] != (dir > 0 ? '+' : '-')) return std::nullopt;
    auto off = to_int(rest.substr(1));
    if (!off) return std::nullopt;
    int sig = base + dir * *off;
    if (sig < SIGRTMIN || sig > SIGRTMAX) return std::nullopt;
    return sig;
  };
  if (auto s = rt("RTMIN", SIGRTMIN, 1)) return s;
  if (auto s = rt("RTMAX", SIGRTMAX, -1)) return s;
  return std::nullopt;
}

std::vector<std::string> signal_names() {
  std::vector<std::string> out;
  for (const auto &[n, v] : kSignals) out.push_back("SIG" + std::string(n));
  return out;
}

}  // namespace berth
