// Pulls against FakeRegistry: auth flows, mirrors, tampered content, layer formats.
#include <gtest/gtest.h>

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "images/digest.h"
#include "images/image_service.h"
#include "tests/unit/images_fake_registry.h"

using namespace berth::images;
namespace fs = std::filesystem;

namespace {

struct TarEntry {
  std::string name;
  std::string data;
  bool dir = false;
};

std::string make_tar(const std::vector<TarEntry> &entries, const char *filter) {
  char tmpl[] = "/tmp/berth-pull-tar.XXXXXX";
  int fd = mkstemp(tmpl);
  close(fd);
  archive *a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (filter && std::string(filter) == "gzip") archive_write_add_filter_gzip(a);
  if (filter && std::string(filter) == "zstd") archive_write_add_filter_zstd(a);
  archive_write_open_filename(a, tmpl);
  for (auto &e : entries) {
    archive_entry *ae = archive_entry_new();
    archive_entry_set_pathname(ae, e.name.c_str());
    archive_entry_set_filetype(ae, e.dir ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(ae, 0755);
    archive_entry_set_size(ae, static_cast<la_int64_t>(e.data.size()));
    archive_write_header(a, ae);
    archive_write_data(a, e.data.data(), e.data.size());
    archive_entry_free(ae);
  }
  archive_write_close(a);
  archive_write_free(a);
  std::ifstream in(tmpl, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  unlink(tmpl);
  return ss.str();
}

std::string dig(const std::string &s) { return "sha256:" + sha256_hex(s); }

// One image: blobs by digest and a manifest under a tag.
struct FakeImage {
  std::map<std::string, std::string> blobs;
  std::string manifest, manifest_digest, config_digest, layer_digest;

  FakeImage(const std::vector<TarEntry> &entries, const char *filter, const char *layer_mt, bool bad_diff_id = false) {
    std::string raw = make_tar(entries, nullptr);
    std::string layer = filter ? make_tar(entries, filter) : raw;
    layer_digest = dig(layer);
    nlohmann::json config = {{"architecture", "amd64"},
                             {"os", "linux"},
                             {"config", {{"Cmd", {"/bin/true"}}, {"Env", {"A=1"}}}},
                             {"rootfs", {{"type", "layers"}, {"diff_ids", {bad_diff_id ? dig("nope") : dig(raw)}}}}};
    std::string config_text = config.dump();
    config_digest = dig(config_text);
    blobs[config_digest] = config_text;
    blobs[layer_digest] = layer;
    nlohmann::json m = {
        {"schemaVersion", 2},
        {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
        {"config", {{"mediaType", "application/vnd.oci.image.config.v1+json"}, {"digest", config_digest}, {"size", config_text.size()}}},
        {"layers", {{{"mediaType", layer_mt}, {"digest", layer_digest}, {"size", layer.size()}}}}};
    manifest = m.dump();
    manifest_digest = dig(manifest);
  }

  FakeResponse serve(const std::string &path) const {
    if (path == "/v2/app/manifests/v1" || path == "/v2/app/manifests/" + manifest_digest)
      return {200, manifest, {{"Content-Type", "application/vnd.oci.image.manifest.v1+json"}}};
    const std::string prefix = "/v2/app/blobs/";
    if (path.rfind(prefix, 0) == 0) {
      auto it = blobs.find(path.substr(prefix.size()));
      if (it != blobs.end()) return {200, it->second, {}};
    }
    return {404, R"({"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]})", {}};
  }
};

const std::vector<TarEntry> kFiles = {{"etc", "", true}, {"etc/hello", "hello world\n"}};
constexpr const char *kGzip = "application/vnd.oci.image.layer.v1.tar+gzip";

class ImagesPull : public testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "unpacking layers needs root";
    char t[] = "/tmp/berth-images-pull.XXXXXX";
    root_ = mkdtemp(t);
  }
  void TearDown() override {
    if (!root_.empty()) fs::remove_all(root_);
  }
  std::unique_ptr<ImageService> open(std::map<std::string, RegistryOptions> regs) {
    ServiceOptions o;
    o.root = root_;
    o.registries = std::move(regs);
    o.connect_timeout_seconds = 5;
    auto s = ImageService::open(std::move(o));
    EXPECT_TRUE(s) << s.error().message;
    return std::move(*s);
  }
  size_t blob_count() {
    size_t n = 0;
    for ([[maybe_unused]] auto &e : fs::directory_iterator(root_ + "/blobs/sha256")) n++;
    return n;
  }
  std::string root_;
};

}  // namespace

