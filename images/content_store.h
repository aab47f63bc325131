// Content-addressed blobs under <root>/blobs/sha256/<hex>. A blob enters the
// store only through a Writer whose bytes hashed to the expected digest: it is
// written to <root>/ingest/, verified, fsynced, and renamed into place, so a
// mismatch or an interrupted download never leaves a blob a later pull trusts.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "images/digest.h"
#include "libcontainer/fd.h"
#include "libcontainer/result.h"

namespace berth::images {

class ContentStore;

class BlobWriter {
 public:
  BlobWriter(BlobWriter &&) noexcept;
  BlobWriter &operator=(BlobWriter &&) = delete;
  ~BlobWriter();  // removes the temp file unless committed

  Result<void> write(const void *data, size_t len);
  uint64_t written() const { return written_; }
  // Called after each write with the bytes written so far (progress reports).
  void on_write(std::function<void(uint64_t)> fn) { on_write_ = std::move(fn); }
  // Verifies digest (and size when it was given), then publishes the blob.
  // EBADMSG on a mismatch; the temp file is gone either way.
  Result<std::string> commit();

 private:
  friend class ContentStore;
  BlobWriter(const ContentStore *store, Digest expected, int64_t expected_size, std::string tmp, Fd fd);
  const ContentStore *store_;
  Digest expected_;
  int64_t expected_size_;
  std::string tmp_;
  Fd fd_;
  Sha256 hash_;
  uint64_t written_ = 0;
  std::function<void(uint64_t)> on_write_;
};

class ContentStore {
 public:
  // Creates the directories. The store's owner removes the leftovers of
  // interrupted writes in ingest/ when it starts; a fetcher sharing the store
  // keeps them, as they may be another fetcher's writes in progress.
  enum class Leftovers { remove, keep };
  static Result<ContentStore> open(std::string root, Leftovers leftovers = Leftovers::remove);

  const std::string &root() const { return root_; }
  std::string blob_path(const Digest &d) const { return root_ + "/blobs/sha256/" + d.hex; }
  bool has(const Digest &d) const;
  Result<uint64_t> size(const Digest &d) const;

  // expected_size < 0: size unknown.
  Result<BlobWriter> writer(const Digest &expected, int64_t expected_size = -1) const;
  Result<std::string> put(std::string_view data, const Digest &expected) const;
  // Reads a (small) blob, checking its digest again.
  Result<std::string> read(const Digest &d) const;
  Result<void> remove(const Digest &d) const;
  Result<std::vector<Digest>> list() const;

 private:
  explicit ContentStore(std::string root) : root_(std::move(root)) {}
  std::string root_;
};

}  // namespace berth::images
