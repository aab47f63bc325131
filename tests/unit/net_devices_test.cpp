#include "libcontainer/net_devices.h"

#include <gtest/gtest.h>

#include "config.h"
#include "libcontainer/namespaces.h"

namespace berth {
namespace {

TEST(NetDeviceName, AcceptsKernelNames) {
  EXPECT_TRUE(valid_net_device_name("eth0"));
  EXPECT_TRUE(valid_net_device_name("ctr0"));
  EXPECT_TRUE(valid_net_device_name("a"));
  EXPECT_TRUE(valid_net_device_name("enp0s31f6.100"));
  EXPECT_TRUE(valid_net_device_name("abcdefghijklmno"));  // 15 bytes: IFNAMSIZ less the NUL
}

TEST(NetDeviceName, RefusesWhatTheKernelRefuses) {
  EXPECT_FALSE(valid_net_device_name(""));
  EXPECT_FALSE(valid_net_device_name("abcdefghijklmnop"));  // 16 bytes
  EXPECT_FALSE(valid_net_device_name("a/b"));
  EXPECT_FALSE(valid_net_device_name("a:b"));
  EXPECT_FALSE(valid_net_device_name("a b"));
  EXPECT_FALSE(valid_net_device_name("a\tb"));
  EXPECT_FALSE(valid_net_device_name("eth0\n"));
  EXPECT_FALSE(valid_net_device_name("."));
  EXPECT_FALSE(valid_net_device_name(".."));
}

#if HAVE_LIBMNL

Linux with_netns(std::map<std::string, NetDevice> devices) {
  Linux l;
  l.namespaces.push_back(Namespace{NamespaceType::Network, ""});
  l.net_devices = std::move(devices);
  return l;
}

TEST(ValidateNetDevices, NamesAMissingHostInterface) {
  Linux l = with_netns({{"bnodev9", NetDevice{"ctr0"}}});
  auto plan = plan_namespaces(l);
  ASSERT_TRUE(plan);
  auto r = validate_net_devices(l, *plan);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, R"(linux.netDevices["bnodev9"]: no network interface "bnodev9" on the host)");
}

TEST(ValidateNetDevices, RefusesABadTargetName) {
  Linux l = with_netns({{"lo", NetDevice{"bad/name"}}});
  auto plan = plan_namespaces(l);
  ASSERT_TRUE(plan);
  auto r = validate_net_devices(l, *plan);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, R"(linux.netDevices["lo"].name: invalid network interface name "bad/name")");
}

TEST(ValidateNetDevices, NeedsANetworkNamespace) {
  Linux l;
  l.net_devices["lo"] = NetDevice{};
  auto plan = plan_namespaces(l);
  ASSERT_TRUE(plan);
  auto r = validate_net_devices(l, *plan);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("requires a network namespace"), std::string::npos);
}

TEST(ValidateNetDevices, RefusesTheRuntimesOwnNamespace) {
  Linux l;
  l.namespaces.push_back(Namespace{NamespaceType::Network, "/proc/self/ns/net"});
  l.net_devices["lo"] = NetDevice{};
  auto plan = plan_namespaces(l);
  ASSERT_TRUE(plan);
  auto r = validate_net_devices(l, *plan);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("is the runtime's own"), std::string::npos);
}

TEST(ValidateNetDevices, EmptyIsFine) {
  Linux l;
  auto plan = plan_namespaces(l);
  ASSERT_TRUE(plan);
  EXPECT_TRUE(validate_net_devices(l, *plan));
}

#endif  // HAVE_LIBMNL

}  // namespace
}  // namespace berth
