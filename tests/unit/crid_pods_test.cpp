// Pod sandbox and container bookkeeping: records, the store (names, prefixes,
// persistence), list filters, the pod's files, the event bus and exit waits.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "crid/event_bus.h"
#include "crid/exit_wait.h"
#include "crid/exit_watcher.h"
#include "crid/list_filters.h"
#include "crid/pod_files.h"
#include "crid/pod_store.h"

namespace berth::crid {
namespace {

class PodsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/crid-pods-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

SandboxRecord sandbox(const std::string &id, const std::string &name) {
  SandboxRecord r;
  r.id = id;
  r.name_key = name + "_default_uid_0";
  r.state = SandboxState::Ready;
  r.config.mutable_metadata()->set_name(name);
  r.config.mutable_metadata()->set_namespace_("default");
  r.config.mutable_metadata()->set_uid("uid");
  (*r.config.mutable_labels())["app"] = name;
  r.pid = 42;
  r.created_at_ns = 1000;
  return r;
}

ContainerRecord container(const std::string &id, const std::string &sandbox_id, const std::string &name) {
  ContainerRecord r;
  r.id = id;
  r.sandbox_id = sandbox_id;
  r.name_key = name + "_pod_default_uid_0";
  r.state = ContainerState::Running;
  r.config.mutable_metadata()->set_name(name);
  r.config.mutable_image()->set_image("busybox");
  (*r.config.mutable_labels())["tier"] = "web";
  r.image_id = "sha256:" + std::string(64, 'f');
  r.exit_code = 3;
  r.reason = "Error";
  r.created_at_ns = 2000;
  return r;
}

TEST_F(PodsTest, RecordsRoundTripThroughRows) {
  auto s = sandbox("aa11", "web");
  s.shm_mounted = true;
  s.runtime_handler = "runc";
  auto back = sandbox_from_row(to_row(s));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->name_key, s.name_key);
  EXPECT_EQ(back->state, SandboxState::Ready);
  EXPECT_EQ(back->config.metadata().name(), "web");
  EXPECT_TRUE(back->shm_mounted);
  EXPECT_EQ(back->runtime_handler, "runc");
  EXPECT_EQ(back->pid, 42);

  auto c = container("bb22", "aa11", "nginx");
  auto cback = container_from_row(to_row(c));
  ASSERT_TRUE(cback) << cback.error().message;
  EXPECT_EQ(cback->sandbox_id, "aa11");
  EXPECT_EQ(cback->state, ContainerState::Running);
  EXPECT_EQ(cback->exit_code, 3);
  EXPECT_EQ(cback->reason, "Error");
  EXPECT_EQ(cback->config.image().image(), "busybox");
}

TEST_F(PodsTest, StoreRejectsDuplicateNamesAndResolvesPrefixes) {
  auto meta = MetadataStore::open(dir_ + "/crid.db");
  ASSERT_TRUE(meta) << meta.error().message;
  auto store = PodStore::load(*meta);
  ASSERT_TRUE(store);
  ASSERT_TRUE((*store)->add_sandbox(sandbox("abc1", "web")));
  auto dup = (*store)->add_sandbox(sandbox("abc2", "web"));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, EEXIST);
  EXPECT_NE(dup.error().message.find("abc1"), std::string::npos);
  ASSERT_TRUE((*store)->add_sandbox(sandbox("abd3", "db")));

  EXPECT_EQ((*store)->resolve_sandbox("abc").value(), "abc1");
  EXPECT_EQ((*store)->resolve_sandbox("ab").error().code, EINVAL);
  EXPECT_EQ((*store)->resolve_sandbox("zz").error().code, ENOENT);

  ASSERT_TRUE((*store)->add_container(container("c1", "abc1", "nginx")));
  EXPECT_EQ((*store)->add_container(container("c2", "abc1", "nginx")).error().code, EEXIST);
  EXPECT_EQ((*store)->containers_of("abc1"), std::vector<std::string>{"c1"});
}

TEST_F(PodsTest, StoreSurvivesReopening) {
  {
    auto meta = MetadataStore::open(dir_ + "/crid.db");
    ASSERT_TRUE(meta);
    auto store = PodStore::load(*meta);
    ASSERT_TRUE((*store)->add_sandbox(sandbox("s1", "web")));
    auto c = container("c1", "s1", "nginx");
    ASSERT_TRUE((*store)->add_container(c));
    c.state = ContainerState::Exited;
    ASSERT_TRUE((*store)->update_container(c));
    ASSERT_TRUE((*store)->add_sandbox(sandbox("s2", "gone")));
    ASSERT_TRUE((*store)->remove_sandbox("s2"));
  }
  auto meta = MetadataStore::open(dir_ + "/crid.db");
  ASSERT_TRUE(meta);
  auto store = PodStore::load(*meta);
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ((*store)->sandboxes().size(), 1u);
  ASSERT_TRUE((*store)->container("c1"));
  EXPECT_EQ((*store)->container("c1")->state, ContainerState::Exited);
  // The removed sandbox's name is free again.
  EXPECT_TRUE((*store)->add_sandbox(sandbox("s3", "gone")));
}

TEST_F(PodsTest, LocksAreSharedPerId) {
  auto meta = MetadataStore::open(dir_ + "/crid.db");
  auto store = PodStore::load(*meta);
  auto a = (*store)->lock_for("x");
  auto b = (*store)->lock_for("x");
  auto c = (*store)->lock_for("y");
  EXPECT_EQ(a.get(), b.get());
  EXPECT_NE(a.get(), c.get());
}