TEST_F(ImagesPull, BearerTokenFromRealm) {
  FakeImage img(kFiles, "gzip", kGzip);
  std::unique_ptr<FakeRegistry> reg;
  reg = std::make_unique<FakeRegistry>([&](const FakeRequest &r) -> FakeResponse {
    if (r.path.rfind("/token", 0) == 0) {
      // "Basic " + base64("alice:secret")
      if (r.authorization != "Basic YWxpY2U6c2VjcmV0") return {401, R"({"details":"bad credentials"})", {}};
      return {200, R"({"token":"tok123"})", {}};
    }
    if (r.authorization != "Bearer tok123")
      return {401, R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})",
              {{"WWW-Authenticate", "Bearer realm=\"http://" + reg->host() + "/token\",service=\"fake\",scope=\"repository:app:pull\""}}};
    return img.serve(r.path);
  });
  auto svc = open({{reg->host(), {true, {}}}});
  auto anon = svc->pull(reg->host() + "/app:v1", Auth{});
  ASSERT_FALSE(anon);
  EXPECT_EQ(anon.error().code, EACCES) << anon.error().message;
  EXPECT_NE(anon.error().message.find("token"), std::string::npos) << anon.error().message;

  Auth auth;
  auth.username = "alice";
  auth.password = "secret";
  auto rec = svc->pull(reg->host() + "/app:v1", auth);
  ASSERT_TRUE(rec) << rec.error().message;
  EXPECT_EQ(rec->id, img.config_digest);
  EXPECT_EQ(rec->config.cmd, std::vector<std::string>{"/bin/true"});
  bool asked_token = false;
  for (auto &r : reg->requests())
    if (r.path.rfind("/token?", 0) == 0) {
      asked_token = true;
      EXPECT_NE(r.path.find("service=fake"), std::string::npos) << r.path;
      EXPECT_NE(r.path.find("scope=repository:app:pull"), std::string::npos) << r.path;
    }
  EXPECT_TRUE(asked_token);
  auto dirs = svc->layer_dirs(rec->id);
  ASSERT_TRUE(dirs) << dirs.error().message;
  std::ifstream f((*dirs)[0] + "/etc/hello");
  std::string line;
  std::getline(f, line);
  EXPECT_EQ(line, "hello world");
}

TEST_F(ImagesPull, BasicAuthFromEncodedAuth) {
  FakeImage img(kFiles, nullptr, "application/vnd.oci.image.layer.v1.tar");
  FakeRegistry reg([&](const FakeRequest &r) -> FakeResponse {
    if (r.authorization != "Basic YWxpY2U6c2VjcmV0") return {401, "", {{"WWW-Authenticate", "Basic realm=\"fake\""}}};
    return img.serve(r.path);
  });
  auto svc = open({{reg.host(), {true, {}}}});
  auto anon = svc->pull(reg.host() + "/app:v1", Auth{});
  ASSERT_FALSE(anon);
  EXPECT_EQ(anon.error().code, EACCES);
  Auth auth;
  auth.auth = "YWxpY2U6c2VjcmV0";
  auto rec = svc->pull(reg.host() + "/app:v1", auth);
  ASSERT_TRUE(rec) << rec.error().message;
}

