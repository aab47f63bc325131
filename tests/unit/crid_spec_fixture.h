// Shared by the crid_spec_*_test files: CRI messages from protobuf JSON, a
// throwaway rootfs with /etc/passwd and /etc/group, and a check that a built
// config.json is one the runtime accepts.
#pragma once

#include <gtest/gtest.h>
#include <google/protobuf/util/json_util.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "crid/container_spec.h"
#include "libcontainer/spec_parser.h"

namespace berth::crid::testing {

template <typename Message>
Message from_json(const std::string &json) {
  Message m;
  auto status = google::protobuf::util::JsonStringToMessage(json, &m);
  EXPECT_TRUE(status.ok()) << status.ToString() << " in " << json;
  return m;
}

// The source tree's root, as configure found it (tests run in the build dir).
inline std::filesystem::path source_root() { return std::filesystem::path(BERTH_TEST_SOURCE_ROOT); }

class TempRootfs {
 public:
  TempRootfs() {
    char tmpl[] = "/tmp/crid-spec-test.XXXXXX";
    path_ = ::mkdtemp(tmpl);
    std::filesystem::create_directories(path_ + "/etc");
  }
  ~TempRootfs() { std::filesystem::remove_all(path_); }
  TempRootfs(const TempRootfs &) = delete;
  TempRootfs &operator=(const TempRootfs &) = delete;

  void write(const std::string &rel, const std::string &content) const {
    std::filesystem::create_directories(std::filesystem::path(path_ + rel).parent_path());
    std::ofstream(path_ + rel) << content;
  }
  const std::string &path() const { return path_; }

  // A busybox-like user database.
  void write_users() const {
    write("/etc/passwd",
          "root:x:0:0:root:/root:/bin/sh\n"
          "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
          "www:x:33:33:www:/var/www:/bin/false\n"
          "alice:x:1000:1000::/home/alice:/bin/sh\n");
    write("/etc/group",
          "root:x:0:\n"
          "daemon:x:1:\n"
          "www:x:33:\n"
          "alice:x:1000:\n"
          "audio:x:29:alice,www\n"
          "video:x:44:alice\n"
          "staff:x:50:root\n");
  }

 private:
  std::string path_;
};

inline std::vector<uint32_t> Gids(std::initializer_list<uint32_t> g) { return g; }

// "message" contains "part"
#define EXPECT_MENTIONS(message, part) EXPECT_NE(std::string(message).find(part), std::string::npos) << (message)

// Every config.json crid writes must be one berth's own parser takes.
inline void expect_parses(const nlohmann::json &spec) {
  auto parsed = parse_spec(spec.dump());
  EXPECT_TRUE(parsed.has_value()) << (parsed ? "" : parsed.error().message);
}

}  // namespace berth::crid::testing
