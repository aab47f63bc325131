# fuzz/: libFuzzer targets, one per parser of untrusted input.
#  - `make fuzz` (a tree configured with --enable-fuzzing and clang) runs each
#    target for FUZZ_SECONDS over its seeds in fuzz/corpus/<target>/ and fails
#    on any crash, leak or sanitizer report; findings land in fuzz/crashes/.
#  - `make check` (any compiler) replays the seeds and fuzz/regressions/<target>/
#    (inputs that once crashed) through the same entry points (fuzz/replay_main.cpp).
FUZZ_SECONDS = 35
FUZZ_TARGETS =
FUZZ_REPLAYS =
# libFuzzer's main() comes with -fsanitize=fuzzer; every other program links without it.
FUZZER_LINK_FLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
EXTRA_DIST += fuzz/replay_main.cpp fuzz/run-fuzzers.sh fuzz/replay-regressions.sh \
	fuzz/corpus fuzz/regressions tests/sanitizers.sh tests/sanitizer-env.sh tests/lsan.supp
TESTS += fuzz/replay-regressions.sh

FUZZ_TARGETS += fuzz/fuzz_spec fuzz/fuzz_state
FUZZ_REPLAYS += fuzz/replay_spec fuzz/replay_state
fuzz_fuzz_spec_SOURCES = fuzz/fuzz_spec.cpp
fuzz_fuzz_spec_LDFLAGS = $(FUZZER_LINK_FLAGS)
fuzz_fuzz_spec_LDADD = $(BERTH_LIBS)
fuzz_replay_spec_SOURCES = fuzz/fuzz_spec.cpp fuzz/replay_main.cpp
fuzz_replay_spec_LDADD = $(BERTH_LIBS)
fuzz_fuzz_state_SOURCES = fuzz/fuzz_state.cpp
fuzz_fuzz_state_LDFLAGS = $(FUZZER_LINK_FLAGS)
fuzz_fuzz_state_LDADD = $(BERTH_LIBS)
fuzz_replay_state_SOURCES = fuzz/fuzz_state.cpp fuzz/replay_main.cpp
fuzz_replay_state_LDADD = $(BERTH_LIBS)

if BUILD_IMAGES
FUZZ_TARGETS += fuzz/fuzz_manifest fuzz/fuzz_image_record fuzz/fuzz_reference \
	fuzz/fuzz_auth_challenge fuzz/fuzz_layer_unpack
FUZZ_REPLAYS += fuzz/replay_manifest fuzz/replay_image_record fuzz/replay_reference \
	fuzz/replay_auth_challenge fuzz/replay_layer_unpack
fuzz_fuzz_manifest_SOURCES = fuzz/fuzz_manifest.cpp
fuzz_fuzz_manifest_LDFLAGS = $(FUZZER_LINK_FLAGS)
fuzz_fuzz_manifest_LDADD = $(IMAGES_LIBS)
fuzz_replay_manifest_SOURCES = fuzz/fuzz_manifest.cpp fuzz/replay_main.cpp
fuzz_replay_manifest_LDADD = $(IMAGES_LIBS)
fuzz_fuzz_image_record_SOURCES = fuzz/fuzz_image_record.cpp
fuzz_fuzz_image_record_LDFLAGS = $(FUZZER_LINK_FLAGS)
fuzz_fuzz_image_record_LDADD = $(IMAGES_LIBS)
fuzz_replay_image_record_SOURCES = fuzz/fuzz_image_record.cpp fuzz/replay_main.cpp
fuzz_replay_image_record_LDADD = $(IMAGES_LIBS)
fuzz_fuzz_reference_SOURCES = fuzz/fuzz_reference.cpp
fuzz_fuzz_reference_LDFLAGS = $(FUZZER_LINK_FLAGS)
fuzz_fuzz_reference_LDADD = $(IMAGES_LIBS)
fuzz_replay_reference_SOURCES = fuzz/fuzz_reference.cpp fuzz/replay_main.cpp
fuzz_replay_reference_LDADD = $(IMAGES_LIBS)
fuzz_fuzz_auth_challenge_SOURCES = fuzz/fuzz_auth_challenge.cpp
fuzz_fuzz_auth_challenge_LDFLAGS = $(FUZZER_LINK_FLAGS)
fuzz_fuzz_auth_challenge_LDADD = $(IMAGES_LIBS)
fuzz_replay_auth_challenge_SOURCES = fuzz/fuzz_auth_challenge.cpp fuzz/replay_main.cpp
fuzz_replay_auth_challenge_LDADD = $(IMAGES_LIBS)
fuzz_fuzz_layer_unpack_SOURCES = fuzz/fuzz_layer_unpack.cpp
fuzz_fuzz_layer_unpack_LDFLAGS = $(FUZZER_LINK_FLAGS)
fuzz_fuzz_layer_unpack_LDADD = $(IMAGES_LIBS) -lpthread
fuzz_replay_layer_unpack_SOURCES = fuzz/fuzz_layer_unpack.cpp fuzz/replay_main.cpp
fuzz_replay_layer_unpack_LDADD = $(IMAGES_LIBS) -lpthread
endif

if BUILD_CRID
FUZZ_TARGETS += fuzz/fuzz_crid_config
FUZZ_REPLAYS += fuzz/replay_crid_config
fuzz_fuzz_crid_config_SOURCES = fuzz/fuzz_crid_config.cpp
fuzz_fuzz_crid_config_LDFLAGS = $(FUZZER_LINK_FLAGS)
fuzz_fuzz_crid_config_LDADD = $(CRID_LIBS)
fuzz_replay_crid_config_SOURCES = fuzz/fuzz_crid_config.cpp fuzz/replay_main.cpp
fuzz_replay_crid_config_LDADD = $(CRID_LIBS)

