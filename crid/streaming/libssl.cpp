#include "crid/streaming/libssl.h"

#include <dlfcn.h>
#include <openssl/opensslv.h>

#include <mutex>

namespace berth::crid::streaming {

namespace {

LibSsl loaded;
Result<const LibSsl *> outcome = std::unexpected(Error{0, "libssl not loaded"});

Result<const LibSsl *> load() {
  const std::string name = fmt::format("libssl.so.{}", OPENSSL_SHLIB_VERSION);
  // Never closed: TLS connections may live as long as the process.
  void *lib = ::dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) return make_error("TLS needs {}: {}", name, ::dlerror());
#define BERTH_LIBSSL_RESOLVE(fn)                                                         \
  loaded.fn = reinterpret_cast<decltype(loaded.fn)>(::dlsym(lib, #fn));                \
  if (!loaded.fn) return make_error("TLS needs {}: it has no function {}", name, #fn);
  BERTH_LIBSSL_FUNCTIONS(BERTH_LIBSSL_RESOLVE)
#undef BERTH_LIBSSL_RESOLVE
  return &loaded;
}

}  // namespace

Result<const LibSsl *> load_libssl() {
  static std::once_flag once;
  std::call_once(once, [] { outcome = load(); });
  return outcome;
}

const LibSsl &libssl() { return loaded; }

}  // namespace berth::crid::streaming
