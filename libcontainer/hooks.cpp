#include "libcontainer/hooks.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <ctime>

#include "libcontainer/fd.h"

namespace berth {

namespace {

constexpr std::array<HookKindName, 6> kHookKinds = {{
    {HookKind::Prestart, "prestart"},
    {HookKind::CreateRuntime, "createRuntime"},
    {HookKind::CreateContainer, "createContainer"},
    {HookKind::StartContainer, "startContainer"},
    {HookKind::Poststart, "poststart"},
    {HookKind::Poststop, "poststop"},
}};

std::vector<Hook> *hooks_slot(Hooks &h, HookKind kind) {
  switch (kind) {
    case HookKind::Prestart: return &h.prestart;
    case HookKind::CreateRuntime: return &h.create_runtime;
    case HookKind::CreateContainer: return &h.create_container;
    case HookKind::StartContainer: return &h.start_container;
    case HookKind::Poststart: return &h.poststart;
    case HookKind::Poststop: return &h.poststop;
  }
  return &h.poststop;
}

// The hook may exit without reading its stdin: that must neither kill us
// with SIGPIPE nor block us on a full pipe, so the write is non-blocking
// and SIGPIPE is held back and swallowed.
void feed_stdin(int fd, std::string_view data) {
  sigset_t pipe_set, old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigprocmask(SIG_BLOCK, &pipe_set, &old);
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      break;  // EPIPE (hook gone) or EAGAIN (hook not reading): it gets what fit
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  struct timespec zero = {0, 0};
  while (sigtimedwait(&pipe_set, nullptr, &zero) > 0) {
  }
  sigprocmask(SIG_SETMASK, &old, nullptr);
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return fmt::format("exit status {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
  return fmt::format("wait status {}", status);
}

}  // namespace

std::span<const HookKindName> hook_kinds() { return kHookKinds; }

std::string_view hook_kind_name(HookKind kind) {
  for (const auto &k : kHookKinds)
    if (k.kind == kind) return k.name;
  return "?";
}

const std::vector<Hook> &hooks_of(const Hooks &hooks, HookKind kind) {
  return *hooks_slot(const_cast<Hooks &>(hooks), kind);
}

Result<void> run_hook(const Hook &hook, std::string_view state_json, std::string_view where) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) return sys_error(errno, "{}: {}: pipe for stdin", where, hook.path);
  Fd in_r(p[0]), in_w(p[1]);

  std::vector<char *> argv, envp;
  for (const auto &a : hook.args) argv.push_back(const_cast<char *>(a.c_str()));
  if (argv.empty()) argv.push_back(const_cast<char *>(hook.path.c_str()));
  argv.push_back(nullptr);
  for (const auto &e : hook.env) envp.push_back(const_cast<char *>(e.c_str()));
  envp.push_back(nullptr);

  pid_t pid = ::fork();
  if (pid < 0) return sys_error(errno, "{}: {}: fork", where, hook.path);
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (::dup2(in_r.get(), 0) < 0) _exit(126);
    ::execve(hook.path.c_str(), argv.data(), envp.data());
    fmt::print(stderr, "berth: {}: exec {}: {}\n", where, hook.path, std::strerror(errno));
    _exit(127);
  }
  in_r.reset();
  Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  ::fcntl(in_w.get(), F_SETFL, O_NONBLOCK);
  feed_stdin(in_w.get(), state_json);
  in_w.reset();

  if (hook.timeout && pidfd) {
    struct pollfd pf = {pidfd.get(), POLLIN, 0};
    int ms = *hook.timeout * 1000;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
      struct timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      int elapsed = static_cast<int>((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000);
      int left = ms - elapsed;
      if (left <= 0) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        return make_error("{}: {}: timed out after {} seconds and was killed", where, hook.path, *hook.timeout);
      }
      int r = ::poll(&pf, 1, left);
      if (r > 0) break;
      if (r < 0 && errno != EINTR) break;
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return sys_error(errno, "{}: {}: wait", where, hook.path);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  return make_error("{}: {} failed: {}", where, hook.path, describe_status(status));
}

Result<void> run_hooks(const Hooks &hooks, HookKind kind, std::string_view state_json) {
  const auto &list = hooks_of(hooks, kind);
  for (size_t i = 0; i < list.size(); ++i)
    TRY(run_hook(list[i], state_json, fmt::format("hooks.{}[{}]", hook_kind_name(kind), i)));
  return {};
}

nlohmann::json hooks_to_json(const Hooks &hooks) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto &k : kHookKinds) {
    const auto &list = hooks_of(hooks, k.kind);
    if (list.empty()) continue;
    auto arr = nlohmann::json::array();
    for (const auto &h : list) {
      nlohmann::json e = {{"path", h.path}};
      if (!h.args.empty()) e["args"] = h.args;
      if (!h.env.empty()) e["env"] = h.env;
      if (h.timeout) e["timeout"] = *h.timeout;
      arr.push_back(std::move(e));
    }
    j[std::string(k.name)] = std::move(arr);
  }
  return j;
}

Hooks hooks_from_json(const nlohmann::json &j) {
  Hooks hooks;
  if (!j.is_object()) return hooks;
  // Written by hooks_to_json: a malformed entry is skipped rather than thrown.
  for (const auto &k : kHookKinds) {
    auto it = j.find(std::string(k.name));
    if (it == j.end() || !it->is_array()) continue;
    for (const auto &e : *it) {
      if (!e.is_object() || !e.contains("path") || !e["path"].is_string()) continue;
      Hook h;
      h.path = e["path"].get<std::string>();
      if (auto a = e.find("args"); a != e.end() && a->is_array())
        for (const auto &s : *a)
          if (s.is_string()) h.args.push_back(s.get<std::string>());
      if (auto v = e.find("env"); v != e.end() && v->is_array())
        for (const auto &s : *v)
          if (s.is_string()) h.env.push_back(s.get<std::string>());
      if (auto t = e.find("timeout"); t != e.end() && t->is_number_integer()) h.timeout = t->get<int>();
      hooks_slot(hooks, k.kind)->push_back(std::move(h));
    }
  }
  return hooks;
}

bool hooks_need_handshake(const Hooks &hooks) {
  return !hooks.prestart.empty() || !hooks.create_runtime.empty() || !hooks.create_container.empty() ||
         !hooks.start_container.empty();
}

}  // namespace berth
