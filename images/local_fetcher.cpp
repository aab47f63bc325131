#include "images/local_fetcher.h"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <system_error>
#include <thread>

#include "images/content_store.h"
#include "images/file_lock.h"
#include "images/image_service.h"
#include "images/layer_unpack.h"
#include "images/manifest.h"
#include "images/reference.h"
#include "images/registry_client.h"

namespace berth::images {

namespace fs = std::filesystem;

namespace {

class LocalFetcher : public Fetcher {
 public:
  LocalFetcher(const FetchOptions &opts, ContentStore store)
      : opts_(opts), store_(std::move(store)),
        client_(opts_.registries, opts_.user_agent, opts_.connect_timeout_seconds) {}

  Result<void> init() {
    std::error_code ec;
    fs::create_directories(opts_.root + "/layers", ec);
    if (ec) return sys_error(ec.value(), "create {}/layers", opts_.root);
    return {};
  }

  Result<ImageRecord> fetch(const std::string &text, const Auth &auth, PullObserver *observer) override {
    auto ref = TRY(parse_reference(text, opts_.default_registry));
    auto top = TRY(client_.get_manifest(ref, ref.manifest_ref(), auth));
    ImageRecord rec;
    FetchedManifest manifest_doc = top;
    auto kind = TRY_CTX(manifest_kind(top.body, top.media_type), fmt::format("pull {}", ref.str()));
    if (kind == ManifestKind::index) {
      auto index = TRY_CTX(parse_index(top.body), fmt::format("pull {}", ref.str()));
      auto desc = TRY_CTX(select_platform(index, opts_.platform), fmt::format("pull {}", ref.str()));
      TRY(store_blob_bytes(top.body, top.digest));
      rec.index_digest = top.digest;
      manifest_doc = TRY(client_.get_manifest(ref, desc.digest, auth));
      auto inner = TRY_CTX(manifest_kind(manifest_doc.body, manifest_doc.media_type), fmt::format("pull {}", ref.str()));
      if (inner != ManifestKind::manifest)
        return std::unexpected(Error{EBADMSG, fmt::format("pull {}: index entry {} is not an image manifest", ref.str(), desc.digest)});
    }
    TRY(store_blob_bytes(manifest_doc.body, manifest_doc.digest));
    auto manifest = TRY_CTX(parse_manifest(manifest_doc.body), fmt::format("pull {}", ref.str()));
    rec.manifest_digest = manifest_doc.digest;
    rec.manifest_media_type = manifest.media_type;

    auto config_digest = TRY_CTX(parse_digest(manifest.config.digest), fmt::format("pull {}: config", ref.str()));
    TRY(fetch_blob(ref, config_digest, manifest.config.size, auth));
    auto config_text = TRY(store_.read(config_digest));
    auto config = TRY_CTX(parse_image_config(config_text), fmt::format("pull {}", ref.str()));
    if (config.diff_ids.size() != manifest.layers.size())
      return std::unexpected(Error{EBADMSG, fmt::format("pull {}: the manifest has {} layers but the config lists {} diff_ids",
                                                        ref.str(), manifest.layers.size(), config.diff_ids.size())});
    rec.id = config_digest.str();
    rec.config = std::move(config.config);
    rec.size = config_text.size();
    for (size_t i = 0; i < manifest.layers.size(); i++) {
      const Descriptor &l = manifest.layers[i];
      TRY_CTX(layer_compression(l.media_type), fmt::format("pull {}: layer {}", ref.str(), l.digest));
      TRY_CTX(parse_digest(l.digest), fmt::format("pull {}: layer", ref.str()));
      TRY_CTX(parse_digest(config.diff_ids[i]), fmt::format("pull {}: diff_id", ref.str()));
      rec.layers.push_back({l.digest, config.diff_ids[i], l.media_type, static_cast<uint64_t>(std::max<int64_t>(l.size, 0))});
      rec.size += rec.layers.back().size;
    }
    if (observer)
      for (auto &l : rec.layers) observer->layer(l.digest, LayerState::waiting, 0, l.size);
    TRY(fetch_and_unpack_layers(ref, manifest.layers, rec.layers, auth, observer));

    add_name(rec.repo_tags, ref.repo_tag());
    add_name(rec.repo_digests, ref.name() + "@" + (rec.index_digest.empty() ? rec.manifest_digest : rec.index_digest));
    rec.pulled_at_ns = wall_clock_ns();
    return rec;
  }

  Result<void> unpack_layers(const ImageRecord &image) override {
    for (auto &l : image.layers) TRY(ensure_layer(l));
    return {};
  }

  Result<void> unpack_rootfs(const ImageRecord &image, const std::string &dest_dir) override {
    std::error_code ec;
    fs::create_directories(dest_dir, ec);
    if (ec) return sys_error(ec.value(), "create {}", dest_dir);
    for (auto &l : image.layers) {
      auto d = TRY(parse_digest(l.digest));
      TRY_CTX(unpack_layer(store_.blob_path(d), dest_dir, WhiteoutMode::apply),
              fmt::format("prepare rootfs of {} in {}", image.id, dest_dir));
    }
    return {};
  }

 private:
  // The store's collector removes the locks directory whenever no fetch runs.
  Result<FileLock> lock(const std::string &key) {
    std::string dir = fetch_locks_dir(opts_.root);
    if (::mkdir(dir.c_str(), 0700) < 0 && errno != EEXIST) return sys_error(errno, "create {}", dir);
    return FileLock::acquire(dir + "/" + key);
  }

