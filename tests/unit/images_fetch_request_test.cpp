// The protocol between crid and crid-pull (images/fetch_request.h): requests
// survive the trip, the helper's lines come back as progress, an image, or
// the error it met, and a line that is none of these is a protocol error.
#include <gtest/gtest.h>

#include <vector>

#include "images/fetch_request.h"

using namespace berth::images;

namespace {

struct Recorder : PullObserver {
  void layer(const std::string &digest, LayerState state, uint64_t done, uint64_t total) override {
    seen.push_back(fmt::format("{} {} {} {}", digest, static_cast<int>(state), done, total));
  }
  std::vector<std::string> seen;
};

ImageRecord sample_image() {
  ImageRecord r;
  r.id = "sha256:" + std::string(64, 'a');
  r.manifest_digest = "sha256:" + std::string(64, 'b');
  r.repo_tags = {"127.0.0.1:5000/busybox:latest"};
  r.layers = {{"sha256:" + std::string(64, 'c'), "sha256:" + std::string(64, 'd'), "application/vnd.oci.image.layer.v1.tar+gzip", 123}};
  r.config.env = {"PATH=/bin"};
  r.config.cmd = {"sh"};
  return r;
}

}  // namespace

TEST(ImagesFetchRequest, PullRequestRoundTrips) {
  FetchRequest r;
  r.op = FetchRequest::Op::pull;
  r.options.root = "/var/lib/crid/images";
  r.options.default_registry = "registry.example:5000";
  r.options.registries["127.0.0.1:5000"] = {true, {"http://mirror:5001", "mirror2"}};
  r.options.platform = {"linux", "arm64", "v8"};
  r.options.user_agent = "crid/0.1.0";
  r.options.connect_timeout_seconds = 7;
  r.ref = "127.0.0.1:5000/busybox:latest";
  r.auth = {"user", "pass\"word", "dXNlcjpwYXNz", "idtok", "regtok"};
  r.progress = true;
  auto back = fetch_request_from_json(fetch_request_to_json(r));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->op, FetchRequest::Op::pull);
  EXPECT_EQ(back->options.root, r.options.root);
  EXPECT_EQ(back->options.default_registry, r.options.default_registry);
  ASSERT_EQ(back->options.registries.count("127.0.0.1:5000"), 1u);
  EXPECT_TRUE(back->options.registries.at("127.0.0.1:5000").insecure);
  EXPECT_EQ(back->options.registries.at("127.0.0.1:5000").mirrors, r.options.registries.at("127.0.0.1:5000").mirrors);
  EXPECT_EQ(back->options.platform.architecture, "arm64");
  EXPECT_EQ(back->options.platform.variant, "v8");
  EXPECT_EQ(back->options.user_agent, "crid/0.1.0");
  EXPECT_EQ(back->options.connect_timeout_seconds, 7);
  EXPECT_EQ(back->ref, r.ref);
  EXPECT_EQ(back->auth.username, "user");
  EXPECT_EQ(back->auth.password, "pass\"word");
  EXPECT_EQ(back->auth.auth, "dXNlcjpwYXNz");
  EXPECT_EQ(back->auth.identity_token, "idtok");
  EXPECT_EQ(back->auth.registry_token, "regtok");
  EXPECT_TRUE(back->progress);
}

TEST(ImagesFetchRequest, UnpackRootfsRequestCarriesTheImage) {
  FetchRequest r;
  r.op = FetchRequest::Op::unpack_rootfs;
  r.image = sample_image();
  r.dest_dir = "/run/crid/c1/rootfs";
  auto back = fetch_request_from_json(fetch_request_to_json(r));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->op, FetchRequest::Op::unpack_rootfs);
  EXPECT_EQ(back->dest_dir, r.dest_dir);
  EXPECT_EQ(back->image.id, r.image.id);
  ASSERT_EQ(back->image.layers.size(), 1u);
  EXPECT_EQ(back->image.layers[0].diff_id, r.image.layers[0].diff_id);
  EXPECT_EQ(back->image.layers[0].size, 123u);
}

TEST(ImagesFetchRequest, BadRequestsNameWhatIsWrong) {
  auto garbage = fetch_request_from_json("{not json");
  ASSERT_FALSE(garbage);
  EXPECT_NE(garbage.error().message.find("fetch request"), std::string::npos);
  auto op = fetch_request_from_json(R"({"op": "push", "options": {}})");
  ASSERT_FALSE(op);
  EXPECT_NE(op.error().message.find("unknown op \"push\""), std::string::npos) << op.error().message;
  auto missing = fetch_request_from_json(R"({"op": "pull"})");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("options"), std::string::npos) << missing.error().message;
}

TEST(ImagesFetchRequest, ProgressLinesGoToTheObserver) {
  Recorder rec;
  std::string digest = "sha256:" + std::string(64, 'e');
  auto reply = parse_reply_line(progress_line(digest, LayerState::downloading, 10, 20), &rec);
  EXPECT_FALSE(reply);
  ASSERT_EQ(rec.seen.size(), 1u);
  EXPECT_EQ(rec.seen[0], digest + " 1 10 20");
  // Without an observer the line is read and dropped.
  EXPECT_FALSE(parse_reply_line(progress_line(digest, LayerState::done, 20, 20), nullptr));
}

TEST(ImagesFetchRequest, TheFinalLineIsTheOutcome) {
  auto image = sample_image();
  auto got = parse_reply_line(result_line(&image), nullptr);
  ASSERT_TRUE(got);
  ASSERT_TRUE(got->outcome) << got->outcome.error().message;
  ASSERT_TRUE(got->outcome->has_value());
  EXPECT_EQ((*got->outcome)->id, image.id);
  EXPECT_EQ((*got->outcome)->repo_tags, image.repo_tags);

  auto ok = parse_reply_line(result_line(nullptr), nullptr);
  ASSERT_TRUE(ok);
  ASSERT_TRUE(ok->outcome);
  EXPECT_FALSE(ok->outcome->has_value());

  auto failed = parse_reply_line(error_line({ENOENT, "pull x: manifest unknown"}), nullptr);
  ASSERT_TRUE(failed);
  ASSERT_FALSE(failed->outcome);
  EXPECT_EQ(failed->outcome.error().code, ENOENT);
  EXPECT_EQ(failed->outcome.error().message, "pull x: manifest unknown");
}

TEST(ImagesFetchRequest, AnUnknownLineIsAProtocolError) {
  for (const char *line : {"hello", R"({"what": 1})", R"({"layer": "x", "state": "sleeping", "done": 0, "total": 0})"}) {
    auto got = parse_reply_line(line, nullptr);
    ASSERT_TRUE(got) << line;
    ASSERT_FALSE(got->outcome) << line;
    EXPECT_EQ(got->outcome.error().code, EPROTO) << line;
    EXPECT_NE(got->outcome.error().message.find("pull helper"), std::string::npos) << got->outcome.error().message;
  }
}
