#include "libcontainer/criu.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "libcontainer/fd.h"
#include "libcontainer/file_util.h"

extern char **environ;

namespace berth {

namespace {

// Runs argv with stdout and stderr into out_fd; returns the exit status (or 128+signal).
Result<int> spawn_and_wait(const std::vector<std::string> &args, int out_fd) {
  std::vector<char *> argv;
  for (const auto &a : args) argv.push_back(const_cast<char *>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  ::posix_spawn_file_actions_init(&fa);
  ::posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
  ::posix_spawn_file_actions_adddup2(&fa, out_fd, 2);
  pid_t pid;
  int err = ::posix_spawn(&pid, args[0].c_str(), &fa, nullptr, argv.data(), environ);
  ::posix_spawn_file_actions_destroy(&fa);
  if (err) return sys_error(err, "run {}", args[0]);
  int status;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return sys_error(errno, "wait for {}", args[0]);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

std::string read_fd_all(int fd) {
  std::string out;
  ::lseek(fd, 0, SEEK_SET);
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

}  // namespace

Result<std::string> find_criu(std::string_view criu) {
  if (criu.find('/') != std::string_view::npos) {
    std::string p(criu);
    struct stat st;
    if (::stat(p.c_str(), &st) != 0) return sys_error(errno, "--criu {}", p);
    if (!S_ISREG(st.st_mode) || ::access(p.c_str(), X_OK) != 0)
      return make_error("--criu {}: not an executable file", p);
    return p;
  }
  const char *path = std::getenv("PATH");
  std::string_view dirs = path && *path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  while (!dirs.empty()) {
    size_t colon = dirs.find(':');
    std::string_view dir = dirs.substr(0, colon);
    dirs = colon == std::string_view::npos ? std::string_view{} : dirs.substr(colon + 1);
    if (dir.empty()) continue;
    std::string candidate = std::string(dir) + "/" + std::string(criu);
    struct stat st;
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
  }
  if (criu != "criu") return make_error("--criu {}: not found in PATH", criu);
  return make_error("criu not found in PATH (Debian: apt-get install criu)");
}

std::string criu_first_error(std::string_view output) {
  std::string_view last;
  while (!output.empty()) {
    size_t nl = output.find('\n');
    std::string_view line = output.substr(0, nl);
    output = nl == std::string_view::npos ? std::string_view{} : output.substr(nl + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.find("Error") != std::string_view::npos) return std::string(line);
    last = line;
  }
  return std::string(last);
}

Result<void> check_criu(const std::string &criu) {
  // An anonymous file: the output is read back once criu has exited, so a
  // chatty criu can never block on a full pipe.
  Fd out(::memfd_create("criu-check", MFD_CLOEXEC));
  if (!out) return sys_error(errno, "memfd for criu check output");
  auto rc = TRY_CTX(spawn_and_wait({criu, "check"}, out.get()), "criu check");
  if (rc == 0) return {};
  std::string first = criu_first_error(read_fd_all(out.get()));
  if (first.empty()) first = fmt::format("exit status {}", rc);
  return make_error("criu check failed ({} cannot checkpoint on this kernel): {}", criu, first);
}

Result<std::string> usable_criu(std::string_view criu) {
  auto found = TRY(find_criu(criu));
  TRY(check_criu(found));
  return found;
}

Result<void> run_criu(const std::vector<std::string> &args, const std::string &log_file, std::string_view what) {
  Fd out(::memfd_create("criu-output", MFD_CLOEXEC));
  if (!out) return sys_error(errno, "memfd for criu output");
  auto rc = TRY_CTX(spawn_and_wait(args, out.get()), std::string(what));
  if (rc == 0) return {};
  std::string text = read_fd_all(out.get());
  if (!log_file.empty()) {
    std::string log = read_file(log_file).value_or("");
    if (!log.empty()) text = log + "\n" + text;
  }
  std::string first = criu_first_error(text);
  if (first.empty()) first = fmt::format("exit status {}", rc);
  return make_error("{}: criu failed: {}{}", what, first,
                    log_file.empty() ? "" : fmt::format(" (see {})", log_file));
}

}  // namespace berth
