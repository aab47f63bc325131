#include "libcontainer/selinux_label.h"

#include <gtest/gtest.h>

namespace berth {
namespace {

TEST(MountDataWithLabel, AppendsAQuotedContextOption) {
  EXPECT_EQ(mount_data_with_label("mode=755,size=65536k", "system_u:object_r:container_file_t:s0:c1,c2"),
            "mode=755,size=65536k,context=\"system_u:object_r:container_file_t:s0:c1,c2\"");
  EXPECT_EQ(mount_data_with_label("", "u:r:t"), "context=\"u:r:t\"");
}

TEST(MountDataWithLabel, NoLabelLeavesTheDataAlone) {
  EXPECT_EQ(mount_data_with_label("mode=755", ""), "mode=755");
  EXPECT_EQ(mount_data_with_label("", ""), "");
}

TEST(TakesContextOption, AsRunc) {
  EXPECT_TRUE(takes_context_option("tmpfs", false));
  EXPECT_TRUE(takes_context_option("devpts", false));
  EXPECT_FALSE(takes_context_option("proc", false));
  EXPECT_FALSE(takes_context_option("sysfs", false));
  EXPECT_FALSE(takes_context_option("mqueue", false));
  EXPECT_FALSE(takes_context_option("cgroup", false));
  EXPECT_FALSE(takes_context_option("tmpfs", true));
  EXPECT_FALSE(takes_context_option("", true));
}

TEST(SelinuxLabel, EmptyLabelsAreNoOps) {
  EXPECT_TRUE(set_file_label("/nonexistent", "", "linux.mountLabel"));
  EXPECT_TRUE(check_selinux_context("", "process.selinuxLabel"));
  EXPECT_TRUE(set_key_label("", "process.selinuxLabel"));
}

}  // namespace
}  // namespace berth
