#include "images/image_service.h"

#include <ftw.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <future>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>

#include "images/content_store.h"
#include "images/layer_unpack.h"
#include "images/manifest.h"
#include "images/reference.h"
#include "images/registry_client.h"

namespace berth::images {

namespace fs = std::filesystem;

namespace {

// Runs one job per key at a time: later callers for the same key wait for the
// first one's result instead of repeating the work.
class SingleFlight {
 public:
  template <typename F>
  Result<void> run(const std::string &key, F &&work) {
    std::shared_future<Result<void>> fut;
    std::promise<Result<void>> mine;
    bool leader = false;
    {
      std::lock_guard lock(mu_);
      auto it = flights_.find(key);
      if (it != flights_.end()) {
        fut = it->second;
      } else {
        fut = mine.get_future().share();
        flights_[key] = fut;
        leader = true;
      }
    }
    if (!leader) return fut.get();
    Result<void> r = work();
    mine.set_value(r);
    std::lock_guard lock(mu_);
    flights_.erase(key);
    return r;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_future<Result<void>>> flights_;
};

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void add_unique(std::vector<std::string> &v, const std::string &s) {
  if (!s.empty() && std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

std::unexpected<Error> not_found(const std::string &what) {
  return std::unexpected(Error{ENOENT, fmt::format("image \"{}\" not found", what)});
}

class ServiceImpl : public ImageService {
 public:
  ServiceImpl(ServiceOptions opts, ContentStore store)
      : opts_(std::move(opts)), store_(std::move(store)),
        client_(opts_.registries, opts_.user_agent, opts_.connect_timeout_seconds) {}

  Result<void> init() {
    std::error_code ec;
    fs::create_directories(opts_.root + "/layers", ec);
    if (ec) return sys_error(ec.value(), "create {}/layers", opts_.root);
    // Half-unpacked layers of an interrupted run.
    for (auto &e : fs::directory_iterator(opts_.root + "/layers", ec))
      if (e.path().filename().string().starts_with(".tmp-")) fs::remove_all(e.path(), ec);
    if (!opts_.records) opts_.records = make_json_record_store(opts_.root + "/records.json");
    records_ = TRY(opts_.records->load_all());
    return {};
  }

  Result<ImageRecord> pull(const std::string &text, const Auth &auth, PullObserver *observer) override {
    auto r = pull_pinned(text, auth, observer);
    if (!r) {
      // What a failed pull fetched (verified, but unused) goes now, not at the next pull.
      std::lock_guard lock(mu_);
      (void)collect_garbage_locked();
    }
    return r;
  }

  Result<ImageRecord> pull_pinned(const std::string &text, const Auth &auth, PullObserver *observer) {
    auto ref = TRY(parse_reference(text, opts_.default_registry));
    Pins pins(*this);
    auto top = TRY(client_.get_manifest(ref, ref.manifest_ref(), auth));
    ImageRecord rec;
    FetchedManifest manifest_doc = top;
    auto kind = TRY_CTX(manifest_kind(top.body, top.media_type), fmt::format("pull {}", ref.str()));
    if (kind == ManifestKind::index) {
      auto index = TRY_CTX(parse_index(top.body), fmt::format("pull {}", ref.str()));
      auto desc = TRY_CTX(select_platform(index, opts_.platform), fmt::format("pull {}", ref.str()));
      TRY(store_blob_bytes(pins, top.body, top.digest));
      rec.index_digest = top.digest;
      manifest_doc = TRY(client_.get_manifest(ref, desc.digest, auth));
      auto inner = TRY_CTX(manifest_kind(manifest_doc.body, manifest_doc.media_type), fmt::format("pull {}", ref.str()));
      if (inner != ManifestKind::manifest)
        return std::unexpected(Error{EBADMSG, fmt::format("pull {}: index entry {} is not an image manifest", ref.str(), desc.digest)});
    }
    TRY(store_blob_bytes(pins, manifest_doc.body, manifest_doc.digest));
    auto manifest = TRY_CTX(parse_manifest(manifest_doc.body), fmt::format("pull {}", ref.str()));
    rec.manifest_digest = manifest_doc.digest;
    rec.manifest_media_type = manifest.media_type;

    auto config_digest = TRY_CTX(parse_digest(manifest.config.digest), fmt::format("pull {}: config", ref.str()));
    TRY(fetch_once(pins, ref, config_digest, manifest.config.size, auth));
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
      auto d = TRY_CTX(parse_digest(l.digest), fmt::format("pull {}: layer", ref.str()));
      auto diff = TRY_CTX(parse_digest(config.diff_ids[i]), fmt::format("pull {}: diff_id", ref.str()));
      pins.add("layer:" + diff.hex);
      pins.add(d.str());
      rec.layers.push_back({l.digest, config.diff_ids[i], l.media_type, static_cast<uint64_t>(std::max<int64_t>(l.size, 0))});
      rec.size += rec.layers.back().size;
    }
    if (observer)
      for (auto &l : rec.layers) observer->layer(l.digest, LayerState::waiting, 0, l.size);
    TRY(fetch_and_unpack_layers(ref, manifest.layers, rec.layers, auth, observer));

    add_unique(rec.repo_tags, ref.repo_tag());
    add_unique(rec.repo_digests, ref.name() + "@" + (rec.index_digest.empty() ? rec.manifest_digest : rec.index_digest));
    rec.pulled_at_ns = now_ns();
    return commit_record(std::move(rec));
  }

  Result<std::vector<ImageRecord>> list() override {
    std::lock_guard lock(mu_);
    return records_;
  }

  Result<ImageRecord> status(const std::string &ref_or_id) override {
    std::lock_guard lock(mu_);
    auto i = TRY(find_locked(ref_or_id));
    return records_[i];
  }

  Result<void> remove(const std::string &ref_or_id) override {
    std::lock_guard lock(mu_);
    auto i = TRY(find_locked(ref_or_id));
    ImageRecord &rec = records_[i];
    bool whole = true;
    if (!looks_like_image_id(ref_or_id) || ref_or_id.find('/') != std::string::npos) {
      auto ref = parse_reference(ref_or_id, opts_.default_registry);
      if (ref && ref->digest.empty() && rec.repo_tags.size() > 1) {
        std::erase(rec.repo_tags, ref->repo_tag());
        TRY(opts_.records->put(rec));
        whole = false;
      }
    }
    if (whole) {
      TRY(opts_.records->erase(rec.id));
      records_.erase(records_.begin() + static_cast<long>(i));
    }
    return collect_garbage_locked();
  }

  Result<FsUsage> fs_info() override {
    FsUsage u;
    u.mountpoint = opts_.root;
    u.timestamp_ns = now_ns();
    std::set<std::pair<dev_t, ino_t>> seen;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(opts_.root, fs::directory_options::skip_permission_denied, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      struct stat st;
      if (::lstat(it->path().c_str(), &st) < 0) continue;
      if (!seen.insert({st.st_dev, st.st_ino}).second) continue;
      u.inodes++;
      u.bytes += static_cast<uint64_t>(st.st_blocks) * 512;
    }
    if (ec) return sys_error(ec.value(), "walk {}", opts_.root);
    return u;
  }

  Result<std::vector<std::string>> layer_dirs(const std::string &image_id) override {
    auto rec = TRY(status(image_id));
    std::vector<std::string> dirs;
    for (auto &l : rec.layers) dirs.push_back(TRY(ensure_layer(l)));
    std::reverse(dirs.begin(), dirs.end());
    return dirs;
  }

  Result<std::string> prepare_rootfs(const std::string &image_id, const std::string &dest_dir) override {
    auto rec = TRY(status(image_id));
    std::error_code ec;
    fs::create_directories(dest_dir, ec);
    if (ec) return sys_error(ec.value(), "create {}", dest_dir);
    for (auto &l : rec.layers) {
      auto d = TRY(parse_digest(l.digest));
      TRY_CTX(unpack_layer(store_.blob_path(d), dest_dir, WhiteoutMode::apply),
              fmt::format("prepare rootfs of {} in {}", rec.id, dest_dir));
    }
    return dest_dir;
  }

 private:
  // Blobs a pull in progress holds: garbage collection leaves them alone.
  struct Pins {
    explicit Pins(ServiceImpl &s) : s(s) {}
    ~Pins() {
      std::lock_guard lock(s.mu_);
      for (auto &d : held)
        if (--s.pins_[d] == 0) s.pins_.erase(d);
    }
    void add(const std::string &d) {
      std::lock_guard lock(s.mu_);
      s.pins_[d]++;
      held.push_back(d);
    }
    ServiceImpl &s;
    std::vector<std::string> held;
  };

  Result<void> store_blob_bytes(Pins &pins, const std::string &body, const std::string &digest) {
    auto d = TRY(parse_digest(digest));
    pins.add(d.str());
    if (store_.has(d)) return {};
    TRY(store_.put(body, d));
    return {};
  }

  // Layers are fetched kLayerJobs at a time (as containerd does), each
  // unpacked by the thread that fetched it as soon as it is verified. Every
  // blob is verified as before (the content store checks the digest, the
  // unpacker the diffID); the first error in layer order is returned, naming
  // its blob, and no new layer is started after an error. The caller has
  // pinned every blob and layer, so the collector keeps what other threads
  // have finished.
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
          TRY(fetch_pinned(ref, d, descs[i].size, auth, [&](uint64_t done) {
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

  Result<void> fetch_once(Pins &pins, const Reference &ref, const Digest &d, int64_t size, const Auth &auth) {
    pins.add(d.str());
    return fetch_pinned(ref, d, size, auth);
  }

  // fetch_once for a blob the caller has pinned; safe from several threads.
  // progress hears the bytes written when this call is the one downloading.
  Result<void> fetch_pinned(const Reference &ref, const Digest &d, int64_t size, const Auth &auth,
                            const std::function<void(uint64_t)> &progress = {}) {
    return blob_flights_.run(d.str(), [&]() -> Result<void> {
      if (store_.has(d)) return {};
      TRY_CTX(client_.fetch_blob(ref, d, auth,
                                 [&]() -> Result<BlobWriter> {
                                   auto w = TRY(store_.writer(d, size));
                                   if (progress) w.on_write(progress);
                                   return w;
                                 }),
              fmt::format("pull {}", ref.str()));
      return {};
    });
  }

  // Unpacks a layer once into <root>/layers/<diffid hex>, checking its diffID first.
  Result<std::string> ensure_layer(const LayerRecord &l) {
    auto diff = TRY(parse_digest(l.diff_id));
    auto blob = TRY(parse_digest(l.digest));
    std::string dir = opts_.root + "/layers/" + diff.hex;
    TRY(layer_flights_.run(diff.hex, [&]() -> Result<void> {
      struct stat st;
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
    }));
    return dir;
  }

  Result<ImageRecord> commit_record(ImageRecord rec) {
    std::lock_guard lock(mu_);
    // A tag names one image: take it from any image that had it. An image left
    // without tags stays (by its digest): a container may still run from it,
    // and the kubelet's image GC removes it by id when it is unused.
    for (auto &other : records_) {
      if (other.id == rec.id) continue;
      size_t before = other.repo_tags.size();
      for (auto &t : rec.repo_tags) std::erase(other.repo_tags, t);
      if (other.repo_tags.size() != before) TRY(opts_.records->put(other));
    }
    auto it = std::find_if(records_.begin(), records_.end(), [&](auto &r) { return r.id == rec.id; });
    if (it != records_.end()) {
      for (auto &t : it->repo_tags) add_unique(rec.repo_tags, t);
      for (auto &d : it->repo_digests) add_unique(rec.repo_digests, d);
      std::sort(rec.repo_tags.begin(), rec.repo_tags.end());
      std::sort(rec.repo_digests.begin(), rec.repo_digests.end());
      TRY(opts_.records->put(rec));
      *it = rec;
    } else {
      TRY(opts_.records->put(rec));
      records_.push_back(rec);
    }
    TRY(collect_garbage_locked());
    return rec;
  }

  Result<size_t> find_locked(const std::string &q) {
    if (looks_like_image_id(q)) {
      std::string hex = q.starts_with("sha256:") ? q.substr(7) : q;
      std::vector<size_t> hits;
      for (size_t i = 0; i < records_.size(); i++)
        if (records_[i].id.compare(7, hex.size(), hex) == 0) hits.push_back(i);
      if (hits.size() == 1) return hits[0];
      if (hits.size() > 1)
        return std::unexpected(Error{EINVAL, fmt::format("image id prefix \"{}\" matches {} images", q, hits.size())});
    }
    auto ref = parse_reference(q, opts_.default_registry);
    if (!ref) return not_found(q);
    for (size_t i = 0; i < records_.size(); i++) {
      auto &r = records_[i];
      if (!ref->digest.empty()) {
        std::string want = ref->name() + "@" + ref->digest;
        if (std::find(r.repo_digests.begin(), r.repo_digests.end(), want) != r.repo_digests.end()) return i;
      } else if (std::find(r.repo_tags.begin(), r.repo_tags.end(), ref->repo_tag()) != r.repo_tags.end()) {
        return i;
      }
    }
    return not_found(q);
  }

  // Removes blobs and unpacked layers no image (and no pull in progress) refers to.
  Result<void> collect_garbage_locked() {
    std::set<std::string> keep, keep_layers;
    for (auto &[d, _] : pins_) keep.insert(d);
    for (auto &r : records_) {
      keep.insert({r.id, r.manifest_digest, r.index_digest});
      for (auto &l : r.layers) {
        keep.insert(l.digest);
        if (l.diff_id.size() > 7) keep_layers.insert(l.diff_id.substr(7));
      }
    }
    for (auto &d : TRY(store_.list()))
      if (!keep.count(d.str())) TRY(store_.remove(d));
    std::error_code ec;
    for (auto &e : fs::directory_iterator(opts_.root + "/layers", ec)) {
      std::string name = e.path().filename().string();
      if (name.starts_with(".tmp-") || keep_layers.count(name)) continue;
      // A layer some pull holds stays too (its record is not written yet).
      if (!pins_.count("layer:" + name)) fs::remove_all(e.path(), ec);
    }
    return {};
  }

  ServiceOptions opts_;
  ContentStore store_;
  RegistryClient client_;
  std::mutex mu_;  // records_, pins_
  std::vector<ImageRecord> records_;
  std::map<std::string, int> pins_;
  SingleFlight blob_flights_, layer_flights_;
};

}  // namespace

Result<std::unique_ptr<ImageService>> ImageService::open(ServiceOptions options) {
  auto store = TRY_CTX(ContentStore::open(options.root), "open image store");
  auto svc = std::make_unique<ServiceImpl>(std::move(options), std::move(store));
  TRY_CTX(svc->init(), "open image store");
  return std::unique_ptr<ImageService>(std::move(svc));
}

}  // namespace berth::images
