#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>

#include "crid/container_spec.h"
#include "crid_spec_fixture.h"

namespace berth::crid {
namespace {

using Json = nlohmann::json;
using testing::expect_parses;
using testing::from_json;
using testing::Gids;
using testing::TempRootfs;

const std::string kId = std::string(64, 'c');
const std::string kPod = std::string(64, 'p');

class CridSpecContainer : public ::testing::Test {
 protected:
  CridSpecContainer() {
    root_.write_users();
    pod_ = from_json<runtime::v1::PodSandboxConfig>(
        R"({"metadata":{"name":"web","uid":"u-1","namespace":"default"},"hostname":"web-0"})");
    sandbox_.id = kPod;
    sandbox_.infra_pid = 4321;
    sandbox_.hostname = "web-0";
    sandbox_.cgroup_parent = "/crid";
    image_.cmd = {"sh"};
    image_.env = {"PATH=/bin:/image/bin", "IMAGE_VAR=1"};
    options_.seccomp_default_profile = (testing::source_root() / "contrib/seccomp-default.json").string();
  }

  Result<Json> build(const std::string &config_json) {
    auto config = from_json<runtime::v1::ContainerConfig>(config_json);
    auto spec = build_container_spec(config, pod_, sandbox_, image_, kId, root_.path(), options_);
    if (spec) expect_parses(*spec);
    return spec;
  }
  Json must_build(const std::string &config_json) {
    auto spec = build(config_json);
    EXPECT_TRUE(spec) << spec.error().message;
    return spec ? *spec : Json::object();
  }

  static const Json *find_mount(const Json &spec, const std::string &dst) {
    for (const auto &m : spec["mounts"])
      if (m["destination"] == dst) return &m;
    return nullptr;
  }
  static std::vector<std::string> env_of(const Json &spec) { return spec["process"]["env"].get<std::vector<std::string>>(); }
  static std::string ns_path(const Json &spec, const std::string &type, bool *present = nullptr) {
    for (const auto &n : spec["linux"]["namespaces"])
      if (n["type"] == type) {
        if (present) *present = true;
        return n.value("path", "");
      }
    if (present) *present = false;
    return "";
  }
  static bool has(const Json &list, const std::string &value) {
    return std::find(list.begin(), list.end(), Json(value)) != list.end();
  }

