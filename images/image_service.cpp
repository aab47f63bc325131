#include "images/image_service.h"

#include <ftw.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <set>
#include <system_error>

#include "images/content_store.h"
#include "images/reference.h"

namespace berth::images {

namespace fs = std::filesystem;

namespace {

std::unexpected<Error> not_found(const std::string &what) {
  return std::unexpected(Error{ENOENT, fmt::format("image \"{}\" not found", what)});
}

class ServiceImpl : public ImageService {
 public:
  ServiceImpl(ServiceOptions opts, ContentStore store, std::unique_ptr<Fetcher> fetcher)
      : opts_(std::move(opts)), store_(std::move(store)), fetcher_(std::move(fetcher)) {}

  Result<void> init() {
    std::error_code ec;
    fs::create_directories(opts_.root + "/layers", ec);
    if (ec) return sys_error(ec.value(), "create {}/layers", opts_.root);
    // Half-unpacked layers of an interrupted run.
    for (auto &e : fs::directory_iterator(opts_.root + "/layers", ec))
      if (e.path().filename().string().starts_with(".tmp-")) fs::remove_all(e.path(), ec);
    fs::remove_all(fetch_locks_dir(opts_.root), ec);
    if (!opts_.records) opts_.records = make_json_record_store(opts_.root + "/records.json");
    records_ = TRY(opts_.records->load_all());
    return {};
  }

  Result<ImageRecord> pull(const std::string &text, const Auth &auth, PullObserver *observer) override {
    // Whatever the outcome, the collector runs when the last fetch ends: what
    // a failed pull fetched (verified, but unused) goes then, not at the next pull.
    Busy busy(*this, true);
    auto rec = TRY(fetcher_->fetch(text, auth, observer));
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
    u.timestamp_ns = wall_clock_ns();
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
    bool missing = false;
    for (auto &l : rec.layers) {
      auto diff = TRY(parse_digest(l.diff_id));
      dirs.push_back(opts_.root + "/layers/" + diff.hex);
      struct stat st;
      missing = missing || ::stat(dirs.back().c_str(), &st) != 0;
    }
    if (missing) {
      Busy busy(*this);
      TRY(fetcher_->unpack_layers(rec));
    }
    std::reverse(dirs.begin(), dirs.end());
    return dirs;
  }

  Result<std::string> prepare_rootfs(const std::string &image_id, const std::string &dest_dir) override {
    auto rec = TRY(status(image_id));
    Busy busy(*this);
    TRY(fetcher_->unpack_rootfs(rec, dest_dir));
    return dest_dir;
  }

 private:
  // A fetch in progress (in this process or a helper) adds blobs and layers
  // no record names yet: the collector waits until none is running. The last
  // one to end runs it if it was asked for meanwhile (or by this fetch).
  struct Busy {
    Busy(ServiceImpl &s, bool collect_after = false) : s(s) {
      std::lock_guard lock(s.mu_);
      s.fetches_++;
      if (collect_after) s.collect_pending_ = true;
    }
    ~Busy() {
      std::lock_guard lock(s.mu_);
      if (--s.fetches_ == 0 && s.collect_pending_) (void)s.collect_garbage_locked();
    }
    ServiceImpl &s;
  };

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
      for (auto &t : it->repo_tags) add_name(rec.repo_tags, t);
      for (auto &d : it->repo_digests) add_name(rec.repo_digests, d);
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

  // Removes blobs and unpacked layers no image refers to, once no fetch runs.
  Result<void> collect_garbage_locked() {
    if (fetches_ > 0) {
      collect_pending_ = true;
      return {};
    }
    collect_pending_ = false;
    std::set<std::string> keep, keep_layers;
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
      if (!name.starts_with(".tmp-") && !keep_layers.count(name)) fs::remove_all(e.path(), ec);
    }
    // No fetcher holds a lock now; the files would pile up one per blob.
    fs::remove_all(fetch_locks_dir(opts_.root), ec);
    return {};
  }

  ServiceOptions opts_;
  ContentStore store_;
  std::unique_ptr<Fetcher> fetcher_;
  std::mutex mu_;  // records_, fetches_, collect_pending_
  std::vector<ImageRecord> records_;
  int fetches_ = 0;
  bool collect_pending_ = false;
};

}  // namespace

Result<std::unique_ptr<ImageService>> ImageService::open(ServiceOptions options, std::unique_ptr<Fetcher> fetcher) {
  auto store = TRY_CTX(ContentStore::open(options.root), "open image store");
  auto svc = std::make_unique<ServiceImpl>(std::move(options), std::move(store), std::move(fetcher));
  TRY_CTX(svc->init(), "open image store");
  return std::unique_ptr<ImageService>(std::move(svc));
}

}  // namespace berth::images
