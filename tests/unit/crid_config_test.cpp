#include "crid/config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace berth::crid {
namespace {

Result<Invocation> parse(std::vector<std::string> args) {
  args.insert(args.begin(), "crid");
  return parse_command_line(args);
}

TEST(CridConfig, DefaultsWhenNothingIsGiven) {
  Config c;
  EXPECT_EQ(c.listen, "unix:///run/crid/crid.sock");
  EXPECT_EQ(c.socket_path(), "/run/crid/crid.sock");
  EXPECT_EQ(c.root, "/var/lib/crid");
  EXPECT_EQ(c.state, "/run/crid");
  EXPECT_EQ(c.log_level, "info");
  EXPECT_TRUE(validate(c));
}

TEST(CridConfig, ReadsEverySettingFromToml) {
  Config c;
  auto r = load_config_text(R"(
listen = "unix:///tmp/x/crid.sock"
root = "/tmp/x/root"
state = "/tmp/x/state"
runtime = "/usr/sbin/runc"
log_level = "debug"
default_registry = "quay.io"
insecure_registries = ["127.0.0.1:5000", "localhost:5001"]

[registries."docker.io"]
mirrors = ["mirror.local:5000"]

[registries."10.0.0.1:5000"]
insecure = true
)",
                            "crid.conf", c);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(c.socket_path(), "/tmp/x/crid.sock");
  EXPECT_EQ(c.root, "/tmp/x/root");
  EXPECT_EQ(c.state, "/tmp/x/state");
  EXPECT_EQ(c.runtime, "/usr/sbin/runc");
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.default_registry, "quay.io");
  EXPECT_EQ(c.insecure_registries, (std::vector<std::string>{"127.0.0.1:5000", "localhost:5001"}));
  EXPECT_EQ(c.registries["docker.io"].mirrors, std::vector<std::string>{"mirror.local:5000"});
  EXPECT_TRUE(c.is_insecure("10.0.0.1:5000"));
  EXPECT_TRUE(c.is_insecure("localhost:5001"));
  EXPECT_FALSE(c.is_insecure("docker.io"));
}

TEST(CridConfig, SyntaxErrorNamesFileAndLine) {
  Config c;
  auto r = load_config_text("root = \"/a\"\n\nlisten = = 3\n", "crid.conf", c);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message.starts_with("crid.conf:3:")) << r.error().message;
}

TEST(CridConfig, UnknownSettingNamesLine) {
  Config c;
  auto r = load_config_text("root = \"/a\"\nlisten_on = \"unix:///x\"\n", "crid.conf", c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "crid.conf:2: unknown setting \"listen_on\"");
}

TEST(CridConfig, WrongTypeNamesLineAndSetting) {
  Config c;
  auto r = load_config_text("\n\nroot = 3\n", "crid.conf", c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "crid.conf:3: root: expected a string");
}

TEST(CridConfig, FlagsOverrideTheFileAndAddInsecureRegistries) {
  char path[] = "/tmp/crid-config-test-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  {
    std::ofstream out(path);
    out << "root = \"/from/file\"\nstate = \"/state/file\"\ninsecure_registries = [\"a:1\"]\n";
  }
  auto inv = parse({"--config", path, "--root=/from/flag", "--insecure-registry", "b:2", "--log-level", "debug"});
  std::remove(path);
  ASSERT_TRUE(inv) << inv.error().message;
  EXPECT_EQ(inv->config.root, "/from/flag");
  EXPECT_EQ(inv->config.state, "/state/file");
  EXPECT_EQ(inv->config.insecure_registries, (std::vector<std::string>{"a:1", "b:2"}));
  EXPECT_EQ(inv->config.log_level, "debug");
  EXPECT_EQ(inv->config.config_path, path);
}

TEST(CridConfig, CommandLineErrorsSayWhatIsWrong) {
  auto r = parse({"--bogus"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "unknown flag --bogus (see crid --help)");
  r = parse({"--root"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "flag --root needs a value");
  r = parse({"--config", "/nonexistent/crid.conf"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "read config file /nonexistent/crid.conf: No such file or directory");
  r = parse({"--listen", "tcp://0.0.0.0:1"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "listen address \"tcp://0.0.0.0:1\": expected unix:///absolute/path");
  r = parse({"--log-level", "loud", "--config", "/dev/null"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "unknown log level \"loud\" (expected debug, info, warning or error)");
}

TEST(CridConfig, HelpAndVersion) {
  auto r = parse({"--help"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->action, Action::Help);
  r = parse({"-v"});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->action, Action::Version);
  EXPECT_NE(usage().find("--insecure-registry"), std::string::npos);
}

TEST(CridConfig, SyncWrites) {
  Config c;
  EXPECT_EQ(c.sync_writes, "full");
  ASSERT_TRUE(load_config_text("sync_writes = \"normal\"\n", "crid.conf", c));
  EXPECT_EQ(c.sync_writes, "normal");
  std::vector<std::string> args = {"crid", "--sync-writes", "always"};
  auto bad = parse_command_line(args);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "sync_writes \"always\": expected normal or full");
}

}  // namespace
}  // namespace berth::crid

namespace berth::crid {
namespace {

TEST(CridConfig, CniSettingsFromFileAndFlags) {
  Config d;
  EXPECT_EQ(d.cni_config_dir, "/etc/cni/net.d");
  EXPECT_EQ(d.cni_plugin_dirs, (std::vector<std::string>{"/usr/lib/cni", "/opt/cni/bin"}));
  EXPECT_EQ(d.cni_cache_path(), "/var/lib/crid/cni-cache");

  Config c;
  ASSERT_TRUE(load_config_text("cni_config_dir = \"/etc/x\"\ncni_plugin_dirs = [\"/a\"]\ncni_cache_dir = \"/c\"\n",
                               "crid.conf", c));
  EXPECT_EQ(c.cni_config_dir, "/etc/x");
  EXPECT_EQ(c.cni_plugin_dirs, std::vector<std::string>{"/a"});
  EXPECT_EQ(c.cni_cache_path(), "/c");

  std::vector<std::string> args = {"crid", "--root", "/r", "--cni-plugin-dir", "/p1", "--cni-plugin-dir=/p2", "--cni-config-dir", "/n"};
  auto inv = parse_command_line(args);
  ASSERT_TRUE(inv) << inv.error().message;
  EXPECT_EQ(inv->config.cni_plugin_dirs, (std::vector<std::string>{"/p1", "/p2"}));
  EXPECT_EQ(inv->config.cni_config_dir, "/n");
  EXPECT_EQ(inv->config.cni_cache_path(), "/r/cni-cache");

  args = {"crid", "--cni-plugin-dir", "relative"};
  auto bad = parse_command_line(args);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "cni_plugin_dirs: \"relative\": expected an absolute path");
}

}  // namespace
}  // namespace berth::crid