  TempRootfs root_;
  runtime::v1::PodSandboxConfig pod_;
  SandboxContext sandbox_;
  images::ImageConfig image_;
  SpecOptions options_;
};

const char *const kMinimal = R"({"metadata":{"name":"app"},"image":{"image":"busybox"}})";

TEST_F(CridSpecContainer, ArgsFollowKubernetesRules) {
  image_.entrypoint = {"/entry"};
  image_.cmd = {"default-arg"};
  EXPECT_EQ(must_build(kMinimal)["process"]["args"], Json({"/entry", "default-arg"}));
  EXPECT_EQ(must_build(R"({"metadata":{"name":"a"},"args":["x"]})")["process"]["args"], Json({"/entry", "x"}));
  // command replaces the entrypoint, and the image's cmd goes with it
  EXPECT_EQ(must_build(R"({"metadata":{"name":"a"},"command":["/bin/echo"]})")["process"]["args"], Json({"/bin/echo"}));
  EXPECT_EQ(must_build(R"({"metadata":{"name":"a"},"command":["/bin/echo"],"args":["hi"]})")["process"]["args"],
            Json({"/bin/echo", "hi"}));
  image_.entrypoint = {""};  // reset by `--entrypoint ""`
  EXPECT_EQ(must_build(kMinimal)["process"]["args"], Json({"default-arg"}));
  image_.entrypoint.clear();
  image_.cmd.clear();
  auto none = build(kMinimal);
  ASSERT_FALSE(none);
  EXPECT_MENTIONS(none.error().message, "config.command");
}

TEST_F(CridSpecContainer, EnvIsDefaultsThenImageThenConfig) {
  auto spec = must_build(R"({"metadata":{"name":"a"},"envs":[{"key":"IMAGE_VAR","value":"2"},{"key":"X","value":"y"}]})");
  EXPECT_EQ(env_of(spec), (std::vector<std::string>{"PATH=/bin:/image/bin", "HOSTNAME=web-0", "IMAGE_VAR=2", "X=y"}));
  image_.env.clear();
  spec = must_build(R"({"metadata":{"name":"a"},"tty":true})");
  EXPECT_EQ(env_of(spec)[0], "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  EXPECT_TRUE(has(spec["process"]["env"], "TERM=xterm"));
  EXPECT_EQ(spec["process"]["terminal"], true);
  auto bad = build(R"({"metadata":{"name":"a"},"envs":[{"key":"","value":"v"}]})");
  ASSERT_FALSE(bad);
  EXPECT_MENTIONS(bad.error().message, "config.envs[0].key");
}

TEST_F(CridSpecContainer, CwdFromConfigThenImageThenRoot) {
  EXPECT_EQ(must_build(kMinimal)["process"]["cwd"], "/");
  image_.working_dir = "/srv";
  EXPECT_EQ(must_build(kMinimal)["process"]["cwd"], "/srv");
  EXPECT_EQ(must_build(R"({"metadata":{"name":"a"},"working_dir":"/work"})")["process"]["cwd"], "/work");
  auto bad = build(R"({"metadata":{"name":"a"},"working_dir":"rel"})");
  ASSERT_FALSE(bad);
  EXPECT_MENTIONS(bad.error().message, "config.working_dir");
}

TEST_F(CridSpecContainer, UserFromSecurityContextOrImage) {
  auto spec = must_build(kMinimal);
  EXPECT_EQ(spec["process"]["user"]["uid"], 0);
  image_.user = "www";
  spec = must_build(kMinimal);
  EXPECT_EQ(spec["process"]["user"]["uid"], 33);
  EXPECT_EQ(spec["process"]["user"]["gid"], 33);
  EXPECT_EQ(spec["process"]["user"]["additionalGids"], Json({29}));
  spec = must_build(R"({"metadata":{"name":"a"},"linux":{"security_context":{"run_as_username":"alice"}}})");
  EXPECT_EQ(spec["process"]["user"]["uid"], 1000);
  EXPECT_EQ(spec["process"]["user"]["additionalGids"], Json({29, 44}));
  spec = must_build(
      R"({"metadata":{"name":"a"},"linux":{"security_context":{"run_as_user":{"value":1000},"run_as_group":{"value":5},
          "supplemental_groups":[7,29]}}})");
  EXPECT_EQ(spec["process"]["user"]["uid"], 1000);
  EXPECT_EQ(spec["process"]["user"]["gid"], 5);
  EXPECT_EQ(spec["process"]["user"]["additionalGids"], Json({29, 44, 7}));
  spec = must_build(
      R"({"metadata":{"name":"a"},"linux":{"security_context":{"run_as_user":{"value":1000},
          "supplemental_groups":[7],"supplemental_groups_policy":"Strict"}}})");
  EXPECT_EQ(spec["process"]["user"]["additionalGids"], Json({7}));
  auto bad = build(R"({"metadata":{"name":"a"},"linux":{"security_context":{"run_as_username":"nobody-here"}}})");
  ASSERT_FALSE(bad);
  EXPECT_MENTIONS(bad.error().message, "config.linux.security_context.run_as_username");
  bad = build(R"({"metadata":{"name":"a"},"linux":{"security_context":{"run_as_user":{"value":-1}}}})");
  ASSERT_FALSE(bad);
  EXPECT_MENTIONS(bad.error().message, "run_as_user");
}

