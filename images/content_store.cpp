#include "images/content_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace berth::images {

namespace fs = std::filesystem;

BlobWriter::BlobWriter(const ContentStore *store, Digest expected, int64_t expected_size, std::string tmp, Fd fd)
    : store_(store), expected_(std::move(expected)), expected_size_(expected_size), tmp_(std::move(tmp)),
      fd_(std::move(fd)) {}

BlobWriter::BlobWriter(BlobWriter &&o) noexcept
    : store_(o.store_), expected_(std::move(o.expected_)), expected_size_(o.expected_size_),
      tmp_(std::exchange(o.tmp_, {})), fd_(std::move(o.fd_)), hash_(std::move(o.hash_)), written_(o.written_),
      on_write_(std::move(o.on_write_)) {}

BlobWriter::~BlobWriter() {
  if (!tmp_.empty()) ::unlink(tmp_.c_str());
}

Result<void> BlobWriter::write(const void *data, size_t len) {
  if (expected_size_ >= 0 && written_ + len > static_cast<uint64_t>(expected_size_))
    return std::unexpected(Error{EBADMSG, fmt::format("blob {}: more than the {} bytes announced",
                                                      expected_.str(), expected_size_)});
  const char *p = static_cast<const char *>(data);
  size_t left = len;
  while (left > 0) {
    ssize_t n = ::write(fd_.get(), p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error(errno, "write {}", tmp_);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  hash_.update(data, len);
  written_ += len;
  if (on_write_) on_write_(written_);
  return {};
}

Result<std::string> BlobWriter::commit() {
  std::string tmp = std::exchange(tmp_, {});
  auto drop = [&] { ::unlink(tmp.c_str()); };
  if (expected_size_ >= 0 && written_ != static_cast<uint64_t>(expected_size_)) {
    drop();
    return std::unexpected(Error{EBADMSG, fmt::format("blob {}: got {} bytes, expected {}", expected_.str(),
                                                      written_, expected_size_)});
  }
  std::string got = hash_.finish();
  if (got != expected_.hex) {
    drop();
    return std::unexpected(Error{EBADMSG, fmt::format("blob {}: content has digest sha256:{}; refusing it",
                                                      expected_.str(), got)});
  }
  if (::fsync(fd_.get()) < 0) {
    int e = errno;
    drop();
    return sys_error(e, "fsync {}", tmp);
  }
  fd_.reset();
  std::string dest = store_->blob_path(expected_);
  if (::rename(tmp.c_str(), dest.c_str()) < 0) {
    int e = errno;
    drop();
    return sys_error(e, "rename {} to {}", tmp, dest);
  }
  return dest;
}

Result<ContentStore> ContentStore::open(std::string root, Leftovers leftovers) {
  std::error_code ec;
  for (const char *sub : {"/blobs/sha256", "/ingest"}) {
    fs::create_directories(root + sub, ec);
    if (ec) return sys_error(ec.value(), "create {}{}", root, sub);
  }
  if (leftovers == Leftovers::remove)
    for (auto &e : fs::directory_iterator(root + "/ingest", ec)) fs::remove(e.path(), ec);
  return ContentStore(std::move(root));
}

bool ContentStore::has(const Digest &d) const {
  struct stat st;
  return ::stat(blob_path(d).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Result<uint64_t> ContentStore::size(const Digest &d) const {
  struct stat st;
  if (::stat(blob_path(d).c_str(), &st) < 0) return sys_error(errno, "stat blob {}", d.str());
  return static_cast<uint64_t>(st.st_size);
}

Result<BlobWriter> ContentStore::writer(const Digest &expected, int64_t expected_size) const {
  std::string tmp = root_ + "/ingest/" + expected.hex + ".XXXXXX";
  int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) return sys_error(errno, "create temporary file in {}/ingest", root_);
  ::fchmod(fd, 0644);
  return BlobWriter(this, expected, expected_size, std::move(tmp), Fd(fd));
}

Result<std::string> ContentStore::put(std::string_view data, const Digest &expected) const {
  auto w = TRY(writer(expected, static_cast<int64_t>(data.size())));
  TRY(w.write(data.data(), data.size()));
  return w.commit();
}

Result<std::string> ContentStore::read(const Digest &d) const {
  std::string path = blob_path(d);
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return sys_error(errno, "open blob {}", d.str());
  std::string data;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error(errno, "read blob {}", d.str());
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  if (sha256_hex(data) != d.hex)
    return std::unexpected(Error{EBADMSG, fmt::format("blob {} in {}: content does not match its digest", d.str(), root_)});
  return data;
}

Result<void> ContentStore::remove(const Digest &d) const {
  if (::unlink(blob_path(d).c_str()) < 0 && errno != ENOENT) return sys_error(errno, "remove blob {}", d.str());
  return {};
}

Result<std::vector<Digest>> ContentStore::list() const {
  std::vector<Digest> out;
  std::error_code ec;
  for (auto &e : fs::directory_iterator(root_ + "/blobs/sha256", ec)) {
    auto d = parse_digest("sha256:" + e.path().filename().string());
    if (d) out.push_back(*d);
  }
  if (ec) return sys_error(ec.value(), "list {}/blobs/sha256", root_);
  return out;
}

}  // namespace berth::images
