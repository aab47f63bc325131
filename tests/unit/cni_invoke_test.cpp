// CNI invocation with fake plugins (shell scripts that log what they were
// given): chaining, runtimeConfig filtering, DEL order, rollback, the cache.
#include "netns/cni_invoke.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "netns/cni_cache.h"
#include "netns/plugin_exec.h"
#include "netns/pod_network.h"

namespace berth::netns {
namespace {

constexpr const char *kList = R"({
  "cniVersion": "1.0.0", "name": "testnet",
  "plugins": [
    {"type": "addr", "subnet": "10.5.0.0/24"},
    {"type": "ports", "capabilities": {"portMappings": true, "bandwidth": false}},
    {"type": "plain", "capabilities": {"bandwidth": true}}
  ]})";

std::string read(const std::string &path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class FakePlugins : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cni-invoke-test.XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    bin_ = dir_ + "/bin";
    conf_ = dir_ + "/net.d";
    cache_ = dir_ + "/cache";
    std::filesystem::create_directories(bin_);
    std::filesystem::create_directories(conf_);
    for (const char *name : {"addr", "ports", "plain"}) plugin(name, "0");
    plugin("broken", "1");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A plugin that logs "COMMAND name id", keeps its stdin and environment, and
  // answers ADD with one address (or fails with an error object when told to).
  void plugin(const std::string &name, const std::string &fail) {
    std::string path = bin_ + "/" + name;
    std::ofstream(path) << "#!/bin/sh\n"
                        << "input=$(cat)\n"
                        << "echo \"$CNI_COMMAND " << name << " $CNI_CONTAINERID\" >> " << dir_ << "/log\n"
                        << "printf '%s' \"$input\" > " << dir_ << "/" << name << ".$CNI_COMMAND.stdin\n"
                        << "env | grep ^CNI_ | sort > " << dir_ << "/" << name << ".$CNI_COMMAND.env\n"
                        << "if [ " << fail << " = 1 ] && [ $CNI_COMMAND = ADD ]; then\n"
                        << "  echo '{\"cniVersion\":\"1.0.0\",\"code\":11,\"msg\":\"it broke\",\"details\":\"on purpose\"}'\n"
                        << "  exit 1\nfi\n"
                        << "if [ $CNI_COMMAND = ADD ]; then\n"
                        << "  echo '{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"'$CNI_NETNS'\"}],"
                           "\"ips\":[{\"address\":\"10.5.0.2/24\",\"interface\":0}]}'\n"
                        << "fi\n";
    ::chmod(path.c_str(), 0755);
  }
  std::string log() { return read(dir_ + "/log"); }
  nlohmann::json stdin_of(const std::string &name, const std::string &command) {
    return nlohmann::json::parse(read(dir_ + "/" + name + "." + command + ".stdin"));
  }
  PodNetwork network() { return PodNetwork({.config_dir = conf_, .plugin_dirs = {dir_ + "/none", bin_}, .cache_dir = cache_}); }
  PodNetworkRequest request() {
    return {.sandbox_id = "abc123", .pod_name = "web", .pod_namespace = "ns1", .pod_uid = "u-1",
            .netns_path = "/run/netns/x", .port_mappings = {{8080, 80, "tcp", ""}, {0, 53, "udp", ""}}};
  }

  std::string dir_, bin_, conf_, cache_;
};

TEST(CniInvoke, StdinCarriesNameVersionPrevResultAndOnlyDeclaredCapabilities) {
  auto list = parse_config_text(kList, "");
  ASSERT_TRUE(list);
  nlohmann::json caps = {{"portMappings", {{{"hostPort", 8080}, {"containerPort", 80}, {"protocol", "tcp"}}}},
                         {"bandwidth", {{"ingressRate", 1}}}};
  nlohmann::json prev = {{"cniVersion", "1.0.0"}, {"ips", nlohmann::json::array()}};

  auto first = plugin_stdin(*list, list->plugins[0], nullptr, caps);
  EXPECT_EQ(first["name"], "testnet");
  EXPECT_EQ(first["cniVersion"], "1.0.0");
  EXPECT_EQ(first["subnet"], "10.5.0.0/24");
  EXPECT_FALSE(first.contains("prevResult"));
  EXPECT_FALSE(first.contains("runtimeConfig"));

  auto ports = plugin_stdin(*list, list->plugins[1], prev, caps);
  EXPECT_EQ(ports["prevResult"], prev);
  ASSERT_TRUE(ports.contains("runtimeConfig"));
  EXPECT_EQ(ports["runtimeConfig"].size(), 1u);  // bandwidth is declared false
  EXPECT_EQ(ports["runtimeConfig"]["portMappings"][0]["hostPort"], 8080);

  auto plain = plugin_stdin(*list, list->plugins[2], prev, caps);
  EXPECT_EQ(plain["runtimeConfig"].size(), 1u);
  EXPECT_TRUE(plain["runtimeConfig"].contains("bandwidth"));
}