TEST_F(CridSpecContainer, CapabilitiesDefaultAddDropAndAll) {
  auto caps = must_build(kMinimal)["process"]["capabilities"];
  EXPECT_EQ(caps["bounding"].size(), 14u);
  EXPECT_TRUE(has(caps["bounding"], "CAP_NET_RAW"));
  EXPECT_FALSE(has(caps["bounding"], "CAP_SYS_ADMIN"));
  EXPECT_EQ(caps["effective"], caps["bounding"]);
  EXPECT_EQ(caps["permitted"], caps["bounding"]);
  caps = must_build(R"({"metadata":{"name":"a"},"linux":{"security_context":{"capabilities":
        {"add_capabilities":["sys_admin","CAP_NET_ADMIN"],"drop_capabilities":["NET_RAW"]}}}})")["process"]["capabilities"];
  EXPECT_TRUE(has(caps["bounding"], "CAP_SYS_ADMIN"));
  EXPECT_TRUE(has(caps["bounding"], "CAP_NET_ADMIN"));
  EXPECT_FALSE(has(caps["bounding"], "CAP_NET_RAW"));
  caps = must_build(R"({"metadata":{"name":"a"},"linux":{"security_context":{"capabilities":
        {"drop_capabilities":["ALL"],"add_capabilities":["KILL"]}}}})")["process"]["capabilities"];
  EXPECT_EQ(caps["bounding"], Json({"CAP_KILL"}));
  caps = must_build(R"({"metadata":{"name":"a"},"linux":{"security_context":{"capabilities":
        {"add_capabilities":["ALL"],"drop_capabilities":["CHOWN"]}}}})")["process"]["capabilities"];
  EXPECT_TRUE(has(caps["bounding"], "CAP_SYS_ADMIN"));
  EXPECT_FALSE(has(caps["bounding"], "CAP_CHOWN"));
  caps = must_build(R"({"metadata":{"name":"a"},"linux":{"security_context":{"capabilities":
        {"add_ambient_capabilities":["NET_BIND_SERVICE"]}}}})")["process"]["capabilities"];
  EXPECT_EQ(caps["ambient"], Json({"CAP_NET_BIND_SERVICE"}));
  EXPECT_EQ(caps["inheritable"], Json({"CAP_NET_BIND_SERVICE"}));
  auto bad = build(R"({"metadata":{"name":"a"},"linux":{"security_context":{"capabilities":
        {"add_capabilities":["KILL","FLY"]}}}})");
  ASSERT_FALSE(bad);
  EXPECT_MENTIONS(bad.error().message, "config.linux.security_context.capabilities.add_capabilities[1]");
  EXPECT_MENTIONS(bad.error().message, "FLY");
}

TEST_F(CridSpecContainer, PrivilegedGetsEverythingAndNeedsAPrivilegedPod) {
  const char *privileged = R"({"metadata":{"name":"a"},"linux":{"security_context":{"privileged":true,
      "seccomp":{"profile_type":"RuntimeDefault"}}}})";
  auto refused = build(privileged);
  ASSERT_FALSE(refused);
  EXPECT_MENTIONS(refused.error().message, "config.linux.security_context.privileged");
  pod_ = from_json<runtime::v1::PodSandboxConfig>(
      R"({"metadata":{"name":"web"},"linux":{"security_context":{"privileged":true}}})");
  auto spec = must_build(privileged);
  EXPECT_TRUE(has(spec["process"]["capabilities"]["bounding"], "CAP_SYS_ADMIN"));
  EXPECT_FALSE(spec["linux"].contains("maskedPaths"));
  EXPECT_FALSE(spec["linux"].contains("readonlyPaths"));
  EXPECT_FALSE(spec["linux"].contains("seccomp"));
  EXPECT_FALSE(has((*find_mount(spec, "/sys"))["options"], "ro"));
  EXPECT_EQ(spec["linux"]["resources"]["devices"], Json::parse(R"([{"allow":true,"access":"rwm"}])"));
  bool null_found = false;
  for (const auto &d : spec["linux"]["devices"]) null_found |= d["path"] == "/dev/null";
  EXPECT_TRUE(null_found);
}

TEST_F(CridSpecContainer, OomScoreAdjIsClampedToCridsOwn) {
  const char *asks_low = R"({"metadata":{"name":"a"},"linux":{"resources":{"oom_score_adj":-999}}})";
  EXPECT_EQ(must_build(asks_low)["process"]["oomScoreAdj"], -999);
  options_.restrict_oom_score_adj = true;
  options_.own_oom_score_adj = -500;
  EXPECT_EQ(must_build(asks_low)["process"]["oomScoreAdj"], -500);
  EXPECT_EQ(must_build(R"({"metadata":{"name":"a"},"linux":{"resources":{"oom_score_adj":1000}}})")["process"]["oomScoreAdj"],
            1000);
}

