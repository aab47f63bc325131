#include "netns/loopback.h"
#include "config.h"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstring>
#include <memory>
#include <vector>

#if HAVE_LIBMNL
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#endif

#include "libcontainer/fd.h"

namespace berth::netns {

#if HAVE_LIBMNL

namespace {
struct MnlClose {
  void operator()(mnl_socket *s) const { mnl_socket_close(s); }
};
}  // namespace

Result<void> loopback_up() {
  // A netlink socket belongs to the namespace of the thread that opened it.
  std::unique_ptr<mnl_socket, MnlClose> sock(mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC));
  if (!sock) return sys_error(errno, "bring up lo: open a netlink socket");
  if (mnl_socket_bind(sock.get(), 0, MNL_SOCKET_AUTOPID) < 0)
    return sys_error(errno, "bring up lo: bind a netlink socket");
  unsigned portid = mnl_socket_get_portid(sock.get());

  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr *nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = RTM_NEWLINK;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  nlh->nlmsg_seq = 1;
  auto *ifm = static_cast<ifinfomsg *>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifm->ifi_family = AF_UNSPEC;
  ifm->ifi_flags = IFF_UP;
  ifm->ifi_change = IFF_UP;
  mnl_attr_put_strz(nlh, IFLA_IFNAME, "lo");  // index 0: the kernel finds it by name

  if (mnl_socket_sendto(sock.get(), nlh, nlh->nlmsg_len) < 0)
    return sys_error(errno, "bring up lo: netlink send");
  ssize_t n = mnl_socket_recvfrom(sock.get(), buf.data(), buf.size());
  if (n < 0) return sys_error(errno, "bring up lo: netlink receive");
  // The ACK is an NLMSG_ERROR with error 0; mnl_cb_run turns a non-zero one into errno.
  if (mnl_cb_run(buf.data(), static_cast<size_t>(n), 1, portid, nullptr, nullptr) < 0)
    return sys_error(errno, "bring up lo");
  return {};
}

#else

Result<void> loopback_up() { return make_error("bring up lo: berth was built without libmnl"); }

#endif

Result<bool> loopback_is_up() {
  Fd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock) return sys_error(errno, "look at lo: open a socket");
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  if (::ioctl(sock.get(), SIOCGIFFLAGS, &ifr) != 0) return sys_error(errno, "look at lo");
  return (ifr.ifr_flags & IFF_UP) != 0;
}

}  // namespace berth::netns
