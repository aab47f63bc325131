# crid/monitor.mk: one part of crid, kept in its own fragment so parts grow apart.
# Appends to crid_libcrid_a_SOURCES, bin/libexec programs and crid_unit_tests_SOURCES.
EXTRA_DIST += tests/integration/crid_monitor.bats

if BUILD_CRID
# crid's side of the monitor contract.
crid_libcrid_a_SOURCES += crid/monitor_protocol.h crid/exit_record.cpp \
	crid/monitor_client.h crid/monitor_client.cpp \
	crid/create_lock.h crid/create_lock.cpp crid/crash_point.h crid/crash_point.cpp \
	crid/monitor/unix_socket.h crid/monitor/unix_socket.cpp

# Helpers crid starts, not for people: in $(libexecdir)/crid.
cridlibexecdir = $(libexecdir)/crid
cridlibexec_PROGRAMS = crid/crid-monitor crid/crid-pause

# One per container, so it is kept small: no gRPC, no crid library, and
# linked statically (fmt header-only, as Debian ships no libfmt.a) so that its
# resident set is the few pages it touches, not whole shared libraries.
# Its resident set is mostly text paged in (a few KiB of it dirty), so what is
# linked and where it lies counts: unused functions are dropped
# (--gc-sections), fmt leaves std::locale out (a fixed thousands separator,
# which the monitor never prints), and libstdc++'s verbose terminate handler
# with its demangler is replaced (crid/monitor/terminate.cpp).
crid_crid_monitor_CPPFLAGS = $(AM_CPPFLAGS) -DFMT_HEADER_ONLY -DFMT_STATIC_THOUSANDS_SEPARATOR="','"
crid_crid_monitor_CXXFLAGS = $(AM_CXXFLAGS) -ffunction-sections -fdata-sections
if ENABLE_SANITIZERS
# ASan cannot be linked statically: a sanitized monitor links like the rest.
crid_crid_monitor_LDFLAGS = $(AM_LDFLAGS) -Wl,--gc-sections
else
crid_crid_monitor_LDFLAGS = -static -Wl,--gc-sections
endif
crid_crid_monitor_SOURCES = crid/monitor/main.cpp crid/monitor/terminate.cpp \
	crid/monitor/options.h crid/monitor/options.cpp \
	crid/monitor/cri_log_writer.h crid/monitor/cri_log_writer.cpp \
	crid/monitor/runtime_create.h crid/monitor/runtime_create.cpp \
	crid/monitor/monitor_loop.h crid/monitor/monitor_loop.cpp \
	crid/monitor/control_socket.h crid/monitor/control_socket.cpp \
	crid/monitor/oom_counter.h crid/monitor/oom_counter.cpp \
	crid/monitor/resident_trim.h crid/monitor/resident_trim.cpp \
	crid/monitor/unix_socket.h crid/monitor/unix_socket.cpp \
	crid/exit_record.cpp crid/spawn.h crid/spawn.cpp \
	libcontainer/file_util.h libcontainer/file_util.cpp

# The sandbox's infra process: static, so it runs from an empty rootfs, and
# for that never sanitized (its own flags leave AM_CFLAGS' -fsanitize out).
crid_crid_pause_SOURCES = crid/infra/pause.c
crid_crid_pause_CFLAGS = -Wall
crid_crid_pause_LDFLAGS = -static

crid_unit_tests_SOURCES += tests/unit/crid_monitor_log_test.cpp \
	tests/unit/crid_monitor_exit_record_test.cpp \
	tests/unit/crid_monitor_client_test.cpp \
	crid/monitor/cri_log_writer.h crid/monitor/cri_log_writer.cpp \
	crid/monitor/oom_counter.h crid/monitor/oom_counter.cpp
endif