TEST(CniInvoke, EnvironmentAndArgs) {
  CniRuntimeConf rt{.container_id = "c1", .netns = "/run/ns", .args = {{"A", "1"}, {"B", "2"}}};
  auto env = plugin_env("ADD", rt, {"/a", "/b"}, {"PATH=/usr/bin", "CNI_COMMAND=stale"});
  EXPECT_EQ(env, (std::vector<std::string>{"PATH=/usr/bin", "CNI_COMMAND=ADD", "CNI_PATH=/a:/b", "CNI_CONTAINERID=c1",
                                           "CNI_NETNS=/run/ns", "CNI_IFNAME=eth0", "CNI_ARGS=A=1;B=2"}));
  EXPECT_EQ(compare_versions("0.4.0", "1.0.0"), -1);
  EXPECT_EQ(compare_versions("1.0.0", "1.0.0"), 0);
  EXPECT_EQ(compare_versions("0.3.1", "0.3.0"), 1);
}

TEST_F(FakePlugins, SetupChainsAddsAndCachesTeardownDeletesInReverse) {
  std::ofstream(conf_ + "/10-test.conflist") << kList;
  auto net = network();
  EXPECT_TRUE(net.status().ready) << net.status().message;

  auto status = net.setup(request());
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(status->network_name, "testnet");
  EXPECT_EQ(status->ips, std::vector<std::string>{"10.5.0.2"});
  EXPECT_EQ(log(), "ADD addr abc123\nADD ports abc123\nADD plain abc123\n");

  auto ports = stdin_of("ports", "ADD");
  EXPECT_EQ(ports["prevResult"]["ips"][0]["address"], "10.5.0.2/24");
  EXPECT_EQ(ports["runtimeConfig"]["portMappings"].size(), 1u);  // hostPort 0 left out
  EXPECT_EQ(ports["runtimeConfig"]["portMappings"][0]["containerPort"], 80);
  EXPECT_FALSE(stdin_of("plain", "ADD").contains("runtimeConfig"));
  std::string env = read(dir_ + "/addr.ADD.env");
  EXPECT_NE(env.find("CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=web;"
                     "K8S_POD_INFRA_CONTAINER_ID=abc123;K8S_POD_UID=u-1\n"), std::string::npos);
  EXPECT_NE(env.find("CNI_NETNS=/run/netns/x\n"), std::string::npos);
  EXPECT_NE(env.find("CNI_IFNAME=eth0\n"), std::string::npos);

  auto cached = net.cached_status("abc123");
  ASSERT_TRUE(cached && *cached);
  EXPECT_EQ((*cached)->ips, std::vector<std::string>{"10.5.0.2"});
  EXPECT_TRUE(net.check("abc123")) << net.check("abc123").error().message;

  // DEL uses what ADD used, even when the config dir changed meanwhile.
  std::filesystem::remove(conf_ + "/10-test.conflist");
  std::ofstream(conf_ + "/05-other.conflist") << R"({"cniVersion": "1.0.0", "name": "other", "plugins": [{"type": "broken"}]})";
  std::filesystem::remove(dir_ + "/log");
  ASSERT_TRUE(net.teardown("abc123"));
  EXPECT_EQ(log(), "DEL plain abc123\nDEL ports abc123\nDEL addr abc123\n");
  EXPECT_EQ(stdin_of("addr", "DEL")["prevResult"]["ips"][0]["address"], "10.5.0.2/24");
  EXPECT_TRUE(std::filesystem::is_empty(cache_));

  // Again: nothing cached, nothing to do.
  std::filesystem::remove(dir_ + "/log");
  EXPECT_TRUE(net.teardown("abc123"));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/log"));
  auto none = net.cached_status("abc123");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
}

