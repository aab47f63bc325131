# cridctl: the CRI command line (crictl-like), a plain gRPC client of crid.
# Sources in crid/ctl/ (a crid/cridctl/ folder would collide with the program
# built as crid/cridctl). Everything but main.cpp is in a small library the
# unit tests link too.
EXTRA_DIST += tests/integration/cridctl_pods.bats
if BUILD_CRID
noinst_LIBRARIES += crid/libcridctl.a
crid_libcridctl_a_CPPFLAGS = $(CRID_CPPFLAGS) $(GRPC_CFLAGS)
crid_libcridctl_a_SOURCES = \
	crid/ctl/cli_args.h crid/ctl/cli_args.cpp \
	crid/ctl/output.h crid/ctl/output.cpp \
	crid/ctl/id_match.h crid/ctl/id_match.cpp \
	crid/ctl/log_line.h crid/ctl/log_line.cpp \
	crid/ctl/log_since.h crid/ctl/log_since.cpp \
	crid/ctl/config_file.h crid/ctl/config_file.cpp \
	crid/ctl/list_filter.h \
	crid/ctl/rpc.h crid/ctl/rpc.cpp \
	crid/ctl/command_support.h crid/ctl/command_support.cpp \
	crid/ctl/status_output.h crid/ctl/status_output.cpp \
	crid/ctl/commands.h crid/ctl/command_table.cpp \
	crid/ctl/image_commands.cpp \
	crid/ctl/pod_commands.cpp \
	crid/ctl/container_commands.cpp \
	crid/ctl/logs_command.cpp \
	crid/ctl/exec_command.cpp \
	crid/ctl/stats_commands.cpp \
	crid/ctl/terminal.h crid/ctl/terminal.cpp \
	crid/ctl/stream_commands.cpp

bin_PROGRAMS += crid/cridctl
crid_cridctl_CPPFLAGS = $(CRID_CPPFLAGS) $(GRPC_CFLAGS)
crid_cridctl_SOURCES = crid/ctl/main.cpp
# crid's library for the streaming clients (crid/streaming/client.h).
crid_cridctl_LDADD = crid/libcridctl.a crid/libcriapi_grpc.a $(CRID_LIBS) $(GRPC_LIBS) -lpthread

# Linked before $(CRID_LIBS) again: libcridctl.a needs libcriapi.a and fmt.
crid_unit_tests_SOURCES += tests/unit/cridctl_output_test.cpp tests/unit/cridctl_args_test.cpp \
	tests/unit/cridctl_log_line_test.cpp tests/unit/cridctl_config_file_test.cpp
crid_unit_tests_LDADD += crid/libcridctl.a crid/libcriapi_grpc.a $(CRID_LIBS) $(GRPC_LIBS)
endif
