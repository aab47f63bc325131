# netns/: pinned network namespaces, loopback through libmnl, CNI plugin invocation.
# A library of its own (no dependency on crid/), linked into crid.
if BUILD_CRID
noinst_LIBRARIES += netns/libnetns.a
# Sections for crid's --gc-sections (crid/local.mk).
netns_libnetns_a_CXXFLAGS = $(AM_CXXFLAGS) -ffunction-sections -fdata-sections
netns_libnetns_a_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)
netns_libnetns_a_SOURCES = \
	netns/netns.h netns/netns.cpp \
	netns/loopback.h netns/loopback.cpp \
	netns/plugin_exec.h netns/plugin_exec.cpp \
	netns/cni_config.h netns/cni_config.cpp \
	netns/cni_result.h netns/cni_result.cpp \
	netns/cni_invoke.h netns/cni_invoke.cpp \
	netns/cni_cache.h netns/cni_cache.cpp \
	netns/pod_network.h netns/pod_network.cpp

crid_libcrid_a_SOURCES += crid/pod_network_config.h

# crid's libraries come first in CRID_LIBS, so netns (and libmnl after it) follow them.
CRID_LIBS += netns/libnetns.a $(LIBMNL_LIBS) -lpthread

crid_unit_tests_SOURCES += \
	tests/unit/cni_config_test.cpp \
	tests/unit/cni_result_test.cpp \
	tests/unit/cni_invoke_test.cpp \
	tests/unit/netns_test.cpp

# Test-only driver of the library for tests/integration/netns_cni.bats; not installed.
check_PROGRAMS += tests/cni_tool
tests_cni_tool_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir)
tests_cni_tool_SOURCES = tests/cni_tool.cpp
tests_cni_tool_LDADD = netns/libnetns.a $(FMT_LIBS) $(LIBMNL_LIBS) -lpthread
endif
EXTRA_DIST += tests/integration/netns_cni.bats
