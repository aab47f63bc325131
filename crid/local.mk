# crid/: the CRI daemon and cridctl (built when BUILD_CRID)
EXTRA_DIST += crid/proto/api.proto tests/integration/crid.bats \
	contrib/crid.conf contrib/systemd/crid.service contrib/systemd/crid.socket

if BUILD_CRID
# CRI's runtime.v1 protocol, generated at build time with Debian's protoc and
# grpc_cpp_plugin into the build tree. One stamp for the four outputs, so a
# parallel make runs protoc once.
CRID_PROTO_GEN = crid/proto/api.pb.h crid/proto/api.pb.cc \
	crid/proto/api.grpc.pb.h crid/proto/api.grpc.pb.cc
BUILT_SOURCES = $(CRID_PROTO_GEN)
CLEANFILES = $(CRID_PROTO_GEN) crid/proto/api.stamp

crid/proto/api.stamp: $(srcdir)/crid/proto/api.proto
	$(AM_V_GEN)$(MKDIR_P) crid/proto && \
	$(PROTOC) -I$(srcdir)/crid/proto --cpp_out=crid/proto --grpc_out=crid/proto \
		--plugin=protoc-gen-grpc=$(GRPC_CPP_PLUGIN) $(srcdir)/crid/proto/api.proto && \
	touch $@
$(CRID_PROTO_GEN): crid/proto/api.stamp
	@:

CRID_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_builddir) $(PROTOBUF_CFLAGS) $(NGHTTP2_CFLAGS) $(SQLITE3_CFLAGS) $(TOMLPLUSPLUS_CFLAGS) \
	$(LIBSYSTEMD_CFLAGS) \
	-DCRID_DEFAULT_RUNTIME='"$(bindir)/berth"' \
	-DCRID_DEFAULT_CONFIG='"$(sysconfdir)/crid/crid.conf"' \
	-DCRID_DEFAULT_MONITOR='"$(libexecdir)/crid/crid-monitor"' \
	-DCRID_DEFAULT_INFRA='"$(libexecdir)/crid/crid-pause"' \
	-DCRID_DEFAULT_PULL_HELPER='"$(libexecdir)/crid/crid-pull"' \
	-DCRID_DEFAULT_SECCOMP_PROFILE='"$(datadir)/crid/seccomp-default.json"'

# crid stays resident on every node: each function and datum of its own
# libraries in a section of its own, and the linker drops those crid never
# reaches (generated message code, the parts of images/ and netns/ that only
# other programs use). Text 5.1 -> 3.5 MB, RSS after a pod cycle -0.8 MiB
# (docs/performance.md). berth's library keeps its layout (configure, "berth layout").
CRID_SECTIONS = -ffunction-sections -fdata-sections

# The generated code compiles slowly: once, into libraries both programs
# share. The messages in libcriapi.a; the gRPC client stubs, which only
# cridctl uses (crid serves through crid/rpc/), in libcriapi_grpc.a.
noinst_LIBRARIES += crid/libcriapi.a crid/libcriapi_grpc.a
nodist_crid_libcriapi_a_SOURCES = crid/proto/api.pb.h crid/proto/api.pb.cc
crid_libcriapi_a_CPPFLAGS = -I$(top_builddir)/crid/proto $(PROTOBUF_CFLAGS)
crid_libcriapi_a_CXXFLAGS = $(AM_CXXFLAGS) -Wno-unused-parameter $(CRID_SECTIONS)
nodist_crid_libcriapi_grpc_a_SOURCES = crid/proto/api.grpc.pb.h crid/proto/api.grpc.pb.cc
crid_libcriapi_grpc_a_CPPFLAGS = -I$(top_builddir)/crid/proto $(GRPC_CFLAGS)
crid_libcriapi_grpc_a_CXXFLAGS = $(AM_CXXFLAGS) -Wno-unused-parameter

noinst_LIBRARIES += crid/libcrid.a
crid_libcrid_a_CXXFLAGS = $(AM_CXXFLAGS) $(CRID_SECTIONS)
crid_libcrid_a_CPPFLAGS = $(CRID_CPPFLAGS)
crid_libcrid_a_SOURCES = \
	crid/cri_api.h \
	crid/log.h crid/log.cpp \
	crid/config.h crid/config.cpp \
	crid/metadata_store.h crid/metadata_store.cpp \
	crid/listener.h crid/listener.cpp \
	crid/rpc/status.h crid/rpc/call.h crid/rpc/methods.h \
	crid/rpc/wire.h crid/rpc/wire.cpp \
	crid/rpc/server.h crid/rpc/server.cpp \
	crid/service_methods.h crid/service_methods.cpp \
	crid/sd_daemon.h crid/sd_daemon.cpp \
	crid/runtime_service.h crid/runtime_service.cpp \
	crid/image_service.h crid/image_service.cpp \
	crid/grpc_status.h crid/grpc_status.cpp \
	crid/spawn.h crid/spawn.cpp \
	crid/pull_helper.h crid/pull_helper.cpp

# The image store's bookkeeping only: pulls run in crid-pull (crid/pull.mk).
CRID_LIBS = crid/libcrid.a crid/libcriapi.a $(IMAGES_CORE_LIBS) $(BERTH_LIBS) $(PROTOBUF_LIBS) $(NGHTTP2_LIBS) \
	$(SQLITE3_LIBS) $(TOMLPLUSPLUS_LIBS) -lpthread

# Built as crid/crid and crid/cridctl (a program named crid would collide with
# the crid/ directory of the build tree); installed as crid and cridctl.
bin_PROGRAMS += crid/crid
crid_crid_CPPFLAGS = $(CRID_CPPFLAGS)
crid_crid_SOURCES = crid/main.cpp
crid_crid_LDFLAGS = $(AM_LDFLAGS) $(RELR_LDFLAGS) -Wl,--gc-sections
crid_crid_LDADD = $(CRID_LIBS)

if HAVE_GTEST
check_PROGRAMS += crid_unit_tests
TESTS += crid_unit_tests
endif
# The source tree, for fixtures the tests read (an absolute path: __FILE__
# is relative when ccache rewrites paths under CCACHE_BASEDIR).
crid_unit_tests_CPPFLAGS = $(CRID_CPPFLAGS) $(GRPC_CFLAGS) -DBERTH_TEST_SOURCE_ROOT='"$(abs_top_srcdir)"'
crid_unit_tests_SOURCES = tests/unit/main_test.cpp \
	tests/unit/crid_config_test.cpp \
	tests/unit/crid_metadata_store_test.cpp \
	tests/unit/crid_sd_daemon_test.cpp \
	tests/unit/crid_image_service_test.cpp \
	tests/unit/crid_spawn_test.cpp \
	tests/unit/crid_rpc_wire_test.cpp \
	tests/unit/crid_rpc_server_test.cpp
crid_unit_tests_LDADD = $(CRID_LIBS) -lgtest
endif
