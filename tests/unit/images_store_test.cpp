#include <gtest/gtest.h>

#include <filesystem>

#include "images/auth_challenge.h"
#include "images/content_store.h"
#include "images/image_record.h"
#include "images/manifest.h"

using namespace berth::images;
namespace fs = std::filesystem;

namespace {
struct TempDir {
  std::string path;
  TempDir() {
    char t[] = "/tmp/berth-images-test.XXXXXX";
    path = mkdtemp(t);
  }
  ~TempDir() { fs::remove_all(path); }
};
}  // namespace

TEST(ImagesContentStore, StoresVerifiedBlobs) {
  TempDir dir;
  auto store = ContentStore::open(dir.path);
  ASSERT_TRUE(store) << store.error().message;
  auto d = *parse_digest("sha256:" + sha256_hex("hello"));
  EXPECT_FALSE(store->has(d));
  auto path = store->put("hello", d);
  ASSERT_TRUE(path) << path.error().message;
  EXPECT_EQ(*path, dir.path + "/blobs/sha256/" + d.hex);
  EXPECT_TRUE(store->has(d));
  EXPECT_EQ(*store->read(d), "hello");
  EXPECT_EQ(store->list()->size(), 1u);
  ASSERT_TRUE(store->remove(d));
  EXPECT_FALSE(store->has(d));
}

TEST(ImagesContentStore, RefusesMismatchAndLeavesNothing) {
  TempDir dir;
  auto store = *ContentStore::open(dir.path);
  auto d = *parse_digest("sha256:" + sha256_hex("hello"));
  auto r = store.put("tampered", d);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, EBADMSG);
  EXPECT_NE(r.error().message.find(d.str()), std::string::npos) << r.error().message;
  EXPECT_FALSE(store.has(d));
  EXPECT_TRUE(fs::is_empty(dir.path + "/ingest"));
  EXPECT_TRUE(fs::is_empty(dir.path + "/blobs/sha256"));
}

TEST(ImagesContentStore, SizeChecked) {
  TempDir dir;
  auto store = *ContentStore::open(dir.path);
  auto d = *parse_digest("sha256:" + sha256_hex("hello"));
  {
    auto w = *store.writer(d, 3);
    EXPECT_FALSE(w.write("hello", 5));
  }
  {
    auto w = *store.writer(d, 10);
    ASSERT_TRUE(w.write("hello", 5));
    EXPECT_FALSE(w.commit());
  }
  {  // an abandoned writer leaves no temp file behind
    auto w = *store.writer(d, 5);
    ASSERT_TRUE(w.write("hel", 3));
  }
  EXPECT_TRUE(fs::is_empty(dir.path + "/ingest"));
  EXPECT_FALSE(store.has(d));
}

TEST(ImagesContentStore, ReadDetectsCorruption) {
  TempDir dir;
  auto store = *ContentStore::open(dir.path);
  auto d = *parse_digest("sha256:" + sha256_hex("hello"));
  ASSERT_TRUE(store.put("hello", d));
  {
    std::FILE *f = std::fopen(store.blob_path(d).c_str(), "w");
    std::fputs("evil!", f);
    std::fclose(f);
  }
  auto r = store.read(d);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, EBADMSG);
}

TEST(ImagesAuthChallenge, Bearer) {
  auto chs = parse_auth_challenges(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull")");
  ASSERT_EQ(chs.size(), 1u);
  EXPECT_EQ(chs[0].scheme, "bearer");
  EXPECT_EQ(chs[0].param("realm"), "https://auth.docker.io/token");
  EXPECT_EQ(chs[0].param("service"), "registry.docker.io");
  EXPECT_EQ(chs[0].param("scope"), "repository:library/busybox:pull");
}

TEST(ImagesAuthChallenge, SeveralAndOddSpacing) {
  auto chs = parse_auth_challenges(R"(Basic realm="Registry Realm", BEARER  Realm = "https://a/t?x=1" , service=svc,scope="a,b")");
  ASSERT_EQ(chs.size(), 2u);
  EXPECT_EQ(chs[0].scheme, "basic");
  EXPECT_EQ(chs[0].param("realm"), "Registry Realm");
  EXPECT_EQ(chs[1].scheme, "bearer");
  EXPECT_EQ(chs[1].param("realm"), "https://a/t?x=1");
  EXPECT_EQ(chs[1].param("service"), "svc");
  EXPECT_EQ(chs[1].param("scope"), "a,b");
  EXPECT_TRUE(parse_auth_challenges("").empty());
  auto esc = parse_auth_challenges(R"(Bearer realm="a\"b")");
  ASSERT_EQ(esc.size(), 1u);
  EXPECT_EQ(esc[0].param("realm"), "a\"b");
}

TEST(ImagesManifest, PlatformSelection) {
  std::string d1 = "sha256:" + std::string(64, '1'), d2 = "sha256:" + std::string(64, '2'),
              d3 = "sha256:" + std::string(64, '3');
  std::string body = R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[
    {"digest":")" + d1 + R"(","size":1,"platform":{"os":"linux","architecture":"arm","variant":"v7"}},
    {"digest":")" + d2 + R"(","size":1,"platform":{"os":"linux","architecture":"amd64"}},
    {"digest":")" + d3 + R"(","size":1,"platform":{"os":"windows","architecture":"amd64"}}]})";
  EXPECT_EQ(*manifest_kind(body, ""), ManifestKind::index);
  auto idx = parse_index(body);
  ASSERT_TRUE(idx);
  EXPECT_EQ(select_platform(*idx, Platform{})->digest, d2);
  EXPECT_EQ(select_platform(*idx, Platform{"linux", "arm", "v7"})->digest, d1);
  auto none = select_platform(*idx, Platform{"linux", "s390x", ""});
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ENOENT);
  EXPECT_NE(none.error().message.find("linux/arm/v7"), std::string::npos) << none.error().message;
}

