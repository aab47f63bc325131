#include "libcontainer/seccomp_cache.h"
#include "config.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include <nlohmann/json.hpp>

#if HAVE_LIBSECCOMP
#include <seccomp.h>
#endif

#include "libcontainer/file_util.h"
#include "libcontainer/log.h"
#include "libcontainer/seccomp.h"
#include "libcontainer/sha256.h"

namespace berth {

namespace {

constexpr size_t kTrailer = 32;  // sha256 of the program

// What the library and kernel bring to the compile: the same profile may
// compile differently under another libseccomp or API level.
std::string toolchain_id() {
#if HAVE_LIBSECCOMP
  const scmp_version *v = seccomp_version();
  return fmt::format("libseccomp {}.{}.{} api {} arch {}", v->major, v->minor, v->micro, seccomp_api_get(),
                     seccomp_arch_native());
#else
  return "no libseccomp";
#endif
}

// Only what shapes the program: listenerPath and its metadata do not.
nlohmann::ordered_json canonical(const Seccomp &s) {
  nlohmann::ordered_json j;
  j["defaultAction"] = s.default_action;
  j["defaultErrnoRet"] = s.default_errno_ret ? nlohmann::ordered_json(*s.default_errno_ret) : nullptr;
  j["architectures"] = s.architectures;
  j["flags"] = s.flags;
  auto &calls = j["syscalls"] = nlohmann::ordered_json::array();
  for (const auto &c : s.syscalls) {
    nlohmann::ordered_json cj;
    cj["names"] = c.names;
    cj["action"] = c.action;
    cj["errnoRet"] = c.errno_ret ? nlohmann::ordered_json(*c.errno_ret) : nullptr;
    auto &args = cj["args"] = nlohmann::ordered_json::array();
    for (const auto &a : c.args)
      args.push_back({{"index", a.index}, {"value", a.value}, {"valueTwo", a.value_two}, {"op", a.op}});
    calls.push_back(std::move(cj));
  }
  return j;
}

unsigned kernel_flags(const Seccomp &s) {
  bool notifies = false;
  for (const auto &c : s.syscalls)
    notifies |= c.action == "SCMP_ACT_NOTIFY" && c.action != s.default_action;
  unsigned flags = notifies ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
  for (const auto &name : s.flags) {
    // TSYNC is left alone, as load_seccomp does: the init is single-threaded.
    switch (seccomp_flag_from_name(name).value_or(SeccompFlag::Tsync)) {
      case SeccompFlag::Tsync: break;
      case SeccompFlag::Log: flags |= SECCOMP_FILTER_FLAG_LOG; break;
      case SeccompFlag::SpecAllow: flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW; break;
      case SeccompFlag::WaitKillableRecv:
        // The kernel takes it only together with a listener.
        if (notifies) flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
        break;
    }
  }
  return flags;
}

std::string program_bytes(const std::vector<sock_filter> &code) {
  return std::string(reinterpret_cast<const char *>(code.data()), code.size() * sizeof(sock_filter));
}

std::string raw_digest(std::string_view data) {
  auto d = Sha256().update(data).digest();
  return std::string(reinterpret_cast<const char *>(d.data()), d.size());
}

Result<std::vector<sock_filter>> compile(const Seccomp &s) {
  Fd mem(::memfd_create("berth-seccomp", MFD_CLOEXEC));
  if (!mem) return sys_error(errno, "seccomp: create a memfd for the program");
  TRY(export_seccomp_bpf(s, mem.get()));
  struct stat st;
  if (::fstat(mem.get(), &st) < 0) return sys_error(errno, "seccomp: stat the exported program");
  if (st.st_size <= 0 || st.st_size % sizeof(sock_filter) != 0)
    return make_error("seccomp: libseccomp exported a program of {} bytes", st.st_size);
  std::vector<sock_filter> code(static_cast<size_t>(st.st_size) / sizeof(sock_filter));
  if (::pread(mem.get(), code.data(), static_cast<size_t>(st.st_size), 0) != st.st_size)
    return sys_error(errno ? errno : EIO, "seccomp: read the exported program");
  return code;
}

// nullopt on a miss, a damaged entry included.
std::optional<std::vector<sock_filter>> read_entry(const std::string &path) {
  auto text = read_file(path);
  if (!text) return std::nullopt;
  if (text->size() <= kTrailer || (text->size() - kTrailer) % sizeof(sock_filter) != 0) return std::nullopt;
  std::string_view body(text->data(), text->size() - kTrailer);
  if (raw_digest(body) != std::string_view(*text).substr(body.size())) return std::nullopt;
  std::vector<sock_filter> code(body.size() / sizeof(sock_filter));
  std::memcpy(code.data(), body.data(), body.size());
  return code;
}

// A program from a directory someone else can write to would be theirs, not
// the profile's. A missing directory is fine: write_entry makes it.
bool trusted_dir(const std::string &dir) {
  struct stat st;
  if (::lstat(dir.c_str(), &st) < 0) return errno == ENOENT;
  return S_ISDIR(st.st_mode) && st.st_uid == ::geteuid() && !(st.st_mode & 022);
}

// A name of its own per writer, then rename: concurrent creates with the same
// profile each replace the entry whole.
Result<void> write_entry(const std::string &dir, const std::string &path, const std::vector<sock_filter> &code) {
  TRY(mkdir_all(dir, 0700));
  if (::chmod(dir.c_str(), 0700) < 0) return sys_error(errno, "chmod {}", dir);
  std::string body = program_bytes(code);
  std::string tmp = fmt::format("{}.{}.tmp", path, ::getpid());
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd) return sys_error(errno, "create {}", tmp);
  std::string content = body + raw_digest(body);
  Result<void> ok;
  for (size_t off = 0; ok && off < content.size();) {
    ssize_t n = ::write(fd.get(), content.data() + off, content.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ok = sys_error(n < 0 ? errno : EIO, "write {}", tmp);
    else off += static_cast<size_t>(n);
  }
  if (ok && ::rename(tmp.c_str(), path.c_str()) < 0) ok = sys_error(errno, "rename {} to {}", tmp, path);
  if (!ok) ::unlink(tmp.c_str());
  return ok;
}

}  // namespace

std::string seccomp_cache_dir() {
  const char *env = ::getenv("BERTH_SECCOMP_CACHE");
  return env ? env : "/run/berth-seccomp-cache";
}

std::string seccomp_cache_key(const Seccomp &s) {
  return Sha256().update("berth seccomp program v1\n").update(canonical(s).dump()).update("\n").update(toolchain_id())
      .hex_digest();
}

Result<SeccompProgram> prepare_seccomp_program(const Seccomp &s, const std::string &cache_dir) {
  SeccompProgram p;
  p.flags = kernel_flags(s);
  std::string path;
  if (!cache_dir.empty() && !trusted_dir(cache_dir)) {
    log::debug(fmt::format("seccomp cache: {} is not a directory only root can write to: not used", cache_dir));
  } else if (!cache_dir.empty()) {
    path = fmt::format("{}/{}.bpf", cache_dir, seccomp_cache_key(s));
    if (auto code = read_entry(path)) {
      p.code = std::move(*code);
      p.from_cache = true;
      return p;
    }
  }
  p.code = TRY(compile(s));
  if (!path.empty())
    if (auto r = write_entry(cache_dir, path, p.code); !r)
      log::debug(fmt::format("seccomp cache: {} (compiled without caching)", r.error().message));
  return p;
}

Result<Fd> load_seccomp_program(const SeccompProgram &p) {
  sock_fprog prog{static_cast<unsigned short>(p.code.size()), const_cast<sock_filter *>(p.code.data())};
  if (p.code.empty() || p.code.size() > 0xffff) return make_error("seccomp: a program of {} instructions", p.code.size());
  long rc = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p.flags, &prog);
  if (rc < 0) {
    if (errno == EACCES)
      return sys_error(errno,
                       "load the seccomp filter (without no_new_privs this needs CAP_SYS_ADMIN: "
                       "load it before capabilities are dropped)");
    if (errno == EINVAL && p.flags)
      return sys_error(errno, "load the seccomp filter (with flags {:#x}: does this kernel know them?)", p.flags);
    return sys_error(errno, "load the seccomp filter");
  }
  // With NEW_LISTENER the kernel returns the listener, already close-on-exec.
  if (p.flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) return Fd(static_cast<int>(rc));
  return Fd();
}

}  // namespace berth
