#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crid/streaming/exec_process.h"

namespace berth::crid::streaming {
namespace {

const char *kConfig = R"({"ociVersion":"1.0.2","process":{"terminal":false,"user":{"uid":1000,"gid":1000},
  "args":["sleep","3600"],"env":["PATH=/bin","HOME=/home/u"],"cwd":"/work","noNewPrivileges":true,
  "capabilities":{"bounding":["CAP_CHOWN"]},"apparmorProfile":"p"},"root":{"path":"rootfs"}})";

TEST(ExecProcess, KeepsTheContainersProcessWithTheCommandAndTheSize) {
  auto text = exec_process_json(kConfig, {"sh", "-c", "stty size"}, TermSize{.width = 132, .height = 43});
  ASSERT_TRUE(text) << text.error().message;
  auto p = nlohmann::json::parse(*text);
  EXPECT_EQ(p["args"], nlohmann::json::array({"sh", "-c", "stty size"}));
  EXPECT_EQ(p["terminal"], true);
  EXPECT_EQ(p["consoleSize"]["height"], 43);
  EXPECT_EQ(p["consoleSize"]["width"], 132);
  EXPECT_EQ(p["user"]["uid"], 1000);
  EXPECT_EQ(p["cwd"], "/work");
  EXPECT_EQ(p["env"][1], "HOME=/home/u");
  EXPECT_EQ(p["noNewPrivileges"], true);
  EXPECT_EQ(p["capabilities"]["bounding"][0], "CAP_CHOWN");
  EXPECT_EQ(p["apparmorProfile"], "p");
  EXPECT_FALSE(p.contains("root"));
}

TEST(ExecProcess, NoSizeKnownLeavesConsoleSizeOut) {
  auto text = exec_process_json(kConfig, {"sh"}, std::nullopt);
  ASSERT_TRUE(text);
  EXPECT_FALSE(nlohmann::json::parse(*text).contains("consoleSize"));
  text = exec_process_json(kConfig, {"sh"}, TermSize{});
  ASSERT_TRUE(text);
  EXPECT_FALSE(nlohmann::json::parse(*text).contains("consoleSize"));
}

TEST(ExecProcess, AConfigWithoutProcessIsAnError) {
  auto text = exec_process_json(R"({"ociVersion":"1.0.2"})", {"sh"}, std::nullopt);
  ASSERT_FALSE(text);
  EXPECT_NE(text.error().message.find("no process object"), std::string::npos);
  EXPECT_FALSE(exec_process_json("not json", {"sh"}, std::nullopt));
}

TEST(ResizeQueue, PopLatestWithinWaitsForTheFirstSizeOnly) {
  ResizeQueue q;
  EXPECT_FALSE(q.pop_latest_within(std::chrono::milliseconds(10)));
  q.push({.width = 80, .height = 24});
  q.push({.width = 100, .height = 30});
  auto s = q.pop_latest_within(std::chrono::milliseconds(10));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->width, 100);
  EXPECT_FALSE(q.try_pop_latest());
}

}  // namespace
}  // namespace berth::crid::streaming