TEST_F(CridSpecContainer, RlimitsNeverAboveTheHostsHardLimit) {
  auto rl = must_build(kMinimal)["process"]["rlimits"];
  ASSERT_EQ(rl.size(), 1u);
  EXPECT_EQ(rl[0]["type"], "RLIMIT_NOFILE");
  EXPECT_LE(rl[0]["hard"].get<uint64_t>(), 1024u);
}

TEST_F(CridSpecContainer, DefaultMountsAndThePodsFiles) {
  sandbox_.hostname_path = "/run/crid/sandboxes/p/hostname";
  sandbox_.hosts_path = "/run/crid/sandboxes/p/hosts";
  sandbox_.resolv_conf_path = "";  // skipped when empty
  sandbox_.shm_path = "/run/crid/sandboxes/p/shm";
  auto spec = must_build(kMinimal);
  for (const char *dst : {"/proc", "/dev", "/dev/pts", "/dev/mqueue", "/sys", "/sys/fs/cgroup", "/etc/hostname", "/etc/hosts"})
    EXPECT_NE(find_mount(spec, dst), nullptr) << dst;
  EXPECT_EQ(find_mount(spec, "/etc/resolv.conf"), nullptr);
  EXPECT_EQ(find_mount(spec, "/run"), nullptr);
  EXPECT_TRUE(has((*find_mount(spec, "/sys"))["options"], "ro"));
  EXPECT_TRUE(has((*find_mount(spec, "/sys/fs/cgroup"))["options"], "ro"));
  const Json &shm = *find_mount(spec, "/dev/shm");
  EXPECT_EQ(shm["type"], "bind");
  EXPECT_EQ(shm["source"], "/run/crid/sandboxes/p/shm");
  EXPECT_EQ((*find_mount(spec, "/etc/hosts"))["options"], Json({"rbind", "rprivate", "rw"}));
  int count = 0;
  for (const auto &m : spec["mounts"]) count += m["destination"] == "/dev/shm";
  EXPECT_EQ(count, 1);
  spec = must_build(R"({"metadata":{"name":"a"},"linux":{"security_context":{"readonly_rootfs":true}}})");
  EXPECT_EQ((*find_mount(spec, "/etc/hosts"))["options"], Json({"rbind", "rprivate", "ro"}));
  EXPECT_EQ(spec["root"]["readonly"], true);
  EXPECT_EQ(spec["root"]["path"], root_.path());
}

TEST_F(CridSpecContainer, CriMountsPropagationOrderAndOverrides) {
  TempRootfs host;
  host.write("/data/x", "");
  host.write("/sys-fake/x", "");
  const std::string data = host.path() + "/data", sysfake = host.path() + "/sys-fake";
  auto spec = must_build(R"({"metadata":{"name":"a"},"mounts":[
      {"container_path":"/a/b/c","host_path":")" + data + R"(","readonly":true},
      {"container_path":"/a","host_path":")" + data + R"(","propagation":"PROPAGATION_HOST_TO_CONTAINER"},
      {"container_path":"/sys/","host_path":")" + sysfake + R"(","propagation":"PROPAGATION_BIDIRECTIONAL"}]})");
  std::vector<std::string> order;
  for (const auto &m : spec["mounts"]) order.push_back(m["destination"]);
  auto pos = [&](const std::string &d) { return std::find(order.begin(), order.end(), d) - order.begin(); };
  EXPECT_LT(pos("/a"), pos("/a/b/c"));
  EXPECT_LT(pos("/sys"), pos("/sys/fs/cgroup"));
  EXPECT_EQ((*find_mount(spec, "/a/b/c"))["options"], Json({"rbind", "rprivate", "ro"}));
  EXPECT_EQ((*find_mount(spec, "/a"))["options"], Json({"rbind", "rslave", "rw"}));
  const Json &sys = *find_mount(spec, "/sys");  // the CRI mount replaced the default sysfs
  EXPECT_EQ(sys["type"], "bind");
  EXPECT_EQ(sys["source"], sysfake);
  EXPECT_EQ(std::count(order.begin(), order.end(), "/sys"), 1);
  EXPECT_EQ(spec["linux"]["rootfsPropagation"], "rshared");

  auto missing = build(R"({"metadata":{"name":"a"},"mounts":[
      {"container_path":"/ok","host_path":")" + data + R"("},
      {"container_path":"/gone","host_path":"/nonexistent/crid-spec-test"}]})");
  ASSERT_FALSE(missing);
  EXPECT_MENTIONS(missing.error().message, "config.mounts[1].host_path");
  EXPECT_MENTIONS(missing.error().message, "No such file or directory");
  auto relative = build(R"({"metadata":{"name":"a"},"mounts":[{"container_path":"rel","host_path":"/"}]})");
  ASSERT_FALSE(relative);
  EXPECT_MENTIONS(relative.error().message, "config.mounts[0].container_path");
}

