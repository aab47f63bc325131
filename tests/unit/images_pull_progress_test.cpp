// What ImageService::pull tells a PullObserver: each layer waiting, its bytes
// arriving, then done, and "exists" for a layer already in the store.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <mutex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "images/digest.h"
#include "images/image_service.h"
#include "tests/unit/images_fake_registry.h"

using namespace berth::images;
namespace fs = std::filesystem;

namespace {

struct Event {
  std::string digest;
  LayerState state;
  uint64_t done, total;
};

class Recorder : public PullObserver {
 public:
  void layer(const std::string &digest, LayerState state, uint64_t done, uint64_t total) override {
    std::lock_guard lock(mu);
    events.push_back({digest, state, done, total});
  }
  std::vector<Event> of(const std::string &digest) {
    std::vector<Event> out;
    for (auto &e : events)
      if (e.digest == digest) out.push_back(e);
    return out;
  }
  std::mutex mu;
  std::vector<Event> events;
};

std::string dig(const std::string &s) { return "sha256:" + sha256_hex(s); }

// An uncompressed one-file layer tar, built by hand (512-byte header + data).
std::string tar_of(const std::string &name, const std::string &data) {
  std::string h(512, '\0');
  name.copy(h.data(), 99);
  std::string mode = "0000644", uidgid = "0000000";
  mode.copy(h.data() + 100, 7);
  uidgid.copy(h.data() + 108, 7);
  uidgid.copy(h.data() + 116, 7);
  std::string size = fmt::format("{:011o}", data.size());
  size.copy(h.data() + 124, 11);
  std::string("00000000000").copy(h.data() + 136, 11);
  h[156] = '0';
  std::string("ustar\0" "00", 8).copy(h.data() + 257, 8);
  std::fill(h.begin() + 148, h.begin() + 156, ' ');
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  fmt::format("{:06o}", sum).copy(h.data() + 148, 6);
  h[154] = '\0';
  std::string body = data + std::string((512 - data.size() % 512) % 512, '\0');
  return h + body + std::string(1024, '\0');
}

struct TwoLayers {
  std::map<std::string, std::string> blobs;
  std::string manifest;
  std::vector<std::string> layers;
  TwoLayers() {
    nlohmann::json descs = nlohmann::json::array(), diffs = nlohmann::json::array();
    for (int i = 0; i < 2; i++) {
      std::string t = tar_of("f" + std::to_string(i), std::string(200000 + i, 'x'));
      layers.push_back(dig(t));
      blobs[dig(t)] = t;
      descs.push_back({{"mediaType", "application/vnd.oci.image.layer.v1.tar"}, {"digest", dig(t)}, {"size", t.size()}});
      diffs.push_back(dig(t));
    }
    std::string config = nlohmann::json{{"architecture", "amd64"}, {"os", "linux"},
                                        {"rootfs", {{"type", "layers"}, {"diff_ids", diffs}}}}.dump();
    blobs[dig(config)] = config;
    manifest = nlohmann::json{{"schemaVersion", 2},
                              {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                              {"config", {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                                          {"digest", dig(config)}, {"size", config.size()}}},
                              {"layers", descs}}.dump();
  }
  FakeResponse serve(const std::string &path) const {
    if (path == "/v2/app/manifests/v1" || path == "/v2/app/manifests/v2")
      return {200, manifest, {{"Content-Type", "application/vnd.oci.image.manifest.v1+json"}}};
    const std::string prefix = "/v2/app/blobs/";
    if (path.starts_with(prefix))
      if (auto it = blobs.find(path.substr(prefix.size())); it != blobs.end()) return {200, it->second, {}};
    return {404, "", {}};
  }
};

TEST(ImagesPullProgress, LayersGoFromWaitingThroughTheirBytesToDoneThenExist) {
  if (geteuid() != 0) GTEST_SKIP() << "unpacking layers needs root";
  char t[] = "/tmp/berth-images-progress.XXXXXX";
  std::string root = mkdtemp(t);
  TwoLayers img;
  FakeRegistry reg([&](const FakeRequest &r) { return img.serve(r.path); });
  {
    ServiceOptions o;
    o.root = root;
    o.registries = {{reg.host(), {true, {}}}};
    auto svc = ImageService::open(std::move(o));
    ASSERT_TRUE(svc) << svc.error().message;

    Recorder first;
    auto rec = (*svc)->pull(reg.host() + "/app:v1", Auth{}, &first);
    ASSERT_TRUE(rec) << rec.error().message;
    for (auto &d : img.layers) {
      auto ev = first.of(d);
      ASSERT_GE(ev.size(), 3u) << d;
      const uint64_t total = img.blobs[d].size();
      EXPECT_EQ(ev.front().state, LayerState::waiting);
      EXPECT_EQ(ev.front().total, total);
      EXPECT_EQ(ev.back().state, LayerState::done);
      EXPECT_EQ(ev.back().done, total);
      uint64_t last = 0;
      for (size_t i = 1; i + 1 < ev.size(); i++) {
        EXPECT_EQ(ev[i].state, LayerState::downloading);
        EXPECT_GE(ev[i].done, last);
        EXPECT_EQ(ev[i].total, total);
        last = ev[i].done;
      }
      EXPECT_EQ(last, total);
    }

    // The same layers under another tag: nothing to fetch.
    Recorder second;
    rec = (*svc)->pull(reg.host() + "/app:v2", Auth{}, &second);
    ASSERT_TRUE(rec) << rec.error().message;
    for (auto &d : img.layers) {
      auto ev = second.of(d);
      ASSERT_EQ(ev.size(), 2u) << d;
      EXPECT_EQ(ev[0].state, LayerState::waiting);
      EXPECT_EQ(ev[1].state, LayerState::exists);
    }
  }
  fs::remove_all(root);
}

}  // namespace