TEST_F(ImagesPull, MirrorsFirstThenRegistry) {
  FakeImage img(kFiles, "zstd", "application/vnd.oci.image.layer.v1.tar+zstd");
  FakeRegistry mirror([&](const FakeRequest &r) { return img.serve(r.path); });
  FakeRegistry empty_mirror([&](const FakeRequest &) { return FakeResponse{404, "", {}}; });
  FakeRegistry origin([&](const FakeRequest &r) { return img.serve(r.path); });
  auto svc = open({{origin.host(), {true, {"http://" + empty_mirror.host(), "http://" + mirror.host()}}}});
  auto rec = svc->pull(origin.host() + "/app:v1", Auth{});
  ASSERT_TRUE(rec) << rec.error().message;
  EXPECT_TRUE(origin.requests().empty());
  EXPECT_FALSE(mirror.requests().empty());
  EXPECT_FALSE(empty_mirror.requests().empty());
  EXPECT_EQ(rec->repo_tags, std::vector<std::string>{origin.host() + "/app:v1"});  // named after the origin
  ASSERT_TRUE(svc->layer_dirs(rec->id));
}

TEST_F(ImagesPull, TamperedBlobIsRefusedAndNotStored) {
  FakeImage img(kFiles, "gzip", kGzip);
  FakeRegistry reg([&](const FakeRequest &r) -> FakeResponse {
    if (r.path == "/v2/app/blobs/" + img.layer_digest) return {200, "not the layer you asked for", {}};
    return img.serve(r.path);
  });
  auto svc = open({{reg.host(), {true, {}}}});
  auto rec = svc->pull(reg.host() + "/app:v1", Auth{});
  ASSERT_FALSE(rec);
  EXPECT_EQ(rec.error().code, EBADMSG) << rec.error().message;
  EXPECT_NE(rec.error().message.find(img.layer_digest), std::string::npos) << rec.error().message;
  EXPECT_EQ(blob_count(), 0u);  // the manifest and config fetched before are gone too
  EXPECT_FALSE(fs::exists(root_ + "/blobs/sha256/" + img.layer_digest.substr(7)));
  EXPECT_TRUE(fs::is_empty(root_ + "/ingest"));
  EXPECT_TRUE(svc->list()->empty());
}

TEST_F(ImagesPull, ManifestByDigestMustMatch) {
  FakeImage img(kFiles, "gzip", kGzip);
  std::string wrong = dig("something else");
  FakeRegistry reg([&](const FakeRequest &r) -> FakeResponse {
    if (r.path == "/v2/app/manifests/" + wrong) return {200, img.manifest, {}};
    return img.serve(r.path);
  });
  auto svc = open({{reg.host(), {true, {}}}});
  auto rec = svc->pull(reg.host() + "/app@" + wrong, Auth{});
  ASSERT_FALSE(rec);
  EXPECT_EQ(rec.error().code, EBADMSG) << rec.error().message;
}

TEST_F(ImagesPull, DiffIdMismatchIsRefused) {
  FakeImage img(kFiles, "gzip", kGzip, /*bad_diff_id=*/true);
  FakeRegistry reg([&](const FakeRequest &r) { return img.serve(r.path); });
  auto svc = open({{reg.host(), {true, {}}}});
  auto rec = svc->pull(reg.host() + "/app:v1", Auth{});
  ASSERT_FALSE(rec);
  EXPECT_EQ(rec.error().code, EBADMSG) << rec.error().message;
  EXPECT_TRUE(fs::is_empty(root_ + "/layers"));
}

TEST_F(ImagesPull, EscapingLayerIsRefused) {
  FakeImage img({{"../escape", "x"}}, "gzip", kGzip);
  FakeRegistry reg([&](const FakeRequest &r) { return img.serve(r.path); });
  auto svc = open({{reg.host(), {true, {}}}});
  auto rec = svc->pull(reg.host() + "/app:v1", Auth{});
  ASSERT_FALSE(rec);
  EXPECT_NE(rec.error().message.find("\"..\" refused"), std::string::npos) << rec.error().message;
  EXPECT_TRUE(fs::is_empty(root_ + "/layers"));
  EXPECT_FALSE(fs::exists(root_ + "/escape"));
  EXPECT_FALSE(fs::exists(root_ + "/layers/escape"));
  EXPECT_TRUE(svc->list()->empty());
}

