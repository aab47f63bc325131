#include <gtest/gtest.h>

#include "crid/monitor_protocol.h"

namespace berth::crid {
namespace {

TEST(ExitRecord, RoundTrips) {
  ExitRecord r;
  r.exit_code = 137;
  r.signal = 9;
  r.exited_at_ns = 1475713029669794202;
  r.oom_killed = true;
  r.message = "epoll_wait: \"odd\"";
  auto back = exit_record_from_json(exit_record_to_json(r));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->exit_code, 137);
  EXPECT_EQ(back->signal, 9);
  EXPECT_EQ(back->exited_at_ns, 1475713029669794202);
  EXPECT_TRUE(back->oom_killed);
  EXPECT_EQ(back->message, r.message);
}

TEST(ExitRecord, JsonHasTheDocumentedKeys) {
  ExitRecord r;
  r.exit_code = 3;
  r.exited_at_ns = 42;
  EXPECT_EQ(exit_record_to_json(r), "{\"exit_code\":3,\"exited_at\":42,\"oom_killed\":false,\"signal\":0}\n");
}

TEST(ExitRecord, RefusesBrokenInput) {
  EXPECT_FALSE(exit_record_from_json("not json"));
  EXPECT_FALSE(exit_record_from_json("[]"));
  auto missing = exit_record_from_json("{\"exited_at\":1}");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message, "exit record: exit_code: missing");
  auto wrong = exit_record_from_json("{\"exit_code\":\"0\",\"exited_at\":1}");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().message, "exit record: exit_code: not an integer");
}

}  // namespace
}  // namespace berth::crid