TEST_F(PodsTest, FiltersMatchEveryGivenField) {
  auto s = sandbox("abcdef", "web");
  runtime::v1::PodSandboxFilter f;
  EXPECT_TRUE(matches(s, f));
  f.set_id("abc");
  EXPECT_TRUE(matches(s, f));
  f.mutable_state()->set_state(runtime::v1::SANDBOX_NOTREADY);
  EXPECT_FALSE(matches(s, f));
  f.mutable_state()->set_state(runtime::v1::SANDBOX_READY);
  (*f.mutable_label_selector())["app"] = "web";
  EXPECT_TRUE(matches(s, f));
  (*f.mutable_label_selector())["other"] = "x";
  EXPECT_FALSE(matches(s, f));

  auto c = container("c1", "abcdef", "nginx");
  runtime::v1::ContainerFilter cf;
  cf.set_pod_sandbox_id("abc");
  EXPECT_TRUE(matches(c, cf));
  cf.mutable_state()->set_state(runtime::v1::CONTAINER_EXITED);
  EXPECT_FALSE(matches(c, cf));
  cf.mutable_state()->set_state(runtime::v1::CONTAINER_RUNNING);
  (*cf.mutable_label_selector())["tier"] = "db";
  EXPECT_FALSE(matches(c, cf));
}

TEST_F(PodsTest, ResolvConfAndHosts) {
  runtime::v1::DNSConfig dns;
  dns.add_servers("10.0.0.10");
  dns.add_servers("10.0.0.11");
  dns.add_searches("svc.cluster.local");
  dns.add_options("ndots:5");
  EXPECT_EQ(resolv_conf_text(dns),
            "search svc.cluster.local\nnameserver 10.0.0.10\nnameserver 10.0.0.11\noptions ndots:5\n");
  std::string path = dir_ + "/resolv.conf";
  std::ofstream(dir_ + "/host-resolv") << "nameserver 192.0.2.1\n";
  ASSERT_TRUE(write_resolv_conf(path, runtime::v1::DNSConfig(), dir_ + "/host-resolv"));
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "nameserver 192.0.2.1");
  auto hosts = hosts_text("web-1");
  EXPECT_NE(hosts.find("127.0.0.1\tlocalhost\n"), std::string::npos);
  EXPECT_NE(hosts.find("web-1\n"), std::string::npos);
}

TEST_F(PodsTest, RandomIdsAreHex64) {
  auto a = random_id(), b = random_id();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->size(), 64u);
  EXPECT_EQ(a->find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(*a, *b);
}

TEST_F(PodsTest, RemoveTreeRemovesNestedDirsAndToleratesMissing) {
  ASSERT_TRUE(make_dirs(dir_ + "/a/b/c", 0755));
  std::ofstream(dir_ + "/a/b/c/f") << "x";
  ASSERT_EQ(::symlink("/etc", (dir_ + "/a/link").c_str()), 0);
  ASSERT_TRUE(remove_tree(dir_ + "/a"));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/a"));
  EXPECT_TRUE(std::filesystem::exists("/etc/passwd"));
  EXPECT_TRUE(remove_tree(dir_ + "/a"));
}

TEST_F(PodsTest, EventBusDeliversInOrderUntilUnsubscribed) {
  EventBus bus;
  std::vector<std::string> seen;
  auto token = bus.subscribe([&](const LifecycleEvent &e) { seen.push_back(e.id); });
  bus.publish({LifecycleEvent::Kind::ContainerCreated, "a", "p", 1});
  bus.publish({LifecycleEvent::Kind::ContainerStarted, "b", "p", 2});
  bus.unsubscribe(token);
  bus.publish({LifecycleEvent::Kind::ContainerStopped, "c", "p", 3});
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));
}

TEST_F(PodsTest, WaitForFileSeesARenameAndTimesOut) {
  std::string path = dir_ + "/exit.json";
  auto none = wait_for_file(path, std::chrono::milliseconds(50));
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::ofstream(path + ".tmp") << "{}";
    std::filesystem::rename(path + ".tmp", path);
  });
  auto seen = wait_for_file(path, std::chrono::seconds(5));
  writer.join();
  ASSERT_TRUE(seen);
  EXPECT_TRUE(*seen);
}

TEST_F(PodsTest, ExitWatcherReportsTheKeyOfTheDir) {
  std::atomic<int> hits{0};
  std::string got;
  std::mutex mu;
  auto watcher = ExitWatcher::start([&](const std::string &key) {
    std::lock_guard lock(mu);
    got = key;
    ++hits;
  });
  ASSERT_TRUE(watcher);
  ASSERT_TRUE(make_dirs(dir_ + "/c1", 0755));
  ASSERT_TRUE((*watcher)->watch(dir_ + "/c1", "container/c1"));
  std::ofstream(dir_ + "/c1/other") << "x";
  std::ofstream(dir_ + "/c1/exit.json.tmp") << "{}";
  std::filesystem::rename(dir_ + "/c1/exit.json.tmp", dir_ + "/c1/exit.json");
  for (int i = 0; i < 200 && hits == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  (*watcher)->stop();
  EXPECT_EQ(hits, 1);
  EXPECT_EQ(got, "container/c1");
}

}  // namespace
}  // namespace berth::crid
