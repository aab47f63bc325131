// exec_sync and update_container_resources against a fake runtime: a shell
// script that takes the runc command line, runs the command as `runc exec`
// would (pid file written once it runs) and keeps update's stdin.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "crid/exec_sync.h"
#include "crid/update_resources.h"

namespace berth::crid {
namespace {

namespace fs = std::filesystem;

const char *kFakeRuntime = R"(#!/bin/sh
while [ $# -gt 0 ]; do
  case "$1" in
    --root) echo "$2" > "$(dirname "$0")/root"; shift 2 ;;
    exec|update) cmd=$1; shift; break ;;
    *) shift ;;
  esac
done
if [ "$cmd" = update ]; then
  [ "$1" = --resources ] && [ "$2" = - ] || exit 98
  [ "$3" = stopped ] && { echo 'level=error msg="cannot update a container that has stopped"' >&2; exit 1; }
  cat > "$(dirname "$0")/update-$3.json"
  exit 0
fi
[ "$1" = --pid-file ] || exit 99
pidfile=$2; id=$3; shift 3
if [ "$id" = missing ]; then echo "container $id does not exist" >&2; exit 1; fi
"$@" &
child=$!
echo $child > "$pidfile"
wait $child
)";

class FakeRuntime : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string t = (fs::temp_directory_path() / "crid-exec-test-XXXXXX").string();
    dir_ = ::mkdtemp(t.data());
    std::ofstream(dir_ + "/runtime") << kFakeRuntime;
    fs::permissions(dir_ + "/runtime", fs::perms::owner_all);
  }
  void TearDown() override { fs::remove_all(dir_); }

  ExecTarget target(const std::string &id) { return {dir_ + "/runtime", dir_ + "/state", {"--debug"}, id}; }
  ExecSyncOptions options(int timeout_s = 0) {
    ExecSyncOptions o;
    o.timeout = std::chrono::seconds(timeout_s);
    o.scratch_dir = dir_;
    return o;
  }
  std::string read(const std::string &name) {
    std::ifstream in(dir_ + "/" + name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  std::string dir_;
};

TEST_F(FakeRuntime, ExecSplitsStdoutAndStderrAndKeepsTheExitCode) {
  auto r = exec_sync(target("c1"), {"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, options());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->out, "out\n");
  EXPECT_EQ(r->err, "err\n");
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(read("root"), dir_ + "/state\n");  // --root reached the runtime
  // The pid file's directory is gone afterwards.
  for (const auto &e : fs::directory_iterator(dir_))
    EXPECT_FALSE(e.path().filename().string().starts_with("crid-exec-")) << e.path();
}

TEST_F(FakeRuntime, ExecOfASuccessfulCommand) {
  auto r = exec_sync(target("c1"), {"/bin/echo", "hello world"}, options(5));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->out, "hello world\n");
  EXPECT_EQ(r->exit_code, 0);
}

TEST_F(FakeRuntime, ExecOutputIsCapped) {
  auto o = options();
  o.output_limit = 1000;
  auto r = exec_sync(target("c1"), {"/bin/sh", "-c", "head -c 50000 /dev/zero; head -c 3000 /dev/zero >&2"}, o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->out.size(), 1000u);
  EXPECT_EQ(r->err.size(), 1000u);
  EXPECT_EQ(r->exit_code, 0);
}

TEST_F(FakeRuntime, RuntimeFailureIsAnErrorWithItsMessage) {
  auto r = exec_sync(target("missing"), {"/bin/true"}, options());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("exec in container missing"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("does not exist"), std::string::npos) << r.error().message;
}

TEST_F(FakeRuntime, EmptyCommandIsInvalid) {
  auto r = exec_sync(target("c1"), {}, options());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, EINVAL);
}

TEST_F(FakeRuntime, TimeoutKillsTheCommandNotJustTheRuntime) {
  // The command outlives the killed runtime (as an exec'd process does); as
  // a subreaper this test inherits it and can tell how it ended.
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  auto start = std::chrono::steady_clock::now();
  auto r = exec_sync(target("c1"), {"/bin/sh", "-c", "echo $$ > " + dir_ + "/cmdpid; exec sleep 30"}, options(1));
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ETIMEDOUT);
  EXPECT_NE(r.error().message.find("timed out after 1s"), std::string::npos) << r.error().message;
  EXPECT_LT(took, std::chrono::seconds(10));
  pid_t pid = std::atoi(read("cmdpid").c_str());
  ASSERT_GT(pid, 0);
  int status = 0;
  pid_t got = 0;
  for (int i = 0; i < 100 && got == 0; ++i) {
    got = ::waitpid(pid, &status, WNOHANG);
    if (got == 0) ::usleep(20000);
  }
  if (got != pid) ::kill(pid, SIGKILL), ::waitpid(pid, nullptr, 0);
  // Whatever else the runtime left is reaped here too.
  while (::waitpid(-1, nullptr, WNOHANG) > 0) {
  }
  ::prctl(PR_SET_CHILD_SUBREAPER, 0);
  ASSERT_EQ(got, pid);
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
}

TEST_F(FakeRuntime, UpdateHandsTheResourcesToTheRuntimeOnStdin) {
  nlohmann::json res = {{"memory", {{"limit", 67108864}}}, {"cpu", {{"shares", 512}}}};
  auto r = update_container_resources(target("c1"), res);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(nlohmann::json::parse(read("update-c1.json")), res);
}

TEST_F(FakeRuntime, UpdateFailureCarriesTheRuntimeMessage) {
  auto r = update_container_resources(target("stopped"), nlohmann::json::object());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "update resources of container stopped: cannot update a container that has stopped");
}

}  // namespace
}  // namespace berth::crid