TEST_F(CridSpecContainer, DevicesFromTheHostNode) {
  auto spec = must_build(R"({"metadata":{"name":"a"},"devices":[
      {"container_path":"/dev/mynull","host_path":"/dev/null","permissions":"rw"}]})");
  ASSERT_EQ(spec["linux"]["devices"].size(), 1u);
  const Json &d = spec["linux"]["devices"][0];
  EXPECT_EQ(d["path"], "/dev/mynull");
  EXPECT_EQ(d["type"], "c");
  EXPECT_EQ(d["major"], 1);
  EXPECT_EQ(d["minor"], 3);
  const Json &rules = spec["linux"]["resources"]["devices"];
  EXPECT_EQ(rules[0], Json::parse(R"({"allow":false,"access":"rwm"})"));
  EXPECT_EQ(rules.back(), Json::parse(R"({"allow":true,"type":"c","major":1,"minor":3,"access":"rw"})"));
  EXPECT_GT(rules.size(), 5u);  // the defaults every container needs
  auto missing = build(R"({"metadata":{"name":"a"},"devices":[{"container_path":"/dev/x","host_path":"/dev/crid-none"}]})");
  ASSERT_FALSE(missing);
  EXPECT_MENTIONS(missing.error().message, "config.devices[0].host_path");
  EXPECT_MENTIONS(missing.error().message, "/dev/crid-none");
  auto perms = build(R"({"metadata":{"name":"a"},"devices":[{"host_path":"/dev/null","permissions":"rwx"}]})");
  ASSERT_FALSE(perms);
  EXPECT_MENTIONS(perms.error().message, "config.devices[0].permissions");
}

TEST_F(CridSpecContainer, NamespacesJoinTheSandbox) {
  auto spec = must_build(kMinimal);
  bool present = false;
  EXPECT_EQ(ns_path(spec, "network"), "/proc/4321/ns/net");
  EXPECT_EQ(ns_path(spec, "ipc"), "/proc/4321/ns/ipc");
  EXPECT_EQ(ns_path(spec, "uts"), "/proc/4321/ns/uts");
  EXPECT_EQ(ns_path(spec, "mount", &present), "");
  EXPECT_TRUE(present);
  EXPECT_EQ(ns_path(spec, "pid", &present), "");  // CONTAINER: a new one
  EXPECT_TRUE(present);
  EXPECT_FALSE(spec.contains("hostname"));

  sandbox_.pod_pid = true;
  sandbox_.netns_path = "/run/crid/netns/p";
  spec = must_build(kMinimal);
  EXPECT_EQ(ns_path(spec, "pid"), "/proc/4321/ns/pid");
  EXPECT_EQ(ns_path(spec, "network"), "/run/crid/netns/p");

  spec = must_build(R"({"metadata":{"name":"a"},"linux":{"security_context":{"namespace_options":{"pid":"CONTAINER"}}}})");
  ns_path(spec, "pid", &present);
  EXPECT_TRUE(present);
  EXPECT_EQ(ns_path(spec, "pid"), "");

  sandbox_.host_network = sandbox_.host_ipc = sandbox_.host_pid = true;
  sandbox_.pod_pid = false;
  spec = must_build(kMinimal);
  for (const char *type : {"network", "uts", "ipc", "pid"}) {
    ns_path(spec, type, &present);
    EXPECT_FALSE(present) << type;
  }
  EXPECT_TRUE(has(spec["process"]["env"], "HOSTNAME=web-0"));
}

