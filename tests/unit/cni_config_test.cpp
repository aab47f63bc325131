#include "netns/cni_config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace berth::netns {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/cni-config-test.XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string &path() const { return path_; }
  void write(const std::string &name, const std::string &text) const { std::ofstream(path_ + "/" + name) << text; }

 private:
  std::string path_;
};

constexpr const char *kList = R"({
  "cniVersion": "1.0.0", "name": "crid-net",
  "plugins": [
    {"type": "bridge", "bridge": "cni0", "ipam": {"type": "host-local"}},
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]})";

TEST(CniConfig, ParsesAListKeepingEachPluginsJson) {
  auto list = parse_config_text(kList, "10-crid.conflist");
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(list->name, "crid-net");
  EXPECT_EQ(list->cni_version, "1.0.0");
  EXPECT_FALSE(list->disable_check);
  ASSERT_EQ(list->plugins.size(), 2u);
  EXPECT_EQ(list->plugins[0].type, "bridge");
  EXPECT_EQ(list->plugins[0].conf["bridge"], "cni0");
  EXPECT_FALSE(list->plugins[0].has_capability("portMappings"));
  EXPECT_TRUE(list->plugins[1].has_capability("portMappings"));
  EXPECT_EQ(list->raw["plugins"].size(), 2u);
}

TEST(CniConfig, ASingleConfBecomesAListOfOne) {
  auto list = parse_config_text(R"({"cniVersion": "0.4.0", "name": "one", "type": "bridge", "isGateway": true})", "x.conf");
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(list->name, "one");
  EXPECT_EQ(list->cni_version, "0.4.0");
  ASSERT_EQ(list->plugins.size(), 1u);
  EXPECT_EQ(list->plugins[0].type, "bridge");
  EXPECT_EQ(list->raw["plugins"][0]["isGateway"], true);
  // The raw list parses back to the same thing (the cache relies on it).
  auto again = parse_config(list->raw, "cache");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->plugins[0].type, "bridge");
}

TEST(CniConfig, ErrorsNameTheFileAndTheField) {
  auto bad_json = parse_config_text("{", "/etc/cni/net.d/10-x.conflist");
  ASSERT_FALSE(bad_json);
  EXPECT_NE(bad_json.error().message.find("/etc/cni/net.d/10-x.conflist: not valid JSON"), std::string::npos);
  // Too large for a double: nlohmann's out_of_range, reported the same way.
  auto overflow = parse_config_text(R"({"cniVersion": "1.0.0", "name": 1e999})", "/etc/cni/net.d/10-x.conflist");
  ASSERT_FALSE(overflow);
  EXPECT_NE(overflow.error().message.find("/etc/cni/net.d/10-x.conflist: not valid JSON"), std::string::npos);

  auto no_name = parse_config_text(R"({"cniVersion": "1.0.0", "plugins": [{"type": "bridge"}]})", "f.conflist");
  ASSERT_FALSE(no_name);
  EXPECT_EQ(no_name.error().message, "f.conflist: missing \"name\"");

  auto no_type = parse_config_text(R"({"name": "n", "plugins": [{"type": "bridge"}, {"bridge": "x"}]})", "f.conflist");
  ASSERT_FALSE(no_type);
  EXPECT_EQ(no_type.error().message, "f.conflist: plugins[1]: missing \"type\"");

  auto escape = parse_config_text(R"({"name": "n", "plugins": [{"type": "../../bin/sh"}]})", "f.conflist");
  ASSERT_FALSE(escape);
  EXPECT_NE(escape.error().message.find("is not a plugin name"), std::string::npos);

  auto empty = parse_config_text(R"({"name": "n", "plugins": []})", "f.conflist");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().message, "f.conflist: \"plugins\" is empty");
}

TEST(CniConfig, TheFirstFileByNameWinsAmongConfExtensions) {
  TempDir dir;
  dir.write("README", "not a config");
  dir.write("20-b.conf", R"({"name": "b", "type": "bridge"})");
  dir.write("30-c.json", R"({"name": "c", "type": "bridge"})");
  dir.write("10-a.conflist", R"({"name": "a", "plugins": [{"type": "ptp"}]})");
  auto files = config_files(dir.path());
  ASSERT_TRUE(files);
  ASSERT_EQ(files->size(), 3u);
  auto first = load_first_config(dir.path());
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(*first);
  EXPECT_EQ((*first)->name, "a");
  EXPECT_EQ((*first)->source, dir.path() + "/10-a.conflist");
}

TEST(CniConfig, NoDirOrAnEmptyDirHasNoConfig) {
  TempDir dir;
  auto none = load_first_config(dir.path());
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  auto missing = load_first_config(dir.path() + "/nope");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
}

TEST(CniConfig, ABrokenFirstFileIsAnErrorNamingIt) {
  TempDir dir;
  dir.write("10-broken.conflist", R"({"name": "x", "plugins": "bridge"})");
  dir.write("20-good.conflist", R"({"name": "good", "plugins": [{"type": "bridge"}]})");
  auto r = load_first_config(dir.path());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, dir.path() + "/10-broken.conflist: \"plugins\" must be an array");
}

}  // namespace
}  // namespace berth::netns
