// libsystemd's sd-bus, loaded with dlopen the first time --systemd-cgroup
// needs it. Linking libsystemd (and through it libgcrypt, liblzma, libzstd,
// liblz4) costs every berth invocation ~2.5 MiB of resident memory, although
// only the systemd driver uses it.
//
// Include after <systemd/sd-bus.h>: the macros below turn the sd_bus_* calls
// of the including file into calls through the loaded table.
#pragma once

#include <cstdarg>

#include <systemd/sd-bus.h>

#include "libcontainer/result.h"

namespace berth::cgroups::sdbus {

struct Api {
  decltype(&::sd_bus_new) bus_new;
  decltype(&::sd_bus_set_address) bus_set_address;
  decltype(&::sd_bus_start) bus_start;
  decltype(&::sd_bus_open_system) bus_open_system;
  decltype(&::sd_bus_flush_close_unref) bus_flush_close_unref;
  decltype(&::sd_bus_process) bus_process;
  decltype(&::sd_bus_wait) bus_wait;
  decltype(&::sd_bus_call) bus_call;
  decltype(&::sd_bus_call_methodv) bus_call_methodv;
  decltype(&::sd_bus_get_property_string) bus_get_property_string;
  decltype(&::sd_bus_match_signal) bus_match_signal;
  decltype(&::sd_bus_slot_unref) bus_slot_unref;
  decltype(&::sd_bus_message_new_method_call) message_new_method_call;
  decltype(&::sd_bus_message_appendv) message_appendv;
  decltype(&::sd_bus_message_append_array) message_append_array;
  decltype(&::sd_bus_message_open_container) message_open_container;
  decltype(&::sd_bus_message_close_container) message_close_container;
  decltype(&::sd_bus_message_readv) message_readv;
  decltype(&::sd_bus_message_unref) message_unref;
  decltype(&::sd_bus_error_free) error_free;
  decltype(&::sd_bus_error_is_set) error_is_set;
  decltype(&::sd_bus_error_has_name) error_has_name;
};

// Loads libsystemd.so.0 once; an error names the library and the Debian package.
Result<void> load();
// The table; only valid after load() succeeded.
const Api &api();

int message_append(sd_bus_message *m, const char *types, ...);
int message_read(sd_bus_message *m, const char *types, ...);
int call_method(sd_bus *bus, const char *destination, const char *path, const char *interface, const char *member,
                sd_bus_error *ret_error, sd_bus_message **reply, const char *types, ...);

}  // namespace berth::cgroups::sdbus

#define sd_bus_new(...) ::berth::cgroups::sdbus::api().bus_new(__VA_ARGS__)
#define sd_bus_set_address(...) ::berth::cgroups::sdbus::api().bus_set_address(__VA_ARGS__)
#define sd_bus_start(...) ::berth::cgroups::sdbus::api().bus_start(__VA_ARGS__)
#define sd_bus_open_system(...) ::berth::cgroups::sdbus::api().bus_open_system(__VA_ARGS__)
#define sd_bus_flush_close_unref(...) ::berth::cgroups::sdbus::api().bus_flush_close_unref(__VA_ARGS__)
#define sd_bus_process(...) ::berth::cgroups::sdbus::api().bus_process(__VA_ARGS__)
#define sd_bus_wait(...) ::berth::cgroups::sdbus::api().bus_wait(__VA_ARGS__)
#define sd_bus_call(...) ::berth::cgroups::sdbus::api().bus_call(__VA_ARGS__)
#define sd_bus_call_method(...) ::berth::cgroups::sdbus::call_method(__VA_ARGS__)
#define sd_bus_get_property_string(...) ::berth::cgroups::sdbus::api().bus_get_property_string(__VA_ARGS__)
#define sd_bus_match_signal(...) ::berth::cgroups::sdbus::api().bus_match_signal(__VA_ARGS__)
#define sd_bus_slot_unref(...) ::berth::cgroups::sdbus::api().bus_slot_unref(__VA_ARGS__)
#define sd_bus_message_new_method_call(...) ::berth::cgroups::sdbus::api().message_new_method_call(__VA_ARGS__)
#define sd_bus_message_append(...) ::berth::cgroups::sdbus::message_append(__VA_ARGS__)
#define sd_bus_message_append_array(...) ::berth::cgroups::sdbus::api().message_append_array(__VA_ARGS__)
#define sd_bus_message_open_container(...) ::berth::cgroups::sdbus::api().message_open_container(__VA_ARGS__)
#define sd_bus_message_close_container(...) ::berth::cgroups::sdbus::api().message_close_container(__VA_ARGS__)
#define sd_bus_message_read(...) ::berth::cgroups::sdbus::message_read(__VA_ARGS__)
#define sd_bus_message_unref(...) ::berth::cgroups::sdbus::api().message_unref(__VA_ARGS__)
#define sd_bus_error_free(...) ::berth::cgroups::sdbus::api().error_free(__VA_ARGS__)
#define sd_bus_error_is_set(...) ::berth::cgroups::sdbus::api().error_is_set(__VA_ARGS__)
#define sd_bus_error_has_name(...) ::berth::cgroups::sdbus::api().error_has_name(__VA_ARGS__)
