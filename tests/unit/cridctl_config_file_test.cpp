#include "crid/ctl/config_file.h"

#include <gtest/gtest.h>

namespace berth::cridctl {
namespace {

TEST(CridctlConfigFile, CrictlPodConfigInProtoNames) {
  auto c = parse_pod_config(R"({
    "metadata": {"name": "nginx-sandbox", "namespace": "default", "attempt": 1, "uid": "hdishd83djaidwnduwk28bcsb"},
    "log_directory": "/tmp",
    "linux": {"security_context": {"namespace_options": {"network": 2}}}
  })", "pod.json");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->metadata().name(), "nginx-sandbox");
  EXPECT_EQ(c->log_directory(), "/tmp");
  EXPECT_EQ(c->linux().security_context().namespace_options().network(), runtime::v1::NODE);
}

TEST(CridctlConfigFile, LowerCamelAndEnumNames) {
  auto c = parse_pod_config(R"({"metadata": {"name": "p", "namespace": "ns"}, "logDirectory": "/l",
    "linux": {"securityContext": {"namespaceOptions": {"network": "NODE"}}}})", "pod.json");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->log_directory(), "/l");
  EXPECT_EQ(c->linux().security_context().namespace_options().network(), runtime::v1::NODE);
  // crictl gives a pod without a uid a fresh one.
  EXPECT_EQ(c->metadata().uid().size(), 36u);
}

TEST(CridctlConfigFile, ErrorsNameTheFile) {
  auto bad = parse_pod_config(R"({"metadata": {"name": "p",})", "pod.json");
  ASSERT_FALSE(bad);
  EXPECT_TRUE(bad.error().message.starts_with("pod.json: ")) << bad.error().message;
  auto unknown = parse_pod_config(R"({"metadata": {"name": "p", "namespace": "n"}, "hostnam": "x"})", "pod.json");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("hostnam"), std::string::npos) << unknown.error().message;
  EXPECT_EQ(parse_pod_config(R"({})", "pod.json").error().message, "pod.json: metadata is not set");
  EXPECT_EQ(parse_pod_config(R"({"metadata": {"name": "p"}})", "pod.json").error().message,
            "pod.json: metadata.namespace is not set");
  EXPECT_EQ(parse_container_config(R"({"metadata": {}})", "c.json").error().message,
            "c.json: metadata.name is not set");
  EXPECT_EQ(parse_pod_config("metadata:\n  name: p\n", "pod.yaml").error().message,
            "pod.yaml: not a JSON object (cridctl reads configs as JSON; YAML is not supported)");
}

TEST(CridctlConfigFile, ContainerConfig) {
  auto c = parse_container_config(R"({"metadata": {"name": "busybox"}, "image": {"image": "busybox:latest"},
    "command": ["sh", "-c", "echo hi"], "log_path": "busybox.0.log"})", "c.json");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->command_size(), 3);
  EXPECT_EQ(c->image().user_specified_image(), "busybox:latest");
  EXPECT_EQ(c->log_path(), "busybox.0.log");
}

TEST(CridctlConfigFile, MissingFile) {
  auto c = load_pod_config("/nonexistent/pod.json");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, "load pod config: open /nonexistent/pod.json: No such file or directory");
}

TEST(CridctlConfigFile, RandomUuidShape) {
  std::string u = random_uuid();
  ASSERT_EQ(u.size(), 36u);
  EXPECT_EQ(u[14], '4');
  EXPECT_NE(u, random_uuid());
}

}  // namespace
}  // namespace berth::cridctl