TEST_F(CridSpecContainer, CgroupsPathAndResources) {
  auto spec = must_build(R"({"metadata":{"name":"a"},"linux":{"resources":{"cpu_period":100000,"cpu_quota":50000,
      "cpu_shares":512,"memory_limit_in_bytes":67108864,"cpuset_cpus":"0","cpuset_mems":"0",
      "hugepage_limits":[{"page_size":"2MB","limit":4194304}],"unified":{"memory.high":"50000000"}}}})");
  EXPECT_EQ(spec["linux"]["cgroupsPath"], "/crid/crid-" + kId);
  const Json &r = spec["linux"]["resources"];
  EXPECT_EQ(r["cpu"]["period"], 100000);
  EXPECT_EQ(r["cpu"]["quota"], 50000);
  EXPECT_EQ(r["cpu"]["shares"], 512);
  EXPECT_EQ(r["cpu"]["cpus"], "0");
  EXPECT_EQ(r["cpu"]["mems"], "0");
  EXPECT_EQ(r["memory"]["limit"], 67108864);
  EXPECT_EQ(r["hugepageLimits"][0]["pageSize"], "2MB");
  EXPECT_EQ(r["unified"]["memory.high"], "50000000");
  EXPECT_FALSE(r.contains("pids"));

  sandbox_.cgroup_parent = "kubepods-besteffort.slice";
  options_.systemd_cgroup = true;
  EXPECT_EQ(must_build(kMinimal)["linux"]["cgroupsPath"], "kubepods-besteffort.slice:crid:" + kId);
}

TEST_F(CridSpecContainer, ResourcesJsonLeavesZerosOut) {
  runtime::v1::LinuxContainerResources none;
  EXPECT_EQ(linux_resources_json(none), Json::object());
  auto swap = from_json<runtime::v1::LinuxContainerResources>(
      R"({"memory_limit_in_bytes":1000000,"memory_swap_limit_in_bytes":2000000})");
  Json r = linux_resources_json(swap);
  EXPECT_EQ(r["memory"]["limit"], 1000000);
  if (r["memory"].contains("swap")) EXPECT_EQ(r["memory"]["swap"], 2000000);
}

TEST_F(CridSpecContainer, MaskedAndReadonlyPaths) {
  auto spec = must_build(kMinimal);
  EXPECT_TRUE(has(spec["linux"]["maskedPaths"], "/proc/kcore"));
  EXPECT_TRUE(has(spec["linux"]["readonlyPaths"], "/proc/sys"));
  spec = must_build(R"({"metadata":{"name":"a"},"linux":{"security_context":{"masked_paths":["/proc/x"],
      "readonly_paths":["/proc/y"]}}})");
  EXPECT_EQ(spec["linux"]["maskedPaths"], Json({"/proc/x"}));
  EXPECT_EQ(spec["linux"]["readonlyPaths"], Json({"/proc/y"}));
}

