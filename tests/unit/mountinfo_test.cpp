#include <gtest/gtest.h>

#include "libcontainer/mountinfo.h"

using berth::MountInfo;
using berth::mount_is_hidden;

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
