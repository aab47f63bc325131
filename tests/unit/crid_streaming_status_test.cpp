#include <gtest/gtest.h>

#include "crid/streaming/remote_command_server.h"
#include "crid/streaming/resize_queue.h"
#include "crid/streaming/status_json.h"

using namespace berth::crid::streaming;

TEST(StreamStatus, SuccessIsTheKubeletsObject) {
  EXPECT_EQ(exit_status_json(0), R"({"metadata":{},"status":"Success"})");
  EXPECT_EQ(*exit_code_from_status(exit_status_json(0)), 0);
}

TEST(StreamStatus, NonZeroExitCarriesTheCode) {
  std::string j = exit_status_json(3);
  EXPECT_EQ(j, R"({"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: exit status 3",)"
               R"("reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}})");
  EXPECT_EQ(*exit_code_from_status(j), 3);
}

TEST(StreamStatus, InternalErrorIsAnError) {
  auto r = exit_code_from_status(internal_error_status_json("no such container"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("no such container"), std::string::npos);
}

TEST(StreamStatus, OlderProtocolsSendOnlyFailureText) {
  EXPECT_EQ(error_stream_payload(3, 0), "");
  EXPECT_EQ(error_stream_payload(2, 4), "command terminated with non-zero exit code: exit status 4");
  EXPECT_EQ(error_stream_payload(4, 0), exit_status_json(0));
}

TEST(StreamStatus, ResizeMessages) {
  JsonObjectSplitter s;
  s.feed(R"({"Width":80,"Height":24}{"Wid)");
  auto a = s.next();
  ASSERT_TRUE(a);
  EXPECT_EQ(*term_size_from_json(*a), (TermSize{80, 24}));
  EXPECT_FALSE(s.next());
  s.feed(R"(th":100,"Height":40})");
  EXPECT_EQ(*term_size_from_json(*s.next()), (TermSize{100, 40}));
  EXPECT_FALSE(term_size_from_json(R"({"Width":-1,"Height":2})"));
}
