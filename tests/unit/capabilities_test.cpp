#include "libcontainer/capabilities.h"

#include <linux/capability.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/unit/security_fork.h"

namespace berth {
namespace {

TEST(CapabilityNames, ResolvesSpecSpellingOnly) {
  EXPECT_EQ(capability_from_name("CAP_CHOWN"), 0);
  EXPECT_EQ(capability_from_name("CAP_NET_ADMIN"), CAP_NET_ADMIN);
  EXPECT_EQ(capability_from_name("CAP_SYS_ADMIN"), CAP_SYS_ADMIN);
  EXPECT_FALSE(capability_from_name("cap_net_admin"));
  EXPECT_FALSE(capability_from_name("NET_ADMIN"));
  EXPECT_FALSE(capability_from_name("12"));
  EXPECT_FALSE(capability_from_name("CAP_"));
  EXPECT_FALSE(capability_from_name("CAP_FOO"));
}

TEST(CapabilityNames, ListsKnownNames) {
  auto names = capability_names();
  ASSERT_GT(names.size(), 37u);
  EXPECT_EQ(names.front(), "CAP_CHOWN");
  EXPECT_NE(std::find(names.begin(), names.end(), "CAP_NET_ADMIN"), names.end());
  for (const auto &n : names) EXPECT_TRUE(capability_from_name(n)) << n;
}

TEST(KernelLastCap, MatchesProc) {
  int last = kernel_last_cap();
  EXPECT_GE(last, 36);
  EXPECT_LT(last, 64);
}

TEST(ResolveCapabilities, BitsPerSet) {
  Capabilities c;
  c.bounding = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_ADMIN"};
  c.effective = {"CAP_KILL"};
  c.permitted = {"CAP_KILL", "CAP_CHOWN"};
  c.inheritable = {"CAP_KILL"};
  c.ambient = {"CAP_KILL"};
  auto r = resolve_capabilities(c);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->warnings.empty());
  const auto &caps = r->caps;
  EXPECT_EQ(caps.bounding, (1ull << CAP_CHOWN) | (1ull << CAP_KILL) | (1ull << CAP_NET_ADMIN));
  EXPECT_EQ(caps.effective, 1ull << CAP_KILL);
  EXPECT_EQ(caps.permitted, (1ull << CAP_KILL) | (1ull << CAP_CHOWN));
  EXPECT_EQ(caps.inheritable, 1ull << CAP_KILL);
  EXPECT_EQ(caps.ambient, 1ull << CAP_KILL);
  EXPECT_EQ(caps.last_cap, kernel_last_cap());
}

TEST(ResolveCapabilities, UnknownNamesAreDroppedWithAWarning) {
  Capabilities c;
  c.bounding = {"CAP_CHOWN", "CAP_FOO"};
  c.permitted = {"CAP_BAR"};
  auto r = resolve_capabilities(c);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->caps.bounding, 1ull << CAP_CHOWN);
  EXPECT_EQ(r->caps.permitted, 0u);
  ASSERT_EQ(r->warnings.size(), 2u);
  EXPECT_EQ(r->warnings[0],
            "process.capabilities.bounding: unknown capability \"CAP_FOO\" ignored");
  EXPECT_EQ(r->warnings[1],
            "process.capabilities.permitted: unknown capability \"CAP_BAR\" ignored");
}

TEST(ResolveCapabilities, AmbientNeedsPermittedAndInheritable) {
  Capabilities c;
  c.permitted = {"CAP_KILL", "CAP_CHOWN"};
  c.inheritable = {"CAP_KILL"};
  c.ambient = {"CAP_KILL", "CAP_CHOWN"};
  auto r = resolve_capabilities(c);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->caps.ambient, 1ull << CAP_KILL);
  EXPECT_TRUE(r->warnings.empty());
  ASSERT_EQ(r->notes.size(), 1u);
  EXPECT_EQ(r->notes[0],
            "process.capabilities.ambient: CAP_CHOWN ignored (an ambient capability must also be "
            "permitted and inheritable)");
}

TEST(ResolveCapabilities, EffectiveMustBePermitted) {
  Capabilities c;
  c.effective = {"CAP_KILL", "CAP_NET_RAW"};
  c.permitted = {"CAP_KILL"};
  auto r = resolve_capabilities(c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "process.capabilities.effective: CAP_NET_RAW not in the permitted set (the kernel "
            "refuses an effective capability that is not permitted)");
}

// "CapEff:\t0000000000000021" -> 0x21
uint64_t status_mask(const std::string &field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with(field + ":"))
      return std::stoull(line.substr(field.size() + 1), nullptr, 16);
  return ~uint64_t{0};
}

TEST(ApplyCapabilities, InAChildAcrossAUidChange) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  auto out = testing::run_in_child([](std::string &msg) {
    Capabilities c;
    c.bounding = {"CAP_CHOWN", "CAP_KILL"};
    c.effective = {"CAP_CHOWN", "CAP_KILL"};
    c.permitted = {"CAP_CHOWN", "CAP_KILL"};
    c.inheritable = {"CAP_KILL"};
    c.ambient = {"CAP_KILL"};
    auto resolved = resolve_capabilities(c);
    if (!resolved) {
      msg = resolved.error().message;
      return 1;
    }
    if (auto r = drop_bounding_set(resolved->caps); !r) {
      msg = r.error().message;
      return 2;
    }
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) {
      msg = "setuid failed";
      return 3;
    }
    if (auto r = apply_capabilities(resolved->caps); !r) {
      msg = r.error().message;
      return 4;
    }
    if (auto r = set_no_new_privileges(); !r) {
      msg = r.error().message;
      return 5;
    }
    msg = fmt::format("{:x} {:x} {:x} {:x} {:x}", status_mask("CapBnd"), status_mask("CapEff"),
                      status_mask("CapPrm"), status_mask("CapInh"), status_mask("CapAmb"));
    return 0;
  });
  EXPECT_EQ(out.exit_code, 0) << out.message;
  // CAP_CHOWN is bit 0 and CAP_KILL bit 5.
  EXPECT_EQ(out.message, "21 21 21 20 20");
}

TEST(ApplyCapabilities, EmptySetsDropEverything) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  auto out = testing::run_in_child([](std::string &msg) {
    auto resolved = resolve_capabilities(Capabilities{});
    if (!resolved) return 1;
    if (auto r = drop_bounding_set(resolved->caps); !r) {
      msg = r.error().message;
      return 2;
    }
    if (auto r = apply_capabilities(resolved->caps); !r) {
      msg = r.error().message;
      return 4;
    }
    msg = fmt::format("{:x} {:x} {:x}", status_mask("CapBnd"), status_mask("CapEff"),
                      status_mask("CapPrm"));
    return 0;
  });
  EXPECT_EQ(out.exit_code, 0) << out.message;
  EXPECT_EQ(out.message, "0 0 0");
}

}  // namespace
}  // namespace berth
