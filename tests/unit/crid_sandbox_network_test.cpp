// The sandbox side of pod networking: port mappings for portmap, where the
// namespace is pinned, which IPs PodSandboxStatus reports and their record.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "crid/pod_network_config.h"
#include "crid/sandbox_network.h"
#include "netns/cni_cache.h"

namespace berth::crid {
namespace {

class SandboxNetworkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/crid-sandbox-net-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    config_.state = dir_ + "/state";
    config_.root = dir_ + "/root";
    config_.cni_config_dir = dir_ + "/net.d";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  SandboxRecord ready(const std::string &id) {
    SandboxRecord r;
    r.id = id;
    r.state = SandboxState::Ready;
    r.netns_path = sandbox_netns_path(config_, id);
    return r;
  }

  std::string dir_;
  Config config_;
};

TEST_F(SandboxNetworkTest, PortMappingsCarryProtocolAndHostIp) {
  runtime::v1::PodSandboxConfig pod;
  auto *tcp = pod.add_port_mappings();
  tcp->set_container_port(80);
  tcp->set_host_port(8080);
  auto *udp = pod.add_port_mappings();
  udp->set_protocol(runtime::v1::UDP);
  udp->set_container_port(53);
  udp->set_host_port(5353);
  udp->set_host_ip("127.0.0.1");
  auto *sctp = pod.add_port_mappings();
  sctp->set_protocol(runtime::v1::SCTP);
  sctp->set_container_port(9);

  auto m = port_mappings(pod);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].protocol, "tcp");
  EXPECT_EQ(m[0].host_port, 8080);
  EXPECT_EQ(m[0].container_port, 80);
  EXPECT_EQ(m[1].protocol, "udp");
  EXPECT_EQ(m[1].host_ip, "127.0.0.1");
  EXPECT_EQ(m[2].protocol, "sctp");
  // A container-only port reaches the ADD request but not portmap.
  EXPECT_EQ(netns::port_mappings_json(m).size(), 2u);
}

TEST_F(SandboxNetworkTest, HostNetworkAndNetnsPath) {
  runtime::v1::PodSandboxConfig pod;
  EXPECT_FALSE(uses_host_network(pod));
  pod.mutable_linux()->mutable_security_context()->mutable_namespace_options()->set_network(runtime::v1::NODE);
  EXPECT_TRUE(uses_host_network(pod));
  EXPECT_EQ(sandbox_netns_path(config_, "abc"), config_.state + "/netns/abc");
}

TEST_F(SandboxNetworkTest, IpsFromTheRecordOnlyWhileReady) {
  auto r = ready("aa");
  r.ips = {"10.88.0.5", "fd00::5"};
  EXPECT_EQ(sandbox_ips(config_, r), r.ips);
  r.state = SandboxState::NotReady;
  EXPECT_TRUE(sandbox_ips(config_, r).empty());
  r.state = SandboxState::Ready;
  r.netns_path.clear();  // host network, or torn down
  EXPECT_TRUE(sandbox_ips(config_, r).empty());
}

TEST_F(SandboxNetworkTest, IpsFromTheCniCacheWhenTheRecordHasNone) {
  auto r = ready("bb");
  EXPECT_TRUE(sandbox_ips(config_, r).empty());

  netns::CniCacheEntry entry;
  entry.network_name = "podnet";
  entry.config = {{"cniVersion", "1.0.0"}, {"name", "podnet"}, {"plugins", {{{"type", "bridge"}}}}};
  entry.runtime.container_id = "bb";
  entry.runtime.netns = r.netns_path;
  entry.runtime.ifname = "eth0";
  entry.result = nlohmann::json::parse(R"({"cniVersion": "1.0.0",
      "interfaces": [{"name": "cni0"}, {"name": "eth0", "sandbox": "/x"}],
      "ips": [{"address": "fd00::7/64", "interface": 1}, {"address": "10.88.0.7/24", "interface": 1}]})");
  ASSERT_TRUE(netns::write_cache(config_.cni_cache_path(), entry));
  EXPECT_EQ(sandbox_ips(config_, r), (std::vector<std::string>{"10.88.0.7", "fd00::7"}));
}

TEST_F(SandboxNetworkTest, TeardownOfNothingIsFine) {
  EXPECT_TRUE(teardown_sandbox_network(config_, "cc", sandbox_netns_path(config_, "cc")));
  EXPECT_TRUE(teardown_sandbox_network(config_, "cc", ""));
}

TEST_F(SandboxNetworkTest, SetupWithoutAConfigLeavesNoNamespace) {
  if (::geteuid() != 0) GTEST_SKIP() << "pinning a netns needs root";
  runtime::v1::PodSandboxConfig pod;
  pod.mutable_metadata()->set_name("p");
  auto net = setup_sandbox_network(config_, "dd", pod);
  ASSERT_FALSE(net);
  EXPECT_NE(net.error().message.find("no CNI network config in " + config_.cni_config_dir), std::string::npos)
      << net.error().message;
  EXPECT_FALSE(std::filesystem::exists(sandbox_netns_path(config_, "dd")));
}

TEST_F(SandboxNetworkTest, RecordKeepsItsIps) {
  auto r = ready("ee");
  r.ips = {"10.88.0.9"};
  auto back = sandbox_from_row(to_row(r));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->ips, r.ips);
  EXPECT_EQ(back->netns_path, r.netns_path);
}

}  // namespace
}  // namespace berth::crid
