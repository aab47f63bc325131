# crid's PullProgress extension (crid/proto/pull_progress.proto): served by
# crid beside CRI, used by `cridctl pull` to show each layer's progress.
EXTRA_DIST += crid/proto/pull_progress.proto tests/integration/crid_images.bats tests/integration/token_auth_proxy.py
if BUILD_CRID
PULL_PROGRESS_GEN = crid/proto/pull_progress.pb.h crid/proto/pull_progress.pb.cc \
	crid/proto/pull_progress.grpc.pb.h crid/proto/pull_progress.grpc.pb.cc
BUILT_SOURCES += $(PULL_PROGRESS_GEN)
CLEANFILES += $(PULL_PROGRESS_GEN) crid/proto/pull_progress.stamp

crid/proto/pull_progress.stamp: $(srcdir)/crid/proto/pull_progress.proto $(srcdir)/crid/proto/api.proto
	$(AM_V_GEN)$(MKDIR_P) crid/proto && \
	$(PROTOC) -I$(srcdir)/crid/proto --cpp_out=crid/proto --grpc_out=crid/proto \
		--plugin=protoc-gen-grpc=$(GRPC_CPP_PLUGIN) $(srcdir)/crid/proto/pull_progress.proto && \
	touch $@
$(PULL_PROGRESS_GEN): crid/proto/pull_progress.stamp
	@:

nodist_crid_libcriapi_a_SOURCES += crid/proto/pull_progress.pb.h crid/proto/pull_progress.pb.cc
nodist_crid_libcriapi_grpc_a_SOURCES += crid/proto/pull_progress.grpc.pb.h crid/proto/pull_progress.grpc.pb.cc
crid_libcrid_a_SOURCES += crid/pull_progress_api.h crid/pull_progress_service.h crid/pull_progress_service.cpp
crid_libcridctl_a_SOURCES += crid/ctl/pull_progress_view.h crid/ctl/pull_progress_view.cpp
crid_unit_tests_SOURCES += tests/unit/cridctl_pull_progress_view_test.cpp
endif
