// Content digests: "sha256:<64 hex>" parsing and streaming SHA-256 (OpenSSL EVP).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "libcontainer/result.h"

namespace berth::images {

struct Digest {
  std::string algorithm;  // "sha256"
  std::string hex;        // lowercase
  std::string str() const { return algorithm + ":" + hex; }
  bool operator==(const Digest &) const = default;
};

// Accepts only sha256 digests with 64 lowercase hex digits (EINVAL otherwise,
// naming what is wrong).
Result<Digest> parse_digest(std::string_view text);

// Incremental SHA-256.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256 &&) noexcept;
  Sha256(const Sha256 &) = delete;
  Sha256 &operator=(const Sha256 &) = delete;
  void update(const void *data, size_t len);
  void update(std::string_view s) { update(s.data(), s.size()); }
  // Lowercase hex of the digest; the object is spent after this.
  std::string finish();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

std::string sha256_hex(std::string_view data);
// "sha256:<hex>" of a file's contents.
Result<std::string> sha256_file(const std::string &path);

}  // namespace berth::images
