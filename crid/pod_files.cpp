#include "crid/pod_files.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>

#include "libcontainer/fd.h"

namespace berth::crid {

std::string resolv_conf_text(const runtime::v1::DNSConfig &dns) {
  std::string out;
  if (dns.searches_size() > 0) {
    out += "search";
    for (const auto &s : dns.searches()) out += " " + s;
    out += "\n";
  }
  for (const auto &server : dns.servers()) out += "nameserver " + server + "\n";
  if (dns.options_size() > 0) {
    out += "options";
    for (const auto &o : dns.options()) out += " " + o;
    out += "\n";
  }
  return out;
}

std::string hosts_text(const std::string &hostname) {
  std::string out =
      "127.0.0.1\tlocalhost\n"
      "::1\tlocalhost ip6-localhost ip6-loopback\n"
      "fe00::0\tip6-localnet\n"
      "fe00::0\tip6-mcastprefix\n"
      "fe00::1\tip6-allnodes\n"
      "fe00::2\tip6-allrouters\n";
  if (!hostname.empty()) out += "127.0.1.1\t" + hostname + "\n";
  return out;
}

Result<void> write_file_atomic(const std::string &path, const std::string &text) {
  std::string tmp = path + ".tmp";
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) return sys_error(errno, "write {}", tmp);
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::unlink(tmp.c_str());
      return sys_error(err, "write {}", tmp);
    }
    done += size_t(n);
  }
  ::fchmod(fd.get(), 0644);  // the umask must not make it unreadable for a container's user
  fd.reset();
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return sys_error(err, "rename {} to {}", tmp, path);
  }
  return {};
}

Result<void> write_resolv_conf(const std::string &path, const runtime::v1::DNSConfig &dns,
                               const std::string &host_resolv) {
  if (dns.servers_size() > 0 || dns.searches_size() > 0 || dns.options_size() > 0)
    return write_file_atomic(path, resolv_conf_text(dns));
  std::ifstream in(host_resolv);
  std::stringstream text;
  if (in) text << in.rdbuf();  // a host without resolv.conf gives its pods an empty one
  return write_file_atomic(path, text.str());
}

Result<void> mount_shm(const std::string &dir, uint64_t size) {
  std::string data = fmt::format("mode=1777,size={}", size);
  if (::mount("shm", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, data.c_str()) != 0)
    return sys_error(errno, "mount the pod's /dev/shm tmpfs ({}) on {}", data, dir);
  return {};
}

Result<void> unmount_if_mounted(const std::string &path) {
  while (::umount2(path.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) == 0) {
    // Stacked mounts (a retried create) come off one by one.
  }
  if (errno == EINVAL || errno == ENOENT) return {};
  return sys_error(errno, "unmount {}", path);
}

Result<void> remove_tree(const std::string &path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};
    return sys_error(errno, "remove {}", path);
  }
  static thread_local int first_error;
  static thread_local std::string failed;
  first_error = 0;
  failed.clear();
  int rc = ::nftw(
      path.c_str(),
      [](const char *p, const struct stat *, int, struct FTW *) -> int {
        if (::remove(p) != 0 && errno != ENOENT && first_error == 0) {
          first_error = errno;
          failed = p;
        }
        return 0;
      },
      32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
  if (rc != 0 && first_error == 0) first_error = errno;
  if (first_error != 0) return sys_error(first_error, "remove {}", failed.empty() ? path : failed);
  return {};
}

Result<void> make_dirs(const std::string &path, unsigned mode) {
  for (size_t pos = path.find('/', 1);; pos = path.find('/', pos + 1)) {
    std::string part = path.substr(0, pos);
    if (::mkdir(part.c_str(), mode) != 0 && errno != EEXIST) return sys_error(errno, "create directory {}", part);
    if (pos == std::string::npos) break;
  }
  return {};
}

Result<std::string> random_id() {
  unsigned char bytes[32];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error(errno, "generate an id");
    got += size_t(n);
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bytes) {
    id += hex[b >> 4];
    id += hex[b & 15];
  }
  return id;
}

int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace berth::crid
