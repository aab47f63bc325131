#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "crid/security_spec.h"
#include "crid_spec_fixture.h"

namespace berth::crid {
namespace {

using Json = nlohmann::json;

TEST(CridSpecSecurity, ShippedDefaultProfileIsAnOciSeccompObject) {
  std::ifstream in(testing::source_root() / "contrib/seccomp-default.json");
  ASSERT_TRUE(in) << testing::source_root();
  std::stringstream text;
  text << in.rdbuf();
  Json profile = Json::parse(text.str());
  EXPECT_EQ(profile["defaultAction"], "SCMP_ACT_ERRNO");
  EXPECT_EQ(profile["defaultErrnoRet"], 1);  // EPERM
  auto converted = spec::convert_seccomp_profile(profile, spec::default_capabilities(), "default");
  ASSERT_TRUE(converted) << converted.error().message;
  EXPECT_EQ(*converted, profile);  // already in OCI form: nothing to convert
  testing::expect_parses(Json{{"ociVersion", "1.0.2"}, {"linux", {{"seccomp", *converted}}}});
}

TEST(CridSpecSecurity, DockerProfilesAreConvertedForThisHost) {
  Json docker = Json::parse(R"({
    "defaultAction": "SCMP_ACT_ERRNO",
    "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
                {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}],
    "syscalls": [
      {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW", "comment": "", "includes": {}, "excludes": {}},
      {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
      {"names": ["chown"], "action": "SCMP_ACT_ALLOW", "excludes": {"caps": ["CAP_CHOWN"]}},
      {"name": "getpid", "action": "SCMP_ACT_ALLOW"}
    ]})");
  auto out = spec::convert_seccomp_profile(docker, {"CAP_CHOWN"}, "profile");
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_FALSE(out->contains("archMap"));
  ASSERT_EQ((*out)["syscalls"].size(), 2u);  // mount needs SYS_ADMIN; chown is excluded with CHOWN held
  EXPECT_EQ((*out)["syscalls"][0], Json::parse(R"({"names":["read","write"],"action":"SCMP_ACT_ALLOW"})"));
  EXPECT_EQ((*out)["syscalls"][1]["names"], Json({"getpid"}));
#if defined(__x86_64__)
  EXPECT_EQ((*out)["architectures"], Json({"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}));
#endif
  auto bad = spec::convert_seccomp_profile(Json::parse(R"({"syscalls":[]})"), {}, "p.json");
  ASSERT_FALSE(bad);
  EXPECT_MENTIONS(bad.error().message, "p.json: defaultAction");
}

TEST(CridSpecSecurity, OomClamp) {
  SpecOptions o;
  EXPECT_EQ(spec::oom_score_adj(-2000, o), -1000);
  o.restrict_oom_score_adj = true;
  o.own_oom_score_adj = 100;
  EXPECT_EQ(spec::oom_score_adj(-998, o), 100);
  EXPECT_EQ(spec::oom_score_adj(500, o), 500);
}

}  // namespace
}  // namespace berth::crid
