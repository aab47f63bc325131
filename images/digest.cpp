#include "images/digest.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include "libcontainer/fd.h"

namespace berth::images {

Result<Digest> parse_digest(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos)
    return std::unexpected(Error{EINVAL, fmt::format("digest \"{}\": no algorithm (want sha256:<hex>)", text)});
  std::string_view algo = text.substr(0, colon), hex = text.substr(colon + 1);
  if (algo != "sha256")
    return std::unexpected(Error{EINVAL, fmt::format("digest \"{}\": unsupported algorithm \"{}\" (only sha256)", text, algo)});
  if (hex.size() != 64)
    return std::unexpected(Error{EINVAL, fmt::format("digest \"{}\": sha256 wants 64 hex digits, got {}", text, hex.size())});
  for (char c : hex)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return std::unexpected(Error{EINVAL, fmt::format("digest \"{}\": '{}' is not a lowercase hex digit", text, c)});
  return Digest{std::string(algo), std::string(hex)};
}

struct Sha256::Ctx {
  EVP_MD_CTX *md = nullptr;
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {
  ctx_->md = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr);
}

Sha256::Sha256(Sha256 &&) noexcept = default;

Sha256::~Sha256() {
  if (ctx_) EVP_MD_CTX_free(ctx_->md);
}

void Sha256::update(const void *data, size_t len) { EVP_DigestUpdate(ctx_->md, data, len); }

std::string Sha256::finish() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(ctx_->md, out, &n);
  static const char digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(n * 2);
  for (unsigned i = 0; i < n; i++) {
    hex.push_back(digits[out[i] >> 4]);
    hex.push_back(digits[out[i] & 15]);
  }
  return hex;
}

std::string sha256_hex(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.finish();
}

Result<std::string> sha256_file(const std::string &path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return sys_error(errno, "open {}", path);
  Sha256 h;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error(errno, "read {}", path);
    }
    if (n == 0) break;
    h.update(buf, static_cast<size_t>(n));
  }
  return "sha256:" + h.finish();
}

}  // namespace berth::images
