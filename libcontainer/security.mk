# libcontainer: security part
libcontainer_libcontainer_a_SOURCES += \
	libcontainer/capabilities.h \
	libcontainer/capabilities.cpp \
	libcontainer/rlimits.h \
	libcontainer/rlimits.cpp \
	libcontainer/seccomp.h \
	libcontainer/seccomp.cpp \
	libcontainer/seccomp_tables.cpp
berth_unit_tests_SOURCES += \
	tests/unit/security_fork.h \
	tests/unit/capabilities_test.cpp \
	tests/unit/rlimits_test.cpp \
	tests/unit/seccomp_test.cpp
libcontainer_libcontainer_a_SOURCES += \
	libcontainer/hooks.h \
	libcontainer/hooks.cpp \
	libcontainer/hook_points.h \
	libcontainer/hook_points.cpp \
	libcontainer/process_attrs.h \
	libcontainer/process_attrs.cpp \
	libcontainer/seccomp_notify.h \
	libcontainer/seccomp_notify.cpp
berth_unit_tests_SOURCES += \
	tests/unit/hooks_test.cpp \
	tests/unit/process_attrs_test.cpp
libcontainer_libcontainer_a_SOURCES += \
	libcontainer/lsm.h \
	libcontainer/lsm.cpp \
	libcontainer/selinux_label.h \
	libcontainer/selinux_label.cpp \
	libcontainer/intel_rdt.h \
	libcontainer/intel_rdt.cpp
berth_unit_tests_SOURCES += \
	tests/unit/intel_rdt_test.cpp \
	tests/unit/selinux_label_test.cpp
libcontainer_libcontainer_a_SOURCES += \
	libcontainer/net_devices.h \
	libcontainer/net_devices.cpp
berth_unit_tests_SOURCES += \
	tests/unit/net_devices_test.cpp
# Makefile.am's BERTH_LIBS is recursively expanded, so this reaches both
# berth_LDADD and berth_unit_tests_LDADD (libmnl after libcontainer.a).
AM_CPPFLAGS += $(LIBMNL_CFLAGS)
BERTH_LIBS += $(LIBMNL_LIBS)
libcontainer_libcontainer_a_SOURCES += \
	libcontainer/sha256.h \
	libcontainer/sha256.cpp \
	libcontainer/seccomp_cache.h \
	libcontainer/seccomp_cache.cpp
berth_unit_tests_SOURCES += \
	tests/unit/sha256_test.cpp \
	tests/unit/seccomp_cache_test.cpp
