// SHA-256 through OpenSSL's EVP interface (libcrypto), the project's one
// implementation of it (images/ uses the same library for blob digests).
#include "libcontainer/sha256.h"

#include <openssl/evp.h>

#include <cstdio>
#include <cstdlib>

namespace berth {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
  // Only allocation can fail here; a process out of memory this early cannot
  // report anything useful either, so a failure is an invariant broken.
  if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) std::abort();
}

Sha256 &Sha256::update(std::span<const uint8_t> data) {
  EVP_DigestUpdate(ctx_.get(), data.data(), data.size());
  return *this;
}

std::array<uint8_t, 32> Sha256::digest() {
  std::array<uint8_t, 32> out{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_.get(), out.data(), &len);
  return out;
}

std::string Sha256::hex_digest() {
  auto d = digest();
  std::string hex;
  hex.reserve(64);
  char buf[3];
  for (uint8_t b : d) {
    std::snprintf(buf, sizeof buf, "%02x", b);
    hex += buf;
  }
  return hex;
}

std::string sha256_hex(std::string_view data) { return Sha256().update(data).hex_digest(); }

}  // namespace berth
