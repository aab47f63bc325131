# crid/extras.mk: one part of crid, kept in its own fragment so parts grow apart.
# Appends to crid_libcrid_a_SOURCES, bin/libexec programs and crid_unit_tests_SOURCES.
EXTRA_DIST += tests/integration/crid_exec_stats.bats tests/integration/cri_call.py \
	tests/integration/crid_cridctl.bats

if BUILD_CRID
crid_libcrid_a_SOURCES += crid/runtime_target.h \
	crid/exec_sync.h crid/exec_sync.cpp \
	crid/container_stats.h crid/container_stats.cpp \
	crid/update_resources.h crid/update_resources.cpp \
	crid/log_reopen.h crid/log_reopen.cpp \
	crid/container_extras.h crid/container_extras.cpp \
	crid/runtime_service_extras.cpp \
	crid/leftover_processes.h crid/leftover_processes.cpp
crid_unit_tests_SOURCES += tests/unit/crid_stats_test.cpp tests/unit/crid_exec_sync_test.cpp \
	tests/unit/crid_leftover_processes_test.cpp
endif
