#include "cgroups/cgroupfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <set>
#include <thread>

#include "libcontainer/fd.h"
#include "libcontainer/file_util.h"

namespace berth::cgroups {

Result<std::string> read_text(const std::string &path) { return read_file(path); }

std::vector<std::string_view> split_words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = s.find_first_of(" \t\n", i);
    if (j == std::string_view::npos) j = s.size();
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

Result<void> write_text(const std::string &path, std::string_view value) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return sys_error(errno, "open {}", path);
  ssize_t n;
  do {
    n = ::write(fd.get(), value.data(), value.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) return sys_error(errno, "write \"{}\" to {}", value, path);
  if (static_cast<size_t>(n) != value.size())
    return make_error("write \"{}\" to {}: short write", value, path);
  return {};
}

Result<void> mkdir_all(const std::string &dir, std::vector<std::string> &created) {
  if (dir.empty() || dir[0] != '/') return make_error("cgroup directory {} is not absolute", dir);
  // The usual case is a parent that exists: try the leaf first and walk up
  // only on ENOENT, instead of a mkdir and a stat per level on every create.
  if (::mkdir(dir.c_str(), 0755) == 0) {
    created.push_back(dir);
    return {};
  }
  if (errno == EEXIST) {
    struct stat st;
    if (::stat(dir.c_str(), &st) != 0) return sys_error(errno, "stat {}", dir);
    if (!S_ISDIR(st.st_mode)) return make_error("mkdir {}: exists and is not a directory", dir);
    return {};
  }
  if (errno != ENOENT) return sys_error(errno, "mkdir {}", dir);
  auto slash = dir.rfind('/');
  if (slash == 0 || slash == std::string::npos) return sys_error(ENOENT, "mkdir {}", dir);
  TRY(mkdir_all(dir.substr(0, slash), created));
  if (::mkdir(dir.c_str(), 0755) != 0) {
    if (errno != EEXIST) return sys_error(errno, "mkdir {}", dir);
    return {};
  }
  created.push_back(dir);
  return {};
}

void remove_created(const std::vector<std::string> &created) {
  for (auto it = created.rbegin(); it != created.rend(); ++it) ::rmdir(it->c_str());
}

namespace {

// Subdirectories of a cgroup are its child cgroups; control files are not dirs.
Result<std::vector<std::string>> child_cgroups(const std::string &dir) {
  std::vector<std::string> out;
  DIR *d = ::opendir(dir.c_str());
  if (!d) {
    if (errno == ENOENT) return out;
    return sys_error(errno, "open directory {}", dir);
  }
  while (struct dirent *e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    if (e->d_type == DT_DIR) out.push_back(dir + "/" + e->d_name);
  }
  ::closedir(d);
  return out;
}

Result<void> rmdir_retrying(const std::string &dir) {
  using namespace std::chrono;
  // The kernel may still count exiting tasks for a moment after they were
  // killed and reaped; two seconds is plenty for that and bounded otherwise.
  auto deadline = steady_clock::now() + seconds(2);
  auto delay = milliseconds(5);
  for (;;) {
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return {};
    int err = errno;
    if (err != EBUSY || steady_clock::now() >= deadline) return sys_error(err, "remove cgroup {}", dir);
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, milliseconds(100));
  }
}

}  // namespace

Result<void> remove_cgroup_tree(const std::string &dir) {
  // Most cgroups have no children: try the rmdir first and list the directory
  // only when the kernel says something is still in it (child cgroups give
  // EBUSY on cgroupfs; ENOTEMPTY in case a kernel says so instead).
  if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return {};
  if (errno != EBUSY && errno != ENOTEMPTY) return sys_error(errno, "remove cgroup {}", dir);
  for (const auto &child : TRY(child_cgroups(dir))) TRY(remove_cgroup_tree(child));
  return rmdir_retrying(dir);
}

Result<std::vector<pid_t>> read_procs(const std::string &dir, bool recursive) {
  std::vector<pid_t> out;
  auto text = read_text(dir + "/cgroup.procs");
  if (!text) {
    // A cgroup that is gone holds no process.
    if (text.error().code == ENOENT) return out;
    return std::unexpected(text.error());
  }
  std::string_view rest = *text;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    if (line.empty()) continue;
    pid_t pid = 0;
    auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), pid);
    if (ec != std::errc{} || p != line.data() + line.size())
      return make_error("{}/cgroup.procs: unexpected line \"{}\"", dir, line);
    out.push_back(pid);
  }
  if (recursive) {
    for (const auto &child : TRY(child_cgroups(dir))) {
      auto more = TRY(read_procs(child, true));
      out.insert(out.end(), more.begin(), more.end());
    }
  }
  return out;
}

Result<void> signal_procs(const std::string &dir, int signal) {
  std::set<pid_t> signalled;
  // Bounded: a fork bomb outrunning us is stopped by the caller's freeze or
  // cgroup.kill, not by looping here forever.
  for (int pass = 0; pass < 100; ++pass) {
    bool fresh = false;
    for (pid_t pid : TRY(read_procs(dir, true))) {
      if (!signalled.insert(pid).second) continue;
      fresh = true;
      if (::kill(pid, signal) != 0 && errno != ESRCH)
        return sys_error(errno, "send signal {} to process {} of cgroup {}", signal, pid, dir);
    }
    if (!fresh) break;
  }
  return {};
}

}  // namespace berth::cgroups
