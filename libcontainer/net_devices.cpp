// Moving host interfaces into the container's network namespace over rtnetlink.
#include "libcontainer/net_devices.h"
#include "config.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <set>
#include <vector>

#if HAVE_LIBMNL
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#endif

#include "libcontainer/fd.h"
#include "libcontainer/scope_exit.h"

namespace berth {

bool valid_net_device_name(std::string_view name) {
  if (name.empty() || name.size() >= IFNAMSIZ || name == "." || name == "..") return false;
  return std::ranges::none_of(
      name, [](char c) { return c == '/' || c == ':' || std::isspace(static_cast<unsigned char>(c)); });
}

#if HAVE_LIBMNL

namespace {

std::string entry_path(const std::string &host) { return fmt::format("linux.netDevices[\"{}\"]", host); }

std::string final_name(const std::string &host, const NetDevice &dev) {
  return dev.name.empty() ? host : dev.name;
}

const NamespaceJoin *joined_netns(const NamespacePlan &ns) {
  for (const auto &j : ns.joins)
    if (j.type == NamespaceType::Network) return &j;
  return nullptr;
}

bool same_namespace(int fd_a, const char *path_b) {
  struct stat a, b;
  return ::fstat(fd_a, &a) == 0 && ::stat(path_b, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

}  // namespace

namespace {

struct MnlClose {
  void operator()(mnl_socket *s) const { mnl_socket_close(s); }
};

struct Address {
  uint8_t family = 0;
  uint8_t prefixlen = 0;
  std::vector<uint8_t> local;    // IFA_LOCAL, when the kernel gave one
  std::vector<uint8_t> address;  // IFA_ADDRESS
};

// One rtnetlink socket, bound in the network namespace it was opened in.
class Rtnl {
 public:
  static Result<Rtnl> open() {
    Rtnl r;
    r.sock_.reset(mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC));
    if (!r.sock_) return sys_error(errno, "open a netlink socket");
    if (mnl_socket_bind(r.sock_.get(), 0, MNL_SOCKET_AUTOPID) < 0) return sys_error(errno, "bind a netlink socket");
    r.portid_ = mnl_socket_get_portid(r.sock_.get());
    return r;
  }

  // A socket that lives in another namespace: open it there and come back.
  // The parent is single-threaded, so nothing else runs in between.
  static Result<Rtnl> open_in(int netns_fd) {
    Fd home(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!home) return sys_error(errno, "open /proc/self/ns/net");
    if (::setns(netns_fd, CLONE_NEWNET) < 0) return sys_error(errno, "enter the container's network namespace");
    auto r = open();
    if (::setns(home.get(), CLONE_NEWNET) < 0) return sys_error(errno, "return to the runtime's network namespace");
    return r;
  }

  // A request answered by an ack (or an error).
  Result<void> ack(nlmsghdr *nlh) { return exchange(nlh, nullptr, nullptr); }

  // A request answered by data messages, each given to cb.
  Result<void> query(nlmsghdr *nlh, mnl_cb_t cb, void *data) { return exchange(nlh, cb, data); }

  Result<int> link_index(const std::string &name) {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    nlmsghdr *nlh = header(buf, RTM_GETLINK, NLM_F_REQUEST);
    auto *ifm = static_cast<ifinfomsg *>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
    ifm->ifi_family = AF_UNSPEC;
    mnl_attr_put_strz(nlh, IFLA_IFNAME, name.c_str());
    int index = 0;
    TRY(query(
        nlh,
        [](const nlmsghdr *m, void *out) {
          *static_cast<int *>(out) = static_cast<const ifinfomsg *>(mnl_nlmsg_get_payload(m))->ifi_index;
          return MNL_CB_OK;
        },
        &index));
    if (index <= 0) return sys_error(ENODEV, "look up network interface {}", name);
    return index;
  }

  Result<void> set_up(int index, bool up) {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    nlmsghdr *nlh = header(buf, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
    auto *ifm = static_cast<ifinfomsg *>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
    ifm->ifi_family = AF_UNSPEC;
    ifm->ifi_index = index;
    ifm->ifi_flags = up ? IFF_UP : 0;
    ifm->ifi_change = IFF_UP;
    return ack(nlh);
  }

  // Move and rename in one message: the host name may be taken inside and the
// container name on the host.
  Result<void> move(int index, int netns_fd, const std::string &new_name) {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    nlmsghdr *nlh = header(buf, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
    auto *ifm = static_cast<ifinfomsg *>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
    ifm->ifi_family = AF_UNSPEC;
    ifm->ifi_index = index;
    mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, static_cast<uint32_t>(netns_fd));
    mnl_attr_put_strz(nlh, IFLA_IFNAME, new_name.c_str());
    return ack(nlh);
  }

  // The addresses worth carrying over: set by someone (permanent) and global.
  // Link-local and autoconfigured ones belong to the namespace they were made in.
  Result<std::vector<Address>> kept_addresses(int index) {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    nlmsghdr *nlh = header(buf, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP);
    auto *ifa = static_cast<ifaddrmsg *>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
    ifa->ifa_family = AF_UNSPEC;
    struct Collect {
      int index;
      std::vector<Address> out;
    } c{index, {}};
    TRY(query(
        nlh,
        [](const nlmsghdr *m, void *data) {
          auto &col = *static_cast<Collect *>(data);
          const auto *a = static_cast<const ifaddrmsg *>(mnl_nlmsg_get_payload(m));
          if (static_cast<int>(a->ifa_index) != col.index || a->ifa_scope != RT_SCOPE_UNIVERSE) return MNL_CB_OK;
          struct Parsed {
            Address addr;
            uint32_t flags;
          } parsed{{a->ifa_family, a->ifa_prefixlen, {}, {}}, a->ifa_flags};
          mnl_attr_parse(
              m, sizeof(ifaddrmsg),
              [](const nlattr *attr, void *out) {
                auto &p = *static_cast<Parsed *>(out);
                const auto *bytes = static_cast<const uint8_t *>(mnl_attr_get_payload(attr));
                std::vector<uint8_t> v(bytes, bytes + mnl_attr_get_payload_len(attr));
                switch (mnl_attr_get_type(attr)) {
                  case IFA_LOCAL: p.addr.local = std::move(v); break;
                  case IFA_ADDRESS: p.addr.address = std::move(v); break;
                  // Wider than ifa_flags, which cannot hold the newer bits.
                  case IFA_FLAGS:
                    if (v.size() == 4) p.flags = mnl_attr_get_u32(attr);
                    break;
                }
                return MNL_CB_OK;
              },
              &parsed);
          const uint32_t flags = parsed.flags;
          Address &addr = parsed.addr;
          if ((flags & IFA_F_PERMANENT) && !addr.address.empty()) col.out.push_back(std::move(addr));
          return MNL_CB_OK;
        },
        &c));
    return std::move(c.out);
  }

  Result<void> add_address(int index, const Address &a) {
    char buf[MNL_SOCKET_BUFFER_SIZE];
    nlmsghdr *nlh = header(buf, RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    auto *ifa = static_cast<ifaddrmsg *>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
    ifa->ifa_family = a.family;
    ifa->ifa_prefixlen = a.prefixlen;
    ifa->ifa_scope = RT_SCOPE_UNIVERSE;
    ifa->ifa_index = static_cast<uint32_t>(index);
    if (!a.local.empty()) mnl_attr_put(nlh, IFA_LOCAL, a.local.size(), a.local.data());
    mnl_attr_put(nlh, IFA_ADDRESS, a.address.size(), a.address.data());
    return ack(nlh);
  }

 private:
  nlmsghdr *header(char *buf, uint16_t type, uint16_t flags) {
    nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = flags;
    nlh->nlmsg_seq = ++seq_;
    return nlh;
  }

  Result<void> exchange(nlmsghdr *nlh, mnl_cb_t cb, void *data) {
    if (mnl_socket_sendto(sock_.get(), nlh, nlh->nlmsg_len) < 0) return sys_error(errno, "netlink send");
    // Room for a dump batch of a busy host (libmnl's MNL_SOCKET_DUMP_SIZE).
    std::vector<char> buf(32768);
    for (;;) {
      ssize_t n = mnl_socket_recvfrom(sock_.get(), buf.data(), buf.size());
      if (n < 0) return sys_error(errno, "netlink receive");
      int rc = mnl_cb_run(buf.data(), static_cast<size_t>(n), nlh->nlmsg_seq, portid_, cb, data);
      if (rc == MNL_CB_ERROR) return sys_error(errno, "netlink");
      // A plain request's reply is one message without an ack; a dump ends with NLMSG_DONE.
      if (rc == MNL_CB_STOP || !(nlh->nlmsg_flags & (NLM_F_ACK | NLM_F_DUMP))) return {};
    }
  }

  std::unique_ptr<mnl_socket, MnlClose> sock_;
  unsigned portid_ = 0;
  unsigned seq_ = 0;
};

// Errors from Rtnl end with "netlink: <errno text>"; drop that prefix so the
// message reads "...: File exists".
Error reword(Error e, std::string_view what) {
  std::string cause = e.code ? std::strerror(e.code) : e.message;
  return Error{e.code, fmt::format("{}: {}", what, cause)};
}

struct Moved {
  std::string host_name;
  std::string name;  // inside the container
  // Which names inside can only be ours after the move (a failed rename
  // leaves the device under its host name; "lo" is never ours).
  bool name_was_free_inside = false;
  bool host_name_was_free_inside = false;
};

}  // namespace

Result<void> validate_net_devices(const Linux &linux, const NamespacePlan &ns) {
  if (linux.net_devices.empty()) return {};
  if (const NamespaceJoin *j = joined_netns(ns)) {
    if (same_namespace(j->fd.get(), "/proc/self/ns/net"))
      return make_error("linux.netDevices: the network namespace {} is the runtime's own", j->path);
  } else if (ns.unshare_flags & CLONE_NEWNET) {
    // The init makes this one after joining the user namespace, when the
    // parent can no longer hand it devices before the process starts.
    return make_error("linux.netDevices: not supported with a new network namespace inside a joined user namespace");
  } else if (!(ns.clone_flags & CLONE_NEWNET)) {
    return make_error("linux.netDevices: requires a network namespace in linux.namespaces");
  }
  std::set<std::string> targets;
  for (const auto &[host, dev] : linux.net_devices) {
    if (!valid_net_device_name(host)) return make_error("{}: invalid network interface name \"{}\"", entry_path(host), host);
    if (!dev.name.empty() && !valid_net_device_name(dev.name))
      return make_error("{}.name: invalid network interface name \"{}\"", entry_path(host), dev.name);
    if (::if_nametoindex(host.c_str()) == 0)
      return make_error("{}: no network interface \"{}\" on the host", entry_path(host), host);
    if (!targets.insert(final_name(host, dev)).second)
      return make_error("{}: another entry also ends up named \"{}\" in the container", entry_path(host),
                        final_name(host, dev));
  }
  return {};
}

Result<void> move_net_devices(const Linux &linux, const NamespacePlan &ns, pid_t init_pid) {
  if (linux.net_devices.empty()) return {};
  Fd target;
  if (const NamespaceJoin *j = joined_netns(ns)) {
    target.reset(::fcntl(j->fd.get(), F_DUPFD_CLOEXEC, 0));
  } else {
    std::string path = fmt::format("/proc/{}/ns/net", init_pid);
    target.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  }
  if (!target) return sys_error(errno, "linux.netDevices: open the container's network namespace");
  Fd home(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!home) return sys_error(errno, "linux.netDevices: open /proc/self/ns/net");

  Rtnl host = TRY_CTX(Rtnl::open(), "linux.netDevices");
  Rtnl inside = TRY_CTX(Rtnl::open_in(target.get()), "linux.netDevices");

  std::vector<Moved> moved;
  ScopeExit undo([&] {
    // Best effort: a device left inside would come back (physical) or vanish
    // (virtual) only when the namespace dies, under its container name.
    for (const Moved &m : moved) {
      Result<int> idx = make_error("not moved");
      if (m.name_was_free_inside) idx = inside.link_index(m.name);
      if (!idx && m.host_name_was_free_inside) idx = inside.link_index(m.host_name);
      if (idx) (void)inside.move(*idx, home.get(), m.host_name);
    }
  });

  for (const auto &[host_name, dev] : linux.net_devices) {
    const std::string where = entry_path(host_name);
    const std::string name = final_name(host_name, dev);
    auto index = host.link_index(host_name);
    if (!index) return std::unexpected(reword(index.error(), fmt::format("{}: find {} on the host", where, host_name)));
    if (auto r = host.set_up(*index, false); !r)
      return std::unexpected(reword(r.error(), fmt::format("{}: set {} down", where, host_name)));
    auto addresses = host.kept_addresses(*index);
    if (!addresses)
      return std::unexpected(reword(addresses.error(), fmt::format("{}: list the addresses of {}", where, host_name)));
    // The kernel moves first and renames after: a rename that fails leaves
    // the device inside under its host name, so it is undone from here on.
    moved.push_back({host_name, name, !inside.link_index(name), !inside.link_index(host_name)});
    if (auto r = host.move(*index, target.get(), name); !r)
      return std::unexpected(reword(
          r.error(), fmt::format("{}: move {} into the container's network namespace as {}", where, host_name, name)));

    auto inner = inside.link_index(name);
    if (!inner)
      return std::unexpected(reword(inner.error(), fmt::format("{}: find {} in the container", where, name)));
    for (const Address &a : *addresses)
      if (auto r = inside.add_address(*inner, a); !r)
        return std::unexpected(reword(r.error(), fmt::format("{}: add an address of {} to {}", where, host_name, name)));
    if (auto r = inside.set_up(*inner, true); !r)
      return std::unexpected(reword(r.error(), fmt::format("{}: set {} up in the container", where, name)));
  }
  undo.dismiss();
  return {};
}

#else  // !HAVE_LIBMNL

Result<void> validate_net_devices(const Linux &linux, const NamespacePlan &) {
  if (linux.net_devices.empty()) return {};
  return make_error("linux.netDevices: berth was built without libmnl");
}

Result<void> move_net_devices(const Linux &linux, const NamespacePlan &, pid_t) {
  if (linux.net_devices.empty()) return {};
  return make_error("linux.netDevices: berth was built without libmnl");
}

#endif

}  // namespace berth
