#include "config.h"

#if HAVE_LIBSYSTEMD
#include "cgroups/sd_bus_dl.h"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>

namespace berth::cgroups::sdbus {

namespace {

Api g_api;
bool g_loaded = false;

template <typename F>
bool resolve(void *lib, F &slot, const char *name, std::string &missing) {
  slot = reinterpret_cast<F>(::dlsym(lib, name));
  if (!slot) missing = name;
  return slot != nullptr;
}

}  // namespace

Result<void> load() {
  if (g_loaded) return {};
  // Kept loaded for the life of the process: the driver's objects outlive any scope here.
  void *lib = ::dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
  if (!lib)
    return make_error("--systemd-cgroup: cannot load libsystemd.so.0 (Debian: apt-get install libsystemd0): {}",
                      ::dlerror());
  std::string missing;
  bool ok = resolve(lib, g_api.bus_new, "sd_bus_new", missing) &&
            resolve(lib, g_api.bus_set_address, "sd_bus_set_address", missing) &&
            resolve(lib, g_api.bus_start, "sd_bus_start", missing) &&
            resolve(lib, g_api.bus_open_system, "sd_bus_open_system", missing) &&
            resolve(lib, g_api.bus_flush_close_unref, "sd_bus_flush_close_unref", missing) &&
            resolve(lib, g_api.bus_process, "sd_bus_process", missing) &&
            resolve(lib, g_api.bus_wait, "sd_bus_wait", missing) &&
            resolve(lib, g_api.bus_call, "sd_bus_call", missing) &&
            resolve(lib, g_api.bus_call_methodv, "sd_bus_call_methodv", missing) &&
            resolve(lib, g_api.bus_get_property_string, "sd_bus_get_property_string", missing) &&
            resolve(lib, g_api.bus_match_signal, "sd_bus_match_signal", missing) &&
            resolve(lib, g_api.bus_slot_unref, "sd_bus_slot_unref", missing) &&
            resolve(lib, g_api.message_new_method_call, "sd_bus_message_new_method_call", missing) &&
            resolve(lib, g_api.message_appendv, "sd_bus_message_appendv", missing) &&
            resolve(lib, g_api.message_append_array, "sd_bus_message_append_array", missing) &&
            resolve(lib, g_api.message_open_container, "sd_bus_message_open_container", missing) &&
            resolve(lib, g_api.message_close_container, "sd_bus_message_close_container", missing) &&
            resolve(lib, g_api.message_readv, "sd_bus_message_readv", missing) &&
            resolve(lib, g_api.message_unref, "sd_bus_message_unref", missing) &&
            resolve(lib, g_api.error_free, "sd_bus_error_free", missing) &&
            resolve(lib, g_api.error_is_set, "sd_bus_error_is_set", missing) &&
            resolve(lib, g_api.error_has_name, "sd_bus_error_has_name", missing);
  if (!ok) return make_error("--systemd-cgroup: libsystemd.so.0 has no {} (systemd 246 or newer is needed)", missing);
  g_loaded = true;
  return {};
}

const Api &api() {
  // A call before load() is a bug in the driver, not an environment error.
  if (!g_loaded) std::abort();
  return g_api;
}

int message_append(sd_bus_message *m, const char *types, ...) {
  va_list ap;
  va_start(ap, types);
  int r = api().message_appendv(m, types, ap);
  va_end(ap);
  return r;
}

int message_read(sd_bus_message *m, const char *types, ...) {
  va_list ap;
  va_start(ap, types);
  int r = api().message_readv(m, types, ap);
  va_end(ap);
  return r;
}

int call_method(sd_bus *bus, const char *destination, const char *path, const char *interface, const char *member,
                sd_bus_error *ret_error, sd_bus_message **reply, const char *types, ...) {
  va_list ap;
  va_start(ap, types);
  int r = api().bus_call_methodv(bus, destination, path, interface, member, ret_error, reply, types, ap);
  va_end(ap);
  return r;
}

}  // namespace berth::cgroups::sdbus
#endif
