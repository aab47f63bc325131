#include <gtest/gtest.h>

#include "libcontainer/mountinfo.h"

using berth::MountInfo;
using berth::mount_is_hidden;
using berth::parse_mountinfo;

static MountInfo at(const char *mp) {
  MountInfo m;
  m.mount_point = mp;
  return m;
}

TEST(MountInfo, LaterMountOnAParentHidesAnEntry) {
  // The host's hierarchies, then a tmpfs over /sys/fs/cgroup with one bind in it.
  std::vector<MountInfo> t = {at("/sys/fs/cgroup"), at("/sys/fs/cgroup/cpu"), at("/sys/fs/cgroup/unified"),
                              at("/sys/fs/cgroup"), at("/sys/fs/cgroup/cpu")};
  EXPECT_TRUE(mount_is_hidden(t, 0));
  EXPECT_TRUE(mount_is_hidden(t, 1));
  EXPECT_TRUE(mount_is_hidden(t, 2));
  EXPECT_FALSE(mount_is_hidden(t, 3));
  EXPECT_FALSE(mount_is_hidden(t, 4));
}

TEST(MountInfo, SiblingsAndChildrenDoNotHide) {
  std::vector<MountInfo> t = {at("/sys/fs/cgroup/cpu"), at("/sys/fs/cgroup/cpuacct"), at("/sys/fs/cgroup/cpu/sub")};
  EXPECT_FALSE(mount_is_hidden(t, 0));
  EXPECT_FALSE(mount_is_hidden(t, 1));
  EXPECT_FALSE(mount_is_hidden(t, 2));
}

TEST(MountInfo, ParsesFieldsOptionalTagsAndEscapes) {
  auto t = parse_mountinfo(
      "22 1 0:21 / /sys rw,nosuid shared:7 master:1 - sysfs sysfs rw\n"
      "35 22 0:30 /sub /sys/fs/cgroup/cpu\\054cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
      "40 1 8:1 / /mnt/a\\040b rw - ext4 /dev/sd\\134a rw,relatime\n");
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].mount_point, "/sys");
  EXPECT_EQ(t[0].optional, "shared:7 master:1");
  EXPECT_EQ(t[0].fs_type, "sysfs");
  EXPECT_EQ(t[0].super_options, "rw");
  EXPECT_EQ(t[1].root, "/sub");
  EXPECT_EQ(t[1].mount_point, "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_EQ(t[1].optional, "");
  EXPECT_EQ(t[1].super_options, "rw,cpu,cpuacct");
  EXPECT_EQ(t[2].mount_point, "/mnt/a b");
  EXPECT_EQ(t[2].source, "/dev/sd\\a");
}

TEST(MountInfo, SkipsShortLinesAndToleratesNoTrailingNewline) {
  auto t = parse_mountinfo("garbage line\n\n1 0 0:1 / / rw - ext4 /dev/root rw");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].mount_point, "/");
  EXPECT_EQ(t[0].fs_type, "ext4");
}

TEST(MountInfo, OwnTableHasRootAndProc) {
  auto t = berth::read_mountinfo();
  ASSERT_TRUE(t);
  bool proc = false;
  for (const auto &m : *t) proc |= m.mount_point == "/proc" && m.fs_type == "proc";
  EXPECT_TRUE(proc);
  EXPECT_NE(berth::mount_holding(*t, "/etc"), nullptr);
}
