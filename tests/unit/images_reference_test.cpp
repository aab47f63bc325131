#include <gtest/gtest.h>

#include "images/reference.h"

using berth::images::parse_reference;

namespace {

std::string norm(std::string_view text, std::string_view def = "docker.io") {
  auto r = parse_reference(text, def);
  return r ? r->str() : "ERROR: " + r.error().message;
}

const std::string kHex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

}  // namespace

TEST(ImagesReference, NormalisesDockerHubNames) {
  EXPECT_EQ(norm("busybox"), "docker.io/library/busybox:latest");
  EXPECT_EQ(norm("busybox:1.36"), "docker.io/library/busybox:1.36");
  EXPECT_EQ(norm("library/busybox"), "docker.io/library/busybox:latest");
  EXPECT_EQ(norm("docker.io/busybox"), "docker.io/library/busybox:latest");
  EXPECT_EQ(norm("index.docker.io/library/busybox"), "docker.io/library/busybox:latest");
  EXPECT_EQ(norm("user/app:v1"), "docker.io/user/app:v1");
  EXPECT_EQ(norm("docker.io/library/busybox:latest"), "docker.io/library/busybox:latest");
}

TEST(ImagesReference, RegistryHostsAndPorts) {
  auto r = parse_reference("127.0.0.1:5000/busybox:tag");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->registry, "127.0.0.1:5000");
  EXPECT_EQ(r->repository, "busybox");
  EXPECT_EQ(r->tag, "tag");
  EXPECT_EQ(norm("localhost/app"), "localhost/app:latest");
  EXPECT_EQ(norm("localhost:5000/a/b/c"), "localhost:5000/a/b/c:latest");
  EXPECT_EQ(norm("quay.io/coreos/etcd:v3.5.0"), "quay.io/coreos/etcd:v3.5.0");
  EXPECT_EQ(norm("Registry.Example/app"), "Registry.Example/app:latest");
  EXPECT_EQ(norm("[::1]:5000/app"), "[::1]:5000/app:latest");
  // A port-like suffix on a short name is a tag, as docker reads it.
  EXPECT_EQ(norm("localhost:5000"), "docker.io/library/localhost:5000");
}

TEST(ImagesReference, Digests) {
  auto r = parse_reference("busybox@sha256:" + kHex);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->tag, "");
  EXPECT_EQ(r->digest, "sha256:" + kHex);
  EXPECT_EQ(r->manifest_ref(), "sha256:" + kHex);
  EXPECT_EQ(r->repo_tag(), "");
  EXPECT_EQ(norm("host:5000/x:v1@sha256:" + kHex), "host:5000/x:v1@sha256:" + kHex);
}

TEST(ImagesReference, DefaultRegistry) {
  EXPECT_EQ(norm("busybox", "127.0.0.1:5000"), "127.0.0.1:5000/busybox:latest");
  EXPECT_EQ(norm("team/app", "registry.local"), "registry.local/team/app:latest");
}

TEST(ImagesReference, SeparatorsInComponents) {
  EXPECT_EQ(norm("x/a.b_c__d-e---f"), "docker.io/x/a.b_c__d-e---f:latest");
  // A first component with a dot is a registry host, where underscores are not allowed.
  EXPECT_FALSE(parse_reference("a.b_c/g"));
  EXPECT_EQ(norm("x:v1.2-rc_3"), "docker.io/library/x:v1.2-rc_3");
}

TEST(ImagesReference, ErrorsSayWhatIsWrong) {
  auto expect_err = [](std::string_view text, std::string_view part) {
    auto r = parse_reference(text);
    ASSERT_FALSE(r) << text << " parsed as " << r->str();
    EXPECT_EQ(r.error().code, EINVAL);
    EXPECT_NE(r.error().message.find(part), std::string::npos) << r.error().message;
  };
  expect_err("", "empty");
  expect_err("Busybox", "lowercase");
  expect_err("docker.io/Library/busybox", "lowercase");
  expect_err("busybox:", "invalid tag");
  expect_err("busybox:-x", "invalid tag");
  expect_err("busybox:" + std::string(129, 'a'), "invalid tag");
  expect_err("busybox@sha256:abc", "64 hex");
  expect_err("busybox@md5:" + kHex, "unsupported algorithm");
  expect_err("busybox@sha256:" + std::string(64, 'G'), "hex digit");
  expect_err("a//b", "component");
  expect_err("a/-b", "component");
  expect_err("a..b", "component");
  expect_err("host:5000/", "no repository");
  expect_err("has space", "white space");
  expect_err("-host.io/x", "registry host");
  expect_err(":tag", "no repository");
  expect_err(std::string(300, 'a'), "255");
}

TEST(ImagesReference, LooksLikeImageId) {
  using berth::images::looks_like_image_id;
  EXPECT_TRUE(looks_like_image_id("sha256:" + kHex));
  EXPECT_TRUE(looks_like_image_id(kHex));
  EXPECT_TRUE(looks_like_image_id("0123456789ab"));
  EXPECT_FALSE(looks_like_image_id("busybox"));
  EXPECT_FALSE(looks_like_image_id("0123456789a"));
}
