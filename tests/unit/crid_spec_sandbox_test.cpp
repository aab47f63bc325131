#include <gtest/gtest.h>

#include <algorithm>

#include "crid/container_spec.h"
#include "crid_spec_fixture.h"

namespace berth::crid {
namespace {

using Json = nlohmann::json;
using testing::expect_parses;
using testing::from_json;

const std::string kPod = std::string(64, 'e');

class CridSpecSandbox : public ::testing::Test {
 protected:
  CridSpecSandbox() {
    sandbox_.id = kPod;
    sandbox_.cgroup_parent = "/crid";
    sandbox_.shm_path = "/run/crid/sandboxes/e/shm";
    options_.seccomp_default_profile = (testing::source_root() / "contrib/seccomp-default.json").string();
  }
  Result<Json> build(const std::string &pod_json) {
    auto pod = from_json<runtime::v1::PodSandboxConfig>(pod_json);
    auto spec = build_sandbox_spec(pod, sandbox_, "/var/lib/crid/infra-rootfs", "/usr/libexec/crid/crid-pause", options_);
    if (spec) expect_parses(*spec);
    return spec;
  }
  Json must_build(const std::string &pod_json) {
    auto spec = build(pod_json);
    EXPECT_TRUE(spec) << spec.error().message;
    return spec ? *spec : Json::object();
  }
  static std::vector<std::string> ns_types(const Json &spec) {
    std::vector<std::string> out;
    for (const auto &n : spec["linux"]["namespaces"]) out.push_back(n["type"]);
    std::sort(out.begin(), out.end());
    return out;
  }
  static const Json *find_mount(const Json &spec, const std::string &dst) {
    for (const auto &m : spec["mounts"])
      if (m["destination"] == dst) return &m;
    return nullptr;
  }

  SandboxContext sandbox_;
  SpecOptions options_;
};

const char *const kPodJson =
    R"({"metadata":{"name":"web","uid":"u-9","namespace":"prod"},"hostname":"web-0","log_directory":"/var/log/pods/x",
        "annotations":{"team":"a"}})";

TEST_F(CridSpecSandbox, PauseInAnEmptyReadonlyRootfs) {
  auto spec = must_build(kPodJson);
  EXPECT_EQ(spec["root"], Json::parse(R"({"path":"/var/lib/crid/infra-rootfs","readonly":true})"));
  EXPECT_EQ(spec["process"]["args"], Json({"/pause"}));
  EXPECT_EQ(spec["process"]["noNewPrivileges"], true);
  EXPECT_EQ(spec["process"]["terminal"], false);
  EXPECT_EQ(spec["process"]["capabilities"]["bounding"], Json::array());
  const Json *pause = find_mount(spec, "/pause");
  ASSERT_NE(pause, nullptr);
  EXPECT_EQ((*pause)["source"], "/usr/libexec/crid/crid-pause");
  EXPECT_NE(std::find((*pause)["options"].begin(), (*pause)["options"].end(), Json("ro")), (*pause)["options"].end());
  EXPECT_EQ((*find_mount(spec, "/dev/shm"))["source"], "/run/crid/sandboxes/e/shm");
  EXPECT_EQ(spec["hostname"], "web-0");
  EXPECT_EQ(ns_types(spec), (std::vector<std::string>{"ipc", "mount", "network", "pid", "uts"}));
  EXPECT_EQ(spec["linux"]["cgroupsPath"], "/crid/crid-" + kPod);
  EXPECT_EQ(spec["linux"]["resources"]["cpu"]["shares"], 2);
  EXPECT_EQ(spec["process"]["oomScoreAdj"], -998);
  EXPECT_FALSE(spec["linux"].contains("seccomp"));
  const Json &a = spec["annotations"];
  EXPECT_EQ(a["io.kubernetes.cri.container-type"], "sandbox");
  EXPECT_EQ(a["io.kubernetes.cri.sandbox-id"], kPod);
  EXPECT_EQ(a["io.kubernetes.cri.sandbox-namespace"], "prod");
  EXPECT_EQ(a["io.kubernetes.cri.sandbox-log-directory"], "/var/log/pods/x");
  EXPECT_EQ(a["team"], "a");
}

TEST_F(CridSpecSandbox, OomScoreAdjClampedWhenRestricted) {
  options_.restrict_oom_score_adj = true;
  options_.own_oom_score_adj = 0;
  EXPECT_EQ(must_build(kPodJson)["process"]["oomScoreAdj"], 0);
}

TEST_F(CridSpecSandbox, HostNamespacesAndAPinnedNetns) {
  sandbox_.host_network = true;
  sandbox_.host_ipc = true;
  auto spec = must_build(kPodJson);
  EXPECT_EQ(ns_types(spec), (std::vector<std::string>{"mount", "pid"}));
  EXPECT_FALSE(spec.contains("hostname"));
  sandbox_ = SandboxContext{.id = kPod, .netns_path = "/run/crid/netns/e"};
  spec = must_build(kPodJson);
  for (const auto &n : spec["linux"]["namespaces"])
    if (n["type"] == "network") EXPECT_EQ(n["path"], "/run/crid/netns/e");
  spec = must_build(R"({"metadata":{"name":"web"},"linux":{"security_context":{"namespace_options":{"pid":"NODE"}}}})");
  EXPECT_EQ(ns_types(spec), (std::vector<std::string>{"ipc", "mount", "network", "uts"}));
}

TEST_F(CridSpecSandbox, SecurityContextUserAndSeccomp) {
  auto spec = must_build(R"({"metadata":{"name":"web"},"linux":{"security_context":{"run_as_user":{"value":65535},
      "run_as_group":{"value":65534},"supplemental_groups":[3],"seccomp":{"profile_type":"RuntimeDefault"}}}})");
  EXPECT_EQ(spec["process"]["user"], Json::parse(R"({"uid":65535,"gid":65534,"additionalGids":[3]})"));
  EXPECT_EQ(spec["linux"]["seccomp"]["defaultAction"], "SCMP_ACT_ERRNO");
}

TEST_F(CridSpecSandbox, OnlyNamespacedSysctls) {
  auto spec = must_build(R"({"metadata":{"name":"web"},"linux":{"sysctls":{"net.ipv4.ip_forward":"1",
      "kernel.shm_rmid_forced":"1","net/ipv4/ping_group_range":"0 1"}}})");
  EXPECT_EQ(spec["linux"]["sysctl"]["net.ipv4.ip_forward"], "1");
  EXPECT_EQ(spec["linux"]["sysctl"]["kernel.shm_rmid_forced"], "1");
  EXPECT_EQ(spec["linux"]["sysctl"]["net.ipv4.ping_group_range"], "0 1");
  auto host_wide = build(R"({"metadata":{"name":"web"},"linux":{"sysctls":{"vm.swappiness":"1"}}})");
  ASSERT_FALSE(host_wide);
  EXPECT_MENTIONS(host_wide.error().message, "config.linux.sysctls[\"vm.swappiness\"]");
  sandbox_.host_network = true;
  auto host_net = build(R"({"metadata":{"name":"web"},"linux":{"sysctls":{"net.ipv4.ip_forward":"1"}}})");
  ASSERT_FALSE(host_net);
  EXPECT_MENTIONS(host_net.error().message, "network namespace");
}

TEST_F(CridSpecSandbox, MissingMetadataIsAnError) {
  auto bad = build(R"({"hostname":"x"})");
  ASSERT_FALSE(bad);
  EXPECT_MENTIONS(bad.error().message, "config.metadata.name");
}

}  // namespace
}  // namespace berth::crid