TEST(ImagesManifest, KindsAndConfig) {
  EXPECT_EQ(*manifest_kind(R"({"schemaVersion":2,"config":{},"layers":[]})", "application/vnd.docker.distribution.manifest.v2+json"),
            ManifestKind::manifest);
  auto v1 = manifest_kind(R"({"schemaVersion":1,"fsLayers":[]})", "");
  ASSERT_FALSE(v1);
  EXPECT_NE(v1.error().message.find("schema 1"), std::string::npos);
  EXPECT_FALSE(manifest_kind("not json", ""));
  auto cfg = parse_image_config(R"({"architecture":"amd64","os":"linux","config":{"User":"1000","Env":["PATH=/bin"],
    "Entrypoint":["/bin/sh"],"Cmd":["-c","true"],"WorkingDir":"/w","ExposedPorts":{"80/tcp":{},"53/udp":{}},
    "Labels":{"a":"b"},"StopSignal":"SIGQUIT","Volumes":{"/data":{}}},"rootfs":{"type":"layers","diff_ids":["sha256:aa"]}})");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->config.user, "1000");
  EXPECT_EQ(cfg->config.entrypoint, std::vector<std::string>{"/bin/sh"});
  EXPECT_EQ(cfg->config.exposed_ports, (std::vector<std::string>{"53/udp", "80/tcp"}));
  EXPECT_EQ(cfg->config.labels.at("a"), "b");
  EXPECT_EQ(cfg->config.stop_signal, "SIGQUIT");
  EXPECT_EQ(cfg->diff_ids.size(), 1u);
  EXPECT_EQ(*layer_compression("application/vnd.oci.image.layer.v1.tar+zstd"), Compression::zstd);
  EXPECT_EQ(*layer_compression("application/vnd.docker.image.rootfs.diff.tar.gzip"), Compression::gzip);
  EXPECT_FALSE(layer_compression("application/x-bogus"));
}

TEST(ImagesRecords, JsonStoreRoundTrip) {
  TempDir dir;
  auto store = make_json_record_store(dir.path + "/records.json");
  EXPECT_TRUE(store->load_all()->empty());
  ImageRecord r;
  r.id = "sha256:" + std::string(64, 'a');
  r.repo_tags = {"docker.io/library/busybox:latest"};
  r.layers = {{"sha256:1", "sha256:2", "application/vnd.oci.image.layer.v1.tar", 42}};
  r.config.env = {"PATH=/bin"};
  r.config.labels = {{"k", "v"}};
  ASSERT_TRUE(store->put(r));
  r.size = 7;
  ASSERT_TRUE(store->put(r));
  auto all = store->load_all();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].size, 7u);
  EXPECT_EQ((*all)[0].layers[0].size, 42u);
  EXPECT_EQ((*all)[0].config.labels.at("k"), "v");
  auto back = record_from_json(record_to_json(r));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->repo_tags, r.repo_tags);
  ASSERT_TRUE(store->erase(r.id));
  EXPECT_TRUE(store->load_all()->empty());
}

// Found by fuzz/fuzz_manifest and fuzz_image_record: a float size was cast to
// an integer (undefined when out of range); now it is malformed.
TEST(ImagesManifest, FloatSizeIsMalformed) {
  std::string d = "sha256:" + std::string(64, 'a');
  auto m = parse_manifest(R"({"schemaVersion":2,"config":{"digest":")" + d + R"(","size":1e300},"layers":[]})");
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("size: expected an integer"), std::string::npos) << m.error().message;
  auto i = parse_index(R"({"manifests":[{"digest":")" + d + R"(","size":-1e300}]})");
  ASSERT_FALSE(i);
  EXPECT_TRUE(manifest_kind(R"({"schemaVersion":1e300,"layers":[],"config":{}})", ""));
  auto r = record_from_json(R"({"id":"x","size":1e300})");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("size: expected an integer"), std::string::npos) << r.error().message;
  EXPECT_TRUE(record_from_json(R"({"id":"x","size":5,"pulled_at_ns":-3})"));
}
