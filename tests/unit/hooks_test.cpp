#include "libcontainer/hooks.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace berth {
namespace {

TEST(Hooks, KindTableCoversEveryConfigName) {
  std::vector<std::string> names;
  for (const auto &k : hook_kinds()) names.emplace_back(k.name);
  EXPECT_EQ(names, (std::vector<std::string>{"prestart", "createRuntime", "createContainer", "startContainer",
                                             "poststart", "poststop"}));
  EXPECT_EQ(hook_kind_name(HookKind::StartContainer), "startContainer");
}

TEST(Hooks, JsonRoundTripKeepsEveryField) {
  Hooks h;
  h.poststart.push_back(Hook{"/bin/a", {"a", "x"}, {"K=v"}, 5});
  h.poststop.push_back(Hook{"/bin/b", {}, {}, std::nullopt});
  Hooks back = hooks_from_json(hooks_to_json(h));
  ASSERT_EQ(back.poststart.size(), 1u);
  EXPECT_EQ(back.poststart[0].path, "/bin/a");
  EXPECT_EQ(back.poststart[0].args, (std::vector<std::string>{"a", "x"}));
  EXPECT_EQ(back.poststart[0].env, (std::vector<std::string>{"K=v"}));
  EXPECT_EQ(back.poststart[0].timeout, 5);
  ASSERT_EQ(back.poststop.size(), 1u);
  EXPECT_FALSE(back.poststop[0].timeout);
  EXPECT_TRUE(back.prestart.empty());
  EXPECT_FALSE(hooks_need_handshake(back));
  back.start_container.push_back(Hook{"/bin/c", {}, {}, {}});
  EXPECT_TRUE(hooks_need_handshake(back));
}

TEST(Hooks, MalformedStoredHooksAreSkipped) {
  auto h = hooks_from_json(nlohmann::json::parse(R"({"poststop": [1, {"args": []}, {"path": "/x"}]})"));
  ASSERT_EQ(h.poststop.size(), 1u);
  EXPECT_EQ(h.poststop[0].path, "/x");
}

TEST(Hooks, StateOnStdinArgsAndEnv) {
  char tmpl[] = "/tmp/berth-hook-XXXXXX";
  int fd = mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  close(fd);
  Hook h{"/bin/sh", {"sh", "-c", "cat > \"$OUT\"; echo \"$0\" >> \"$OUT\""}, {std::string("OUT=") + tmpl}, 5};
  ASSERT_TRUE(run_hook(h, "{\"id\":\"x\"}", "hooks.poststart[0]"));
  std::ifstream in(tmpl);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "{\"id\":\"x\"}sh\n");
  unlink(tmpl);
}

TEST(Hooks, FailureNamesPathAndStatus) {
  Hook h{"/bin/sh", {"sh", "-c", "exit 3"}, {}, {}};
  auto r = run_hook(h, "{}", "hooks.createRuntime[1]");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "hooks.createRuntime[1]: /bin/sh failed: exit status 3");
}

TEST(Hooks, TimeoutKillsTheHook) {
  Hook h{"/bin/sleep", {"sleep", "30"}, {}, 1};
  auto r = run_hook(h, "{}", "hooks.prestart[0]");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("timed out after 1 seconds"), std::string::npos) << r.error().message;
}

TEST(Hooks, HookNotReadingStdinIsFine) {
  Hook h{"/bin/true", {}, {}, {}};
  std::string big(1 << 20, 'x');
  EXPECT_TRUE(run_hook(h, big, "hooks.poststop[0]"));
}

}  // namespace
}  // namespace berth
