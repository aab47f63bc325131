#include "libcontainer/process_attrs.h"

#include <gtest/gtest.h>
#include <sys/personality.h>

namespace berth {
namespace {

TEST(ProcessAttrs, CpuLists) {
  EXPECT_EQ(*parse_cpu_list("0-3,7"), (std::vector<unsigned>{0, 1, 2, 3, 7}));
  EXPECT_EQ(*parse_cpu_list(" 1 , 2 "), (std::vector<unsigned>{1, 2}));
  EXPECT_EQ(*parse_cpu_list("5"), (std::vector<unsigned>{5}));
  EXPECT_FALSE(parse_cpu_list(""));
  EXPECT_FALSE(parse_cpu_list("3-1"));
  EXPECT_FALSE(parse_cpu_list("1,,2"));
  EXPECT_FALSE(parse_cpu_list("a"));
  EXPECT_FALSE(parse_cpu_list("99999"));
}

TEST(ProcessAttrs, TablesMatchTheKernel) {
  EXPECT_EQ(scheduler_policy_value("SCHED_BATCH"), 3);
  EXPECT_EQ(scheduler_policy_value("SCHED_DEADLINE"), 6);
  EXPECT_EQ(scheduler_flag_value("SCHED_FLAG_RESET_ON_FORK"), 1u);
  EXPECT_EQ(io_priority_class_value("IOPRIO_CLASS_IDLE"), 3);
  EXPECT_EQ(memory_policy_mode_value("MPOL_BIND"), 2);
  EXPECT_EQ(memory_policy_flag_value("MPOL_F_STATIC_NODES"), 1 << 15);
  EXPECT_EQ(personality_domain_value("LINUX32"), static_cast<unsigned long>(PER_LINUX32));
  EXPECT_FALSE(scheduler_policy_value("SCHED_FOO"));
}

TEST(ProcessAttrs, ErrorsNameTheField) {
  auto r = apply_cpu_affinity("2-1", "final");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.rfind("process.execCPUAffinity.final: ", 0), 0u) << r.error().message;
  MemoryPolicy m{"MPOL_NOPE", "", {}};
  auto e = apply_memory_policy(m);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message, "linux.memoryPolicy.mode: unknown mode \"MPOL_NOPE\"");
}

}  // namespace
}  // namespace berth