TEST_F(FakePlugins, AFailingAddIsUndoneAndNamesThePlugin) {
  std::ofstream(conf_ + "/10-test.conflist")
      << R"({"cniVersion": "1.0.0", "name": "testnet", "plugins": [{"type": "addr"}, {"type": "broken"}, {"type": "plain"}]})";
  auto r = network().setup(request());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "set up the network of sandbox abc123: CNI ADD of network \"testnet\": plugin broken: "
            "it broke (on purpose) [code 11] (exit status 1)");
  EXPECT_EQ(log(), "ADD addr abc123\nADD broken abc123\nDEL broken abc123\nDEL addr abc123\n");
  EXPECT_FALSE(std::filesystem::exists(cache_) && !std::filesystem::is_empty(cache_));
}

TEST_F(FakePlugins, AMissingPluginIsUndoneWithoutRunningIt) {
  std::ofstream(conf_ + "/10-test.conflist")
      << R"({"cniVersion": "1.0.0", "name": "testnet", "plugins": [{"type": "addr"}, {"type": "nosuch"}]})";
  auto net = network();
  EXPECT_FALSE(net.status().ready);
  EXPECT_NE(net.status().message.find("no executable \"nosuch\" in the CNI plugin dirs"), std::string::npos);
  auto r = net.setup(request());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("plugin nosuch: no executable \"nosuch\""), std::string::npos);
  EXPECT_EQ(log(), "ADD addr abc123\nDEL addr abc123\n");
  EXPECT_TRUE(std::filesystem::is_empty(cache_));
}

TEST_F(FakePlugins, StatusIsNotReadyWithoutConfigAndSeesOneLater) {
  auto net = network();
  auto s = net.status();
  EXPECT_FALSE(s.ready);
  EXPECT_EQ(s.reason, "NetworkPluginNotReady");
  EXPECT_NE(s.message.find("no CNI network config in " + conf_), std::string::npos);
  auto r = net.setup(request());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("no CNI network config"), std::string::npos);

  std::ofstream(conf_ + "/10-test.conflist") << kList;
  EXPECT_TRUE(net.status().ready);
  EXPECT_EQ(net.status().network_name, "testnet");
}

TEST_F(FakePlugins, CacheSurvivesAsJson) {
  CniCacheEntry e{.network_name = "n", .config = nlohmann::json::parse(kList),
                  .runtime = {.container_id = "id1", .netns = "/ns", .args = {{"K", "V"}}},
                  .result = {{"cniVersion", "1.0.0"}}};
  ASSERT_TRUE(write_cache(cache_, e));
  ASSERT_TRUE(write_cache(cache_, {.network_name = "n", .runtime = {.container_id = "xid1"}}));
  auto back = read_cache(cache_, "id1");
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back->size(), 1u);  // not xid1's
  EXPECT_EQ((*back)[0].runtime.args[0].second, "V");
  EXPECT_EQ((*back)[0].config["name"], "testnet");
  ASSERT_TRUE(remove_cache(cache_, "n", "id1"));
  ASSERT_TRUE(remove_cache(cache_, "n", "id1"));
  EXPECT_TRUE(read_cache(cache_, "id1")->empty());
}

TEST_F(FakePlugins, APluginIsDoneWhenItExitsAndKilledAtTheDeadline) {
  // A child left holding stdout (as dhcp's daemon would) does not hold up the result.
  std::string lingering = bin_ + "/lingering";
  std::ofstream(lingering) << "#!/bin/sh\nsleep 3 &\necho '{\"cniVersion\":\"1.0.0\"}'\n";
  ::chmod(lingering.c_str(), 0755);
  auto start = std::chrono::steady_clock::now();
  auto run = run_plugin(lingering, {"PATH=/usr/bin:/bin"}, "{}", std::chrono::seconds(10));
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->exit_code, 0);
  EXPECT_EQ(run->out, "{\"cniVersion\":\"1.0.0\"}\n");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2500));

  std::string slow = bin_ + "/slow";
  std::ofstream(slow) << "#!/bin/sh\nexec sleep 30\n";
  ::chmod(slow.c_str(), 0755);
  auto late = run_plugin(slow, {"PATH=/usr/bin:/bin"}, "", std::chrono::milliseconds(200));
  ASSERT_TRUE(late);
  EXPECT_TRUE(late->timed_out);
  EXPECT_EQ(late->exit_code, 128 + SIGKILL);

  auto missing = run_plugin(bin_ + "/nothing-here", {}, "", std::chrono::seconds(1));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("No such file or directory"), std::string::npos);
}

}  // namespace
}  // namespace berth::netns