TEST_F(CridSpecContainer, SeccompProfiles) {
  EXPECT_FALSE(must_build(kMinimal)["linux"].contains("seccomp"));
  auto spec = must_build(R"({"metadata":{"name":"a"},"linux":{"security_context":{"seccomp":{"profile_type":"RuntimeDefault"}}}})");
  EXPECT_EQ(spec["linux"]["seccomp"]["defaultAction"], "SCMP_ACT_ERRNO");
  EXPECT_GT(spec["linux"]["seccomp"]["syscalls"].size(), 1u);
  EXPECT_FALSE(must_build(R"({"metadata":{"name":"a"},"linux":{"security_context":{"seccomp":{"profile_type":"Unconfined"}}}})")
                   ["linux"]
                   .contains("seccomp"));
  spec = must_build(R"({"metadata":{"name":"a"},"linux":{"security_context":{"seccomp_profile_path":"runtime/default"}}})");
  EXPECT_TRUE(spec["linux"].contains("seccomp"));

  root_.write("/profile.json", R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["reboot"],"action":"SCMP_ACT_ERRNO"}]})");
  root_.write("/broken.json", "{not json");
  spec = must_build(R"({"metadata":{"name":"a"},"linux":{"security_context":{"seccomp":{"profile_type":"Localhost",
      "localhost_ref":")" + root_.path() + R"(/profile.json"}}}})");
  EXPECT_EQ(spec["linux"]["seccomp"]["defaultAction"], "SCMP_ACT_ALLOW");
  auto broken = build(R"({"metadata":{"name":"a"},"linux":{"security_context":{"seccomp":{"profile_type":"Localhost",
      "localhost_ref":")" + root_.path() + R"(/broken.json"}}}})");
  ASSERT_FALSE(broken);
  EXPECT_MENTIONS(broken.error().message, "config.linux.security_context.seccomp.localhost_ref");
  EXPECT_MENTIONS(broken.error().message, "not valid JSON");
  auto missing = build(R"({"metadata":{"name":"a"},"linux":{"security_context":{"seccomp":{"profile_type":"Localhost",
      "localhost_ref":"/nonexistent/crid.json"}}}})");
  ASSERT_FALSE(missing);
  EXPECT_MENTIONS(missing.error().message, "/nonexistent/crid.json");
  options_.seccomp_default_profile = "/nonexistent/default.json";
  auto no_default = build(R"({"metadata":{"name":"a"},"linux":{"security_context":{"seccomp":{}}}})");
  ASSERT_FALSE(no_default);
  EXPECT_MENTIONS(no_default.error().message, "/nonexistent/default.json");
}

TEST_F(CridSpecContainer, LsmRequestsWithoutTheLsm) {
  // Neither AppArmor nor SELinux on the test hosts this was written for: a
  // RuntimeDefault AppArmor profile and SELinux options are left out ...
  if (::access("/sys/kernel/security/apparmor", F_OK) == 0 || ::access("/sys/fs/selinux/enforce", F_OK) == 0)
    GTEST_SKIP() << "an LSM is enabled here";
  auto spec = must_build(R"({"metadata":{"name":"a"},"linux":{"security_context":{"apparmor":{"profile_type":"RuntimeDefault"},
      "apparmor_profile":"runtime/default","selinux_options":{"type":"spc_t","level":"s0:c1"}}}})");
  EXPECT_FALSE(spec["process"].contains("apparmorProfile"));
  EXPECT_FALSE(spec["process"].contains("selinuxLabel"));
  // ... but a named AppArmor profile cannot be honoured, and says so.
  auto named = build(R"({"metadata":{"name":"a"},"linux":{"security_context":{"apparmor":{"profile_type":"Localhost",
      "localhost_ref":"my-profile"}}}})");
  ASSERT_FALSE(named);
  EXPECT_MENTIONS(named.error().message, "config.linux.security_context.apparmor.localhost_ref");
}

TEST_F(CridSpecContainer, Annotations) {
  auto spec = must_build(R"({"metadata":{"name":"app"},"image":{"image":"sha256:abc","user_specified_image":"busybox:1.36"},
      "annotations":{"x":"y","io.kubernetes.cri.container-type":"spoofed"}})");
  const Json &a = spec["annotations"];
  EXPECT_EQ(a["x"], "y");
  EXPECT_EQ(a["io.kubernetes.cri.container-type"], "container");
  EXPECT_EQ(a["io.kubernetes.cri.sandbox-id"], kPod);
  EXPECT_EQ(a["io.kubernetes.cri.sandbox-name"], "web");
  EXPECT_EQ(a["io.kubernetes.cri.sandbox-namespace"], "default");
  EXPECT_EQ(a["io.kubernetes.cri.sandbox-uid"], "u-1");
  EXPECT_EQ(a["io.kubernetes.cri.container-name"], "app");
  EXPECT_EQ(a["io.kubernetes.cri.image-name"], "busybox:1.36");
}

TEST_F(CridSpecContainer, MissingMetadataIsAnError) {
  auto bad = build(R"({"image":{"image":"busybox"}})");
  ASSERT_FALSE(bad);
  EXPECT_MENTIONS(bad.error().message, "config.metadata.name");
}

}  // namespace
}  // namespace berth::crid
