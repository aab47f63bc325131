// Parsing /proc/self/cgroup and mountinfo, and placing a container's cgroup,
// on sample text from hybrid, legacy and unified hosts.
#include <gtest/gtest.h>

#include "cgroups/manager.h"
#include "cgroups/paths.h"

namespace berth::cgroups {
namespace {

// This project's CI host: systemd-style hybrid, our memory cgroup not the root.
constexpr std::string_view kHybridCgroup =
    "9:name=systemd:/\n8:pids:/\n7:blkio:/\n6:freezer:/\n5:devices:/\n"
    "4:memory:/process_api/68f6\n3:cpuset:/\n2:cpuacct:/\n1:cpu:/\n0::/\n";
constexpr std::string_view kHybridMountinfo =
    "22 1 0:20 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
    "31 22 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
    "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
    "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
    "38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
    "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

// A CentOS 7 style legacy host: co-mounted controllers, options mixed in.
constexpr std::string_view kLegacyCgroup =
    "6:cpuset:/\n5:net_prio,net_cls:/\n4:memory:/user.slice\n3:cpuacct,cpu:/user.slice\n"
    "1:name=systemd:/user.slice/user-0.slice/session-1.scope\n";
constexpr std::string_view kLegacyMountinfo =
    "25 18 0:21 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:8 - tmpfs tmpfs ro,mode=755\n"
    "26 25 0:22 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:9 - cgroup cgroup "
    "rw,xattr,release_agent=/usr/lib/systemd/systemd-cgroups-agent,name=systemd\n"
    "29 25 0:25 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,cpuacct,cpu\n"
    "30 25 0:26 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,memory\n"
    "31 25 0:27 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid shared:13 - cgroup cgroup rw,net_prio,net_cls\n"
    "32 25 0:28 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,cpuset,clone_children\n"
    // The same memory hierarchy bind-mounted elsewhere must not win.
    "90 60 0:26 /user.slice /run/other/memory rw - cgroup cgroup rw,memory\n";

constexpr std::string_view kUnifiedCgroup = "0::/user.slice/user-1000.slice/session-2.scope\n";
constexpr std::string_view kUnifiedMountinfo =
    "35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n";

TEST(CgroupParse, ProcSelfCgroupHybrid) {
  auto entries = parse_proc_cgroup(kHybridCgroup);
  ASSERT_TRUE(entries) << entries.error().message;
  ASSERT_EQ(entries->size(), 10u);
  EXPECT_EQ((*entries)[0].controllers, std::vector<std::string>{"name=systemd"});
  EXPECT_EQ((*entries)[5].path, "/process_api/68f6");
  EXPECT_EQ((*entries)[9].hierarchy_id, 0);
  EXPECT_TRUE((*entries)[9].controllers.empty());
  EXPECT_EQ((*entries)[9].path, "/");
}

TEST(CgroupParse, ProcSelfCgroupKeepsColonsInPathAndSortsControllers) {
  auto entries = parse_proc_cgroup("3:cpuacct,cpu:/a:b\n");
  ASSERT_TRUE(entries);
  EXPECT_EQ((*entries)[0].controllers, (std::vector<std::string>{"cpu", "cpuacct"}));
  EXPECT_EQ((*entries)[0].path, "/a:b");
}

TEST(CgroupParse, ProcSelfCgroupRejectsGarbage) {
  auto r = parse_proc_cgroup("x:cpu:/\n");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("malformed hierarchy id"), std::string::npos);
  EXPECT_FALSE(parse_proc_cgroup("nonsense\n"));
}

TEST(CgroupParse, MountinfoKeepsOnlyCgroupMountsAndControllers) {
  auto mounts = parse_cgroup_mounts(kLegacyMountinfo);
  ASSERT_TRUE(mounts) << mounts.error().message;
  ASSERT_EQ(mounts->size(), 6u);
  EXPECT_EQ((*mounts)[0].mount_point, "/sys/fs/cgroup/systemd");
  EXPECT_EQ((*mounts)[0].controllers, std::vector<std::string>{"name=systemd"});
  EXPECT_EQ((*mounts)[1].controllers, (std::vector<std::string>{"cpu", "cpuacct"}));
  EXPECT_EQ((*mounts)[4].controllers, std::vector<std::string>{"cpuset"});
  EXPECT_EQ((*mounts)[5].root, "/user.slice");
  EXPECT_FALSE((*mounts)[0].unified);
}

TEST(CgroupParse, MountinfoUnescapesAndRejectsGarbage) {
  auto mounts = parse_cgroup_mounts("41 31 0:38 / /mnt/my\\040cg rw - cgroup2 cgroup2 rw\n");
  ASSERT_TRUE(mounts);
  ASSERT_EQ(mounts->size(), 1u);
  EXPECT_EQ((*mounts)[0].mount_point, "/mnt/my cg");
  EXPECT_TRUE((*mounts)[0].unified);
  EXPECT_FALSE(parse_cgroup_mounts("41 31 0:38 / /x rw cgroup2\n"));
}

TEST(CgroupHierarchies, Hybrid) {
  auto hs = find_hierarchies(Mode::Hybrid, kHybridCgroup, kHybridMountinfo);
  ASSERT_TRUE(hs) << hs.error().message;
  ASSERT_EQ(hs->size(), 10u);
  EXPECT_EQ((*hs)[3].key, "memory");
  EXPECT_EQ((*hs)[3].own_cgroup, "/process_api/68f6");
  EXPECT_EQ((*hs)[8].key, "name=systemd");
  EXPECT_EQ((*hs)[9].key, "");
  EXPECT_EQ((*hs)[9].mount_point, "/sys/fs/cgroup/unified");
  EXPECT_EQ((*hs)[9].own_cgroup, "/");
}

TEST(CgroupHierarchies, LegacyIgnoresUnifiedAndSecondMounts) {
  auto hs = find_hierarchies(Mode::Legacy, kLegacyCgroup, kLegacyMountinfo);
  ASSERT_TRUE(hs) << hs.error().message;
  ASSERT_EQ(hs->size(), 5u);
  EXPECT_EQ((*hs)[1].key, "cpu,cpuacct");
  EXPECT_EQ((*hs)[1].own_cgroup, "/user.slice");
  EXPECT_EQ((*hs)[2].mount_point, "/sys/fs/cgroup/memory");
  EXPECT_EQ((*hs)[3].key, "net_cls,net_prio");
}

TEST(CgroupHierarchies, UnifiedAndMissingMounts) {
  auto hs = find_hierarchies(Mode::Unified, kUnifiedCgroup, kUnifiedMountinfo);
  ASSERT_TRUE(hs) << hs.error().message;
  ASSERT_EQ(hs->size(), 1u);
  EXPECT_EQ((*hs)[0].own_cgroup, "/user.slice/user-1000.slice/session-2.scope");
  EXPECT_FALSE(find_hierarchies(Mode::Unified, kLegacyCgroup, kLegacyMountinfo));
  EXPECT_FALSE(find_hierarchies(Mode::Legacy, kUnifiedCgroup, kUnifiedMountinfo));
}

TEST(CgroupHierarchies, MountRootIsStrippedFromOwnCgroup) {
  // A container's view: the hierarchy is mounted from the container's own cgroup.
  auto hs = find_hierarchies(Mode::Legacy, "4:memory:/kubepods/pod1/c1\n",
                             "30 25 0:26 /kubepods/pod1 /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n");
  ASSERT_TRUE(hs);
  EXPECT_EQ((*hs)[0].own_cgroup, "/c1");
  hs = find_hierarchies(Mode::Legacy, "4:memory:/elsewhere\n",
                        "30 25 0:26 /kubepods/pod1 /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n");
  ASSERT_TRUE(hs);
  EXPECT_EQ((*hs)[0].own_cgroup, "");
  auto dir = container_dir((*hs)[0], "rel", "c1");
  ASSERT_FALSE(dir);
  EXPECT_NE(dir.error().message.find("relative"), std::string::npos);
}

TEST(CgroupPath, Clean) {
  EXPECT_EQ(*clean_cgroup_path("/a//b/./c/"), "/a/b/c");
  EXPECT_EQ(*clean_cgroup_path("/a/../b"), "/b");
  EXPECT_EQ(*clean_cgroup_path("a/x/../b"), "a/b");
  EXPECT_EQ(*clean_cgroup_path("/"), "/");
}

TEST(CgroupPath, DotDotEscapingIsRejected) {
  for (const char *bad : {"/..", "/../etc", "/a/../../b", "..", "a/../../b", "../sibling"}) {
    auto r = clean_cgroup_path(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message.find("\"..\""), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(bad), std::string::npos) << r.error().message;
  }
  Hierarchy h{"memory", "/sys/fs/cgroup/memory", "/user.slice"};
  auto dir = container_dir(h, "../../x", "c1");
  ASSERT_FALSE(dir);
  EXPECT_NE(dir.error().message.find("climbs out of its parent cgroup"), std::string::npos) << dir.error().message;
}

TEST(CgroupPath, ContainerDir) {
  Hierarchy h{"memory", "/sys/fs/cgroup/memory", "/process_api/68f6"};
  EXPECT_EQ(*container_dir(h, "/berth/c1", "c1"), "/sys/fs/cgroup/memory/berth/c1");
  EXPECT_EQ(*container_dir(h, "berth/c1", "c1"), "/sys/fs/cgroup/memory/process_api/68f6/berth/c1");
  EXPECT_EQ(*container_dir(h, "", "c1"), "/sys/fs/cgroup/memory/c1");
  Hierarchy root{"", "/sys/fs/cgroup/unified", "/"};
  EXPECT_EQ(*container_dir(root, "c1", "x"), "/sys/fs/cgroup/unified/c1");
  EXPECT_FALSE(container_dir(root, "/", "x"));
  EXPECT_FALSE(container_dir(root, ".", "x"));
  EXPECT_FALSE(container_dir(root, "", ""));
  EXPECT_FALSE(container_dir(root, "", ".."));
}

TEST(CgroupManagerFor, HybridStoresEveryHierarchyAndUnified) {
  auto m = make_manager_for(Mode::Hybrid, kHybridCgroup, kHybridMountinfo, "", "c1");
  ASSERT_TRUE(m) << m.error().message;
  auto j = (*m)->to_json();
  EXPECT_EQ(j["kind"], "v1");
  EXPECT_EQ(j["paths"].size(), 9u);
  EXPECT_EQ(j["paths"]["name=systemd"], "/sys/fs/cgroup/systemd/c1");
  EXPECT_EQ(j["paths"]["cpuset"], "/sys/fs/cgroup/cpuset/c1");
  EXPECT_EQ(j["unified"], "/sys/fs/cgroup/unified/c1");

  auto back = manager_from_json(j);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ((*back)->to_json(), j);
}

TEST(CgroupManagerFor, LegacyRelative) {
  auto m = make_manager_for(Mode::Legacy, kLegacyCgroup, kLegacyMountinfo, "berth/c1", "c1");
  ASSERT_TRUE(m) << m.error().message;
  auto j = (*m)->to_json();
  EXPECT_EQ(j["paths"]["cpu,cpuacct"], "/sys/fs/cgroup/cpu,cpuacct/user.slice/berth/c1");
  EXPECT_EQ(j["paths"]["cpuset"], "/sys/fs/cgroup/cpuset/berth/c1");
  EXPECT_FALSE(j.contains("unified"));
}

TEST(CgroupManagerFor, Unified) {
  auto m = make_manager_for(Mode::Unified, kUnifiedCgroup, kUnifiedMountinfo, "/machine/c1", "c1");
  ASSERT_TRUE(m) << m.error().message;
  auto j = (*m)->to_json();
  EXPECT_EQ(j, (nlohmann::json{{"kind", "v2"}, {"mount", "/sys/fs/cgroup"}, {"path", "/sys/fs/cgroup/machine/c1"}}));
  auto back = manager_from_json(j);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ((*back)->to_json(), j);
  EXPECT_FALSE(make_manager_for(Mode::Unified, kUnifiedCgroup, kUnifiedMountinfo, "/../c1", "c1"));
}

TEST(CgroupManagerFromJson, RejectsBadState) {
  using nlohmann::json;
  for (const json &bad : {json(42), json{{"kind", "v3"}}, json{{"kind", "v1"}},
                          json{{"kind", "v1"}, {"paths", {{"cpu", "relative"}}}},
                          json{{"kind", "v1"}, {"paths", {{"cpu", "/sys/fs/cgroup/cpu/../../etc"}}}},
                          json{{"kind", "v2"}, {"mount", "/sys/fs/cgroup"}, {"path", 7}},
                          json{{"kind", "v2"}, {"mount", "/sys/fs/cgroup"}, {"path", "/"}}}) {
    auto m = manager_from_json(bad);
    EXPECT_FALSE(m) << bad.dump();
    if (!m) {
      EXPECT_NE(m.error().message.find("cgroup state"), std::string::npos) << m.error().message;
    }
  }
}

}  // namespace
}  // namespace berth::cgroups