TEST_F(ImagesPull, UnknownMediaTypeIsRefused) {
  FakeImage img(kFiles, "gzip", "application/x-weird");
  FakeRegistry reg([&](const FakeRequest &r) { return img.serve(r.path); });
  auto svc = open({{reg.host(), {true, {}}}});
  auto rec = svc->pull(reg.host() + "/app:v1", Auth{});
  ASSERT_FALSE(rec);
  EXPECT_NE(rec.error().message.find("application/x-weird"), std::string::npos) << rec.error().message;
}

TEST_F(ImagesPull, BadMirrorFallsBackToOrigin) {
  FakeImage img(kFiles, "gzip", kGzip);
  FakeRegistry bad_mirror([&](const FakeRequest &r) -> FakeResponse {
    if (r.path == "/v2/app/blobs/" + img.layer_digest) return {200, "tampered", {}};
    return img.serve(r.path);
  });
  FakeRegistry origin([&](const FakeRequest &r) { return img.serve(r.path); });
  auto svc = open({{origin.host(), {true, {"http://" + bad_mirror.host()}}}});
  auto rec = svc->pull(origin.host() + "/app:v1", Auth{});
  ASSERT_TRUE(rec) << rec.error().message;
  bool origin_served_layer = false;
  for (auto &r : origin.requests()) origin_served_layer |= r.path == "/v2/app/blobs/" + img.layer_digest;
  EXPECT_TRUE(origin_served_layer);
}

TEST_F(ImagesPull, RetaggedImageKeepsTheOldOneUntagged) {
  FakeImage one(kFiles, "gzip", kGzip);
  FakeImage two({{"other", "2"}}, "gzip", kGzip);
  const FakeImage *current = &one;
  FakeRegistry reg([&](const FakeRequest &r) {
    if (r.path.find("/blobs/") != std::string::npos) {
      auto a = one.serve(r.path);
      return a.status == 200 ? a : two.serve(r.path);
    }
    return current->serve(r.path);
  });
  auto svc = open({{reg.host(), {true, {}}}});
  auto first = svc->pull(reg.host() + "/app:v1", Auth{});
  ASSERT_TRUE(first) << first.error().message;
  current = &two;
  auto second = svc->pull(reg.host() + "/app:v1", Auth{});
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_NE(first->id, second->id);
  auto old = svc->status(first->id);
  ASSERT_TRUE(old);
  EXPECT_TRUE(old->repo_tags.empty());
  EXPECT_EQ(old->repo_digests.size(), 1u);
  EXPECT_EQ(svc->status(reg.host() + "/app:v1")->id, second->id);
  ASSERT_TRUE(svc->remove(first->id));
  EXPECT_TRUE(svc->layer_dirs(second->id));
  EXPECT_EQ(svc->list()->size(), 1u);
}

#include "images/registry_client.h"

TEST(ImagesRegistryClient, Endpoints) {
  std::map<std::string, RegistryOptions> regs;
  regs["docker.io"].mirrors = {"mirror.example:5000", "http://plain.example/"};
  regs["mirror.example:5000"].insecure = true;
  regs["local:5000"].insecure = true;
  RegistryClient c(regs, "test", 5);
  auto eps = c.endpoints("docker.io");
  ASSERT_EQ(eps.size(), 4u);
  EXPECT_EQ(eps[0].base, "https://mirror.example:5000");
  EXPECT_FALSE(eps[0].verify_tls);
  EXPECT_EQ(eps[1].base, "http://mirror.example:5000");
  EXPECT_EQ(eps[2].base, "http://plain.example");
  EXPECT_EQ(eps[3].base, "https://registry-1.docker.io");
  EXPECT_TRUE(eps[3].verify_tls);
  auto local = c.endpoints("local:5000");
  ASSERT_EQ(local.size(), 2u);
  EXPECT_EQ(local[1].base, "http://local:5000");
  auto quay = c.endpoints("quay.io");
  ASSERT_EQ(quay.size(), 1u);  // never plain HTTP unless marked insecure
  EXPECT_EQ(quay[0].base, "https://quay.io");
  EXPECT_TRUE(quay[0].verify_tls);
}