# The streaming server's frame readers and the CNI result reader need only
# their own files (and zlib, nlohmann-json), so a fuzzing tree builds them
# without crid's gRPC code; the CRI translation needs the generated messages.
FUZZ_STREAM_FRAME_SOURCES = crid/streaming/spdy_frame.cpp crid/streaming/websocket_frame.cpp
FUZZ_STREAM_FRAME_LIBS = $(BERTH_LIBS) $(ZLIB_LIBS) $(NETTLE_LIBS)
FUZZ_TARGETS += fuzz/fuzz_spdy_frame fuzz/fuzz_websocket_frame fuzz/fuzz_cni_result fuzz/fuzz_cri_spec
FUZZ_REPLAYS += fuzz/replay_spdy_frame fuzz/replay_websocket_frame fuzz/replay_cni_result fuzz/replay_cri_spec
fuzz_fuzz_spdy_frame_SOURCES = fuzz/fuzz_spdy_frame.cpp $(FUZZ_STREAM_FRAME_SOURCES)
fuzz_fuzz_spdy_frame_LDFLAGS = $(FUZZER_LINK_FLAGS)
fuzz_fuzz_spdy_frame_LDADD = $(FUZZ_STREAM_FRAME_LIBS)
fuzz_replay_spdy_frame_SOURCES = fuzz/fuzz_spdy_frame.cpp fuzz/replay_main.cpp $(FUZZ_STREAM_FRAME_SOURCES)
fuzz_replay_spdy_frame_LDADD = $(FUZZ_STREAM_FRAME_LIBS)
fuzz_fuzz_websocket_frame_SOURCES = fuzz/fuzz_websocket_frame.cpp $(FUZZ_STREAM_FRAME_SOURCES)
fuzz_fuzz_websocket_frame_LDFLAGS = $(FUZZER_LINK_FLAGS)
fuzz_fuzz_websocket_frame_LDADD = $(FUZZ_STREAM_FRAME_LIBS)
fuzz_replay_websocket_frame_SOURCES = fuzz/fuzz_websocket_frame.cpp fuzz/replay_main.cpp $(FUZZ_STREAM_FRAME_SOURCES)
fuzz_replay_websocket_frame_LDADD = $(FUZZ_STREAM_FRAME_LIBS)
fuzz_fuzz_cni_result_SOURCES = fuzz/fuzz_cni_result.cpp netns/cni_result.cpp
fuzz_fuzz_cni_result_LDFLAGS = $(FUZZER_LINK_FLAGS)
fuzz_fuzz_cni_result_LDADD = $(BERTH_LIBS)
fuzz_replay_cni_result_SOURCES = fuzz/fuzz_cni_result.cpp fuzz/replay_main.cpp netns/cni_result.cpp
fuzz_replay_cni_result_LDADD = $(BERTH_LIBS)
# gRPC's framing and headers as crid's server reads them: wire.cpp alone.
FUZZ_TARGETS += fuzz/fuzz_grpc_wire
FUZZ_REPLAYS += fuzz/replay_grpc_wire
fuzz_fuzz_grpc_wire_SOURCES = fuzz/fuzz_grpc_wire.cpp crid/rpc/wire.cpp
fuzz_fuzz_grpc_wire_LDFLAGS = $(FUZZER_LINK_FLAGS)
fuzz_fuzz_grpc_wire_LDADD = $(BERTH_LIBS)
fuzz_replay_grpc_wire_SOURCES = fuzz/fuzz_grpc_wire.cpp fuzz/replay_main.cpp crid/rpc/wire.cpp
fuzz_replay_grpc_wire_LDADD = $(BERTH_LIBS)
fuzz_fuzz_cri_spec_CPPFLAGS = $(CRID_CPPFLAGS)
fuzz_fuzz_cri_spec_SOURCES = fuzz/fuzz_cri_spec.cpp
fuzz_fuzz_cri_spec_LDFLAGS = $(FUZZER_LINK_FLAGS)
fuzz_fuzz_cri_spec_LDADD = $(CRID_LIBS)
fuzz_replay_cri_spec_CPPFLAGS = $(CRID_CPPFLAGS)
fuzz_replay_cri_spec_SOURCES = fuzz/fuzz_cri_spec.cpp fuzz/replay_main.cpp
fuzz_replay_cri_spec_LDADD = $(CRID_LIBS)
endif

check_PROGRAMS += $(FUZZ_REPLAYS)

if ENABLE_FUZZING
EXTRA_PROGRAMS = $(FUZZ_TARGETS)
fuzz: $(BUILT_SOURCES)
	$(MAKE) $(AM_MAKEFLAGS) $(FUZZ_TARGETS)
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(SHELL) $(srcdir)/fuzz/run-fuzzers.sh $(srcdir) $(FUZZ_TARGETS)
else
fuzz:
	@echo "make fuzz needs a tree configured with --enable-fuzzing and clang (CXX=clang++-19 CC=clang-19)"; exit 1
endif
.PHONY: fuzz clean-fuzz
clean-local: clean-fuzz
clean-fuzz:
	-rm -rf fuzz/work fuzz/crashes $(FUZZ_TARGETS)
