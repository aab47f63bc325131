#include "libcontainer/rlimits.h"

#include <fcntl.h>
#include <sys/resource.h>

#include <gtest/gtest.h>
#include <sys/capability.h>

#include "tests/unit/security_fork.h"

namespace berth {
namespace {

TEST(RlimitNames, KnowsEveryLimitInKernelOrder) {
  auto names = rlimit_names();
  ASSERT_EQ(names.size(), 16u);
  EXPECT_EQ(names.front(), "RLIMIT_CPU");
  EXPECT_EQ(names.back(), "RLIMIT_RTTIME");
  for (size_t i = 0; i < names.size(); ++i) {
    auto r = rlimit_from_name(names[i]);
    ASSERT_TRUE(r) << names[i];
    EXPECT_EQ(*r, static_cast<int>(i)) << names[i];
  }
  EXPECT_EQ(rlimit_from_name("RLIMIT_NOFILE"), RLIMIT_NOFILE);
  EXPECT_FALSE(rlimit_from_name("RLIMIT_FOO"));
  EXPECT_FALSE(rlimit_from_name("rlimit_nofile"));
}

TEST(ValidateRlimits, AcceptsAGoodList) {
  EXPECT_TRUE(validate_rlimits({}));
  EXPECT_TRUE(validate_rlimits({{"RLIMIT_NOFILE", 1024, 1024}, {"RLIMIT_CORE", RLIM_INFINITY, 0}}));
}

TEST(ValidateRlimits, NamesTheUnknownType) {
  auto r = validate_rlimits({{"RLIMIT_NOFILE", 10, 10}, {"RLIMIT_FOO", 1, 1}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "process.rlimits[1].type: unknown rlimit \"RLIMIT_FOO\"");
}

TEST(ValidateRlimits, RefusesSoftAboveHard) {
  auto r = validate_rlimits({{"RLIMIT_NOFILE", 10, 20}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "process.rlimits[0]: RLIMIT_NOFILE soft limit 20 is above its hard limit 10");
}

TEST(ValidateRlimits, RefusesADuplicate) {
  auto r = validate_rlimits({{"RLIMIT_NOFILE", 10, 10}, {"RLIMIT_NOFILE", 20, 20}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "process.rlimits[1].type: RLIMIT_NOFILE is already set by process.rlimits[0]");
}

TEST(ApplyRlimits, LowersNofileInAChild) {
  auto out = testing::run_in_child([](std::string &msg) {
    auto r = apply_rlimits({{"RLIMIT_NOFILE", 512, 100}});
    if (!r) {
      msg = r.error().message;
      return 1;
    }
    struct rlimit now {};
    if (::getrlimit(RLIMIT_NOFILE, &now) != 0) return 2;
    msg = fmt::format("{} {}", now.rlim_cur, now.rlim_max);
    return 0;
  });
  EXPECT_EQ(out.exit_code, 0) << out.message;
  EXPECT_EQ(out.message, "100 512");
}

TEST(ApplyRlimits, RaisingAboveTheHardLimitNamesTheLimit) {
  auto out = testing::run_in_child([](std::string &msg) {
    // Without CAP_SYS_RESOURCE a hard limit can only go down, whatever the host.
    cap_t caps = cap_get_proc();
    cap_value_t res = CAP_SYS_RESOURCE;
    if (!caps || cap_set_flag(caps, CAP_EFFECTIVE, 1, &res, CAP_CLEAR) != 0 ||
        cap_set_proc(caps) != 0)
      return 3;
    cap_free(caps);
    if (!apply_rlimits({{"RLIMIT_NOFILE", 1000, 1000}})) return 4;
    auto r = apply_rlimits({{"RLIMIT_NOFILE", 3000, 3000}});
    if (r) return 5;
    msg = r.error().message;
    return r.error().code == EPERM ? 0 : 6;
  });
  EXPECT_EQ(out.exit_code, 0) << out.message;
  EXPECT_EQ(out.message,
            "setrlimit RLIMIT_NOFILE (soft 3000, hard 3000): Operation not permitted (the hard "
            "limit here is 1000 and raising it needs CAP_SYS_RESOURCE)");
}

TEST(ApplyRlimits, UnknownTypeIsAnError) {
  auto r = apply_rlimits({{"RLIMIT_BOGUS", 1, 1}});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("RLIMIT_BOGUS"), std::string::npos);
}

}  // namespace
}  // namespace berth