TEST(ImagesRegistryClient, BasicCredentials) {
  Auth a;
  a.auth = "YWxpY2U6czNjcjp0";  // alice:s3cr:t
  EXPECT_EQ(basic_credentials(a), (std::pair<std::string, std::string>{"alice", "s3cr:t"}));
  a.username = "bob";
  a.password = "pw";
  EXPECT_EQ(basic_credentials(a).first, "bob");
  EXPECT_EQ(basic_credentials(Auth{}).first, "");
}

namespace {

// An image of n one-file gzip layers, for the concurrent layer fetch.
struct LayeredImage {
  std::map<std::string, std::string> blobs;
  std::vector<std::string> layer_digests;
  std::string manifest;
  explicit LayeredImage(int n) {
    nlohmann::json diff_ids = nlohmann::json::array(), layers = nlohmann::json::array();
    for (int i = 0; i < n; i++) {
      std::vector<TarEntry> files = {{"l" + std::to_string(i), "layer " + std::to_string(i) + "\n"}};
      std::string raw = make_tar(files, nullptr), gz = make_tar(files, "gzip");
      layer_digests.push_back(dig(gz));
      blobs[dig(gz)] = gz;
      diff_ids.push_back(dig(raw));
      layers.push_back({{"mediaType", kGzip}, {"digest", dig(gz)}, {"size", gz.size()}});
    }
    nlohmann::json config = {{"architecture", "amd64"}, {"os", "linux"}, {"config", nlohmann::json::object()},
                             {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}};
    std::string config_text = config.dump();
    blobs[dig(config_text)] = config_text;
    manifest = nlohmann::json{{"schemaVersion", 2},
                              {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                              {"config", {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                                          {"digest", dig(config_text)},
                                          {"size", config_text.size()}}},
                              {"layers", layers}}
                   .dump();
  }
  FakeResponse serve(const std::string &path) const {
    if (path == "/v2/app/manifests/v1") return {200, manifest, {{"Content-Type", "application/vnd.oci.image.manifest.v1+json"}}};
    const std::string prefix = "/v2/app/blobs/";
    if (auto it = blobs.find(path.substr(std::min(path.size(), prefix.size()))); path.starts_with(prefix) && it != blobs.end())
      return {200, it->second, {}};
    return {404, "", {}};
  }
};

TEST_F(ImagesPull, ManyLayersFetchedTogetherAllUnpacked) {
  LayeredImage img(7);
  FakeRegistry reg([&](const FakeRequest &r) { return img.serve(r.path); });
  auto svc = open({{reg.host(), {true, {}}}});
  auto rec = svc->pull(reg.host() + "/app:v1", Auth{});
  ASSERT_TRUE(rec) << rec.error().message;
  ASSERT_EQ(rec->layers.size(), 7u);
  auto dirs = svc->layer_dirs(rec->id);
  ASSERT_TRUE(dirs) << dirs.error().message;
  // Top layer first (overlay's lowerdir order).
  for (int i = 0; i < 7; i++) EXPECT_TRUE(fs::exists((*dirs)[6 - i] + "/l" + std::to_string(i))) << i;
}

TEST_F(ImagesPull, TamperedLayerAmongManyIsNamedAndNothingStays) {
  LayeredImage img(6);
  const std::string bad = img.layer_digests[4];
  FakeRegistry reg([&](const FakeRequest &r) -> FakeResponse {
    if (r.path == "/v2/app/blobs/" + bad) return {200, "tampered", {}};
    return img.serve(r.path);
  });
  auto svc = open({{reg.host(), {true, {}}}});
  auto rec = svc->pull(reg.host() + "/app:v1", Auth{});
  ASSERT_FALSE(rec);
  EXPECT_EQ(rec.error().code, EBADMSG) << rec.error().message;
  EXPECT_NE(rec.error().message.find(bad), std::string::npos) << rec.error().message;
  EXPECT_EQ(blob_count(), 0u);
  EXPECT_TRUE(fs::is_empty(root_ + "/layers"));
  EXPECT_TRUE(fs::is_empty(root_ + "/ingest"));
}

}  // namespace