  Result<void> store_blob_bytes(const std::string &body, const std::string &digest) {
    auto d = TRY(parse_digest(digest));
    if (store_.has(d)) return {};
    TRY(store_.put(body, d));
    return {};
  }

  // Layers are fetched kLayerJobs at a time (as containerd does), each
  // unpacked by the thread that fetched it as soon as it is verified. Every
  // blob is verified as before (the content store checks the digest, the
  // unpacker the diffID); the first error in layer order is returned, naming
  // its blob, and no new layer is started after an error.
  static constexpr size_t kLayerJobs = 3;

  Result<void> fetch_and_unpack_layers(const Reference &ref, const std::vector<Descriptor> &descs,
                                       const std::vector<LayerRecord> &layers, const Auth &auth,
                                       PullObserver *observer) {
    std::vector<Result<void>> results(layers.size());
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    auto work = [&] {
      for (size_t i; !failed && (i = next++) < layers.size();) {
        results[i] = [&]() -> Result<void> {
          auto d = TRY(parse_digest(layers[i].digest));
          const uint64_t total = layers[i].size;
          const bool had = observer && store_.has(d);
          if (had) observer->layer(layers[i].digest, LayerState::exists, total, total);
          TRY(fetch_blob(ref, d, descs[i].size, auth, [&](uint64_t done) {
            if (observer) observer->layer(layers[i].digest, LayerState::downloading, done, total);
          }));
          TRY_CTX(ensure_layer(layers[i]), fmt::format("pull {}", ref.str()));
          if (observer && !had) observer->layer(layers[i].digest, LayerState::done, total, total);
          return {};
        }();
        if (!results[i]) failed = true;
      }
    };
    {
      std::vector<std::jthread> helpers;
      size_t jobs = std::min(kLayerJobs, layers.size());
      for (size_t j = 1; j < jobs; j++) {
        try {
          helpers.emplace_back(work);
        } catch (const std::system_error &) {
          break;  // no thread to be had: fewer at a time, the same result
        }
      }
      work();
    }
    for (auto &r : results)
      if (!r) return r;
    return {};
  }

  // Downloads the blob unless the store has it. One download per blob: a
  // caller that finds another (thread or process) fetching it waits, then
  // finds it stored. progress hears the bytes written by this call's download.
  Result<void> fetch_blob(const Reference &ref, const Digest &d, int64_t size, const Auth &auth,
                          const std::function<void(uint64_t)> &progress = {}) {
    if (store_.has(d)) return {};
    auto held = TRY(lock("blob-" + d.hex));
    if (store_.has(d)) return {};
    TRY_CTX(client_.fetch_blob(ref, d, auth,
                               [&]() -> Result<BlobWriter> {
                                 auto w = TRY(store_.writer(d, size));
                                 if (progress) w.on_write(progress);
                                 return w;
                               }),
            fmt::format("pull {}", ref.str()));
    return {};
  }

  // Unpacks a layer once into <root>/layers/<diffid hex>, checking its diffID first.
  Result<void> ensure_layer(const LayerRecord &l) {
    auto diff = TRY(parse_digest(l.diff_id));
    auto blob = TRY(parse_digest(l.digest));
    std::string dir = opts_.root + "/layers/" + diff.hex;
    struct stat st;
    if (::stat(dir.c_str(), &st) == 0) return {};
    auto held = TRY(lock("layer-" + diff.hex));
    if (::stat(dir.c_str(), &st) == 0) return {};
    std::string path = store_.blob_path(blob);
    auto got = TRY(layer_diff_id(path));
    if (got != diff.str())
      return std::unexpected(Error{EBADMSG, fmt::format("layer {}: uncompressed content has digest {}, the config says {}",
                                                        blob.str(), got, diff.str())});
    std::string tmp = opts_.root + "/layers/.tmp-" + diff.hex + "-XXXXXX";
    if (!::mkdtemp(tmp.data())) return sys_error(errno, "create {}", tmp);
    ::chmod(tmp.c_str(), 0755);
    auto r = unpack_layer(path, tmp, WhiteoutMode::overlay);
    std::error_code ec;
    if (!r) {
      fs::remove_all(tmp, ec);
      return std::unexpected(r.error());
    }
    if (::rename(tmp.c_str(), dir.c_str()) < 0) {
      int e = errno;
      fs::remove_all(tmp, ec);
      return sys_error(e, "rename {} to {}", tmp, dir);
    }
    return {};
  }

  FetchOptions opts_;
  ContentStore store_;
  RegistryClient client_;
};

}  // namespace

Result<std::unique_ptr<Fetcher>> make_local_fetcher(const FetchOptions &options) {
  auto store = TRY_CTX(ContentStore::open(options.root, ContentStore::Leftovers::keep), "open image store");
  auto fetcher = std::make_unique<LocalFetcher>(options, std::move(store));
  TRY_CTX(fetcher->init(), "open image store");
  return std::unique_ptr<Fetcher>(std::move(fetcher));
}

Result<std::unique_ptr<ImageService>> ImageService::open(ServiceOptions options) {
  auto fetcher = TRY(make_local_fetcher(options));
  return open(std::move(options), std::move(fetcher));
}

}  // namespace berth::images
