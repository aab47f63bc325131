#include "libcontainer/mount_options.h"

#include <gtest/gtest.h>
#include <sys/mount.h>

#include <set>
#include <string>
#include <vector>

namespace berth {
namespace {

ParsedMountOptions parse(std::vector<std::string> opts) {
  auto r = parse_mount_options(opts);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? *r : ParsedMountOptions{};
}

TEST(MountOptions, FlagsSetAndClearInOrder) {
  auto o = parse({"nosuid", "noexec", "nodev", "ro"});
  EXPECT_EQ(o.flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
  EXPECT_TRUE(o.data.empty());
  o = parse({"ro", "rw"});
  EXPECT_EQ(o.flags, 0u);
  o = parse({"rw", "ro"});
  EXPECT_EQ(o.flags, static_cast<unsigned long>(MS_RDONLY));
}

TEST(MountOptions, UnknownOptionsBecomeData) {
  auto o = parse({"nosuid", "mode=755", "size=65536k", "strictatime"});
  EXPECT_EQ(o.data, "mode=755,size=65536k");
  EXPECT_EQ(o.flags, MS_NOSUID | MS_STRICTATIME);
  EXPECT_TRUE(o.atime_given);
}

TEST(MountOptions, BindAndRbind) {
  EXPECT_EQ(parse({"bind"}).flags, static_cast<unsigned long>(MS_BIND));
  EXPECT_EQ(parse({"rbind"}).flags, static_cast<unsigned long>(MS_BIND | MS_REC));
}

TEST(MountOptions, PropagationIsSeparateAndOrdered) {
  auto o = parse({"rbind", "rprivate", "slave"});
  ASSERT_EQ(o.propagation.size(), 2u);
  EXPECT_EQ(o.propagation[0], static_cast<unsigned long>(MS_PRIVATE | MS_REC));
  EXPECT_EQ(o.propagation[1], static_cast<unsigned long>(MS_SLAVE));
  EXPECT_EQ(o.flags, static_cast<unsigned long>(MS_BIND | MS_REC));
}

TEST(MountOptions, AtimeModesExcludeEachOther) {
  auto o = parse({"noatime", "relatime"});
  EXPECT_EQ(o.flags, static_cast<unsigned long>(MS_RELATIME));
  EXPECT_FALSE(parse({"nosuid"}).atime_given);
}

TEST(MountOptions, RecursiveAttributes) {
  auto o = parse({"rro", "rnosuid", "rdev"});
  EXPECT_EQ(o.rec_attr_set, static_cast<uint64_t>(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID));
  EXPECT_EQ(o.rec_attr_clr, static_cast<uint64_t>(MOUNT_ATTR_NODEV));
  EXPECT_EQ(o.flags, 0u);
  EXPECT_TRUE(o.has_recursive_attrs());

  o = parse({"rnoatime"});
  EXPECT_EQ(o.rec_attr_set, static_cast<uint64_t>(MOUNT_ATTR_NOATIME));
  EXPECT_EQ(o.rec_attr_clr, static_cast<uint64_t>(MOUNT_ATTR__ATIME));
  o = parse({"rnoatime", "ratime"});
  EXPECT_EQ(o.rec_attr_set, 0u);
  EXPECT_EQ(o.rec_attr_clr, static_cast<uint64_t>(MOUNT_ATTR__ATIME));
}

TEST(MountOptions, IdmapAndRidmap) {
  auto o = parse({"rbind", "idmap"});
  EXPECT_TRUE(o.idmap);
  EXPECT_FALSE(o.idmap_recursive);
  EXPECT_FALSE(o.tmpcopyup);
  EXPECT_TRUE(o.data.empty());
  auto r = parse({"ridmap"});
  EXPECT_TRUE(r.idmap);
  EXPECT_TRUE(r.idmap_recursive);
}

TEST(MountOptions, TmpcopyupAccepted) {
  auto o = parse({"tmpcopyup"});
  EXPECT_TRUE(o.tmpcopyup);
  EXPECT_TRUE(o.data.empty());
}

TEST(MountOptions, TableNamesAreUniqueAndCoverRuncs) {
  std::set<std::string_view> names;
  for (const auto &o : known_mount_options()) EXPECT_TRUE(names.insert(o.name).second) << o.name;
  for (auto n : {"ro", "rw", "suid", "nosuid", "dev", "nodev", "exec", "noexec", "sync", "async", "dirsync",
                 "remount", "mand", "nomand", "atime", "noatime", "diratime", "nodiratime", "relatime",
                 "norelatime", "strictatime", "nostrictatime", "lazytime", "nolazytime", "bind", "rbind",
                 "private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable",
                 "rro", "rrw", "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec", "rexec", "ratime", "rnoatime",
                 "rstrictatime", "rnostrictatime", "rrelatime", "rnorelatime", "rdiratime", "rnodiratime",
                 "tmpcopyup"})
    EXPECT_TRUE(names.count(n)) << n;
}

TEST(MountOptions, RootfsPropagation) {
  EXPECT_EQ(*parse_rootfs_propagation(""), 0u);
  EXPECT_EQ(*parse_rootfs_propagation("rslave"), static_cast<unsigned long>(MS_SLAVE | MS_REC));
  EXPECT_EQ(*parse_rootfs_propagation("shared"), static_cast<unsigned long>(MS_SHARED));
  EXPECT_FALSE(parse_rootfs_propagation("ro").has_value());
  EXPECT_FALSE(parse_rootfs_propagation("sideways").has_value());
}

}  // namespace
}  // namespace berth
