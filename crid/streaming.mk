# crid/streaming.mk: crid's streaming server (exec, attach, port-forward over
# SPDY/3.1 and WebSocket), its clients, and the test programs that drive them.
EXTRA_DIST += tests/integration/crid_streaming.bats tests/integration/ws_exec.py tests/integration/ws_portforward.py \
	tests/integration/crid_stream_rpc.bats tests/integration/crid_stream_tls.bats
if BUILD_CRID
crid_libcrid_a_SOURCES += \
	crid/streaming/stream_request.h \
	crid/streaming/token_store.h crid/streaming/token_store.cpp \
	crid/streaming/spdy_frame.h crid/streaming/spdy_frame.cpp \
	crid/streaming/spdy_session.h crid/streaming/spdy_session.cpp \
	crid/streaming/websocket_frame.h crid/streaming/websocket_frame.cpp \
	crid/streaming/websocket_conn.h crid/streaming/websocket_conn.cpp \
	crid/streaming/http_message.h crid/streaming/http_message.cpp \
	crid/streaming/status_json.h crid/streaming/status_json.cpp \
	crid/streaming/resize_queue.h crid/streaming/resize_queue.cpp \
	crid/streaming/relay.h crid/streaming/relay.cpp \
	crid/streaming/backend.h \
	crid/streaming/attach_protocol.h crid/streaming/attach_protocol.cpp \
	crid/streaming/runtime_backend.h crid/streaming/runtime_backend.cpp \
	crid/streaming/exec_process.h crid/streaming/exec_process.cpp \
	crid/streaming/remote_command_server.h crid/streaming/remote_command_server.cpp \
	crid/streaming/server.h crid/streaming/server.cpp \
	crid/streaming/idle_watch.h crid/streaming/idle_watch.cpp \
	crid/streaming/port_forward_ws.h crid/streaming/port_forward_ws.cpp \
	crid/streaming/client.h crid/streaming/client_connect.cpp \
	crid/streaming/client_spdy.cpp crid/streaming/client_websocket.cpp \
	crid/streaming/tls.h crid/streaming/tls_context.cpp crid/streaming/tls_relay.cpp \
	crid/streaming/libssl.h crid/streaming/libssl.cpp \
	crid/stream_backend.h crid/stream_backend.cpp \
	crid/container_events.h crid/container_events.cpp \
	crid/runtime_service_streaming.cpp
# SPDY header blocks are zlib streams; SHA-1 for the WebSocket handshake comes
# from nettle, already in CRID_LIBS through the image library. TLS
# (stream_enable_tls) from libssl, loaded when first needed
# (crid/streaming/libssl.h): OpenSSL's headers only here.
CRID_LIBS += $(ZLIB_LIBS)
CRID_CPPFLAGS += $(ZLIB_CFLAGS) $(OPENSSL_CFLAGS)

crid_unit_tests_SOURCES += \
	tests/unit/crid_streaming_spdy_test.cpp \
	tests/unit/crid_streaming_websocket_test.cpp \
	tests/unit/crid_streaming_token_test.cpp \
	tests/unit/crid_streaming_status_test.cpp \
	tests/unit/crid_streaming_exec_process_test.cpp \
	tests/unit/crid_streaming_server_test.cpp \
	tests/unit/crid_streaming_port_forward_ws_test.cpp \
	tests/unit/crid_container_events_test.cpp

# Test-only programs (never installed): a client speaking each protocol, and
# a server over the runtime backend until crid serves streams itself.
check_PROGRAMS += tests/stream_tool tests/stream_server_tool
tests_stream_tool_CPPFLAGS = $(CRID_CPPFLAGS)
tests_stream_tool_SOURCES = tests/stream_tool.cpp
tests_stream_tool_LDADD = $(CRID_LIBS)
tests_stream_server_tool_CPPFLAGS = $(CRID_CPPFLAGS)
tests_stream_server_tool_SOURCES = tests/stream_server_tool.cpp
tests_stream_server_tool_LDADD = $(CRID_LIBS)
endif

# GetContainerEvents throughput and latency (built by make check, never run by it):
#   make bench-events [BENCH_EVENTS_ARGS="--rate 10000 --seconds 5"]
if BUILD_CRID
check_PROGRAMS += tests/bench/events_bench tests/bench/events_client
tests_bench_events_bench_CPPFLAGS = $(CRID_CPPFLAGS)
tests_bench_events_bench_SOURCES = tests/bench/events_bench.cpp tests/bench/wall_clock.h
tests_bench_events_bench_LDADD = $(CRID_LIBS)
tests_bench_events_client_CPPFLAGS = $(CRID_CPPFLAGS) $(GRPC_CFLAGS)
tests_bench_events_client_SOURCES = tests/bench/events_client.cpp tests/bench/wall_clock.h
tests_bench_events_client_LDADD = crid/libcriapi_grpc.a crid/libcriapi.a $(GRPC_LIBS) $(PROTOBUF_LIBS)
endif
BENCH_EVENTS_ARGS = --rate 10000 --seconds 5
bench-events: tests/bench/events_bench$(EXEEXT) tests/bench/events_client$(EXEEXT)
	tests/bench/events_bench$(EXEEXT) $(BENCH_EVENTS_ARGS)
.PHONY: bench-events
