# crid/pods.mk: pod sandbox and container lifecycle in crid (RuntimeService),
# with restart recovery.
EXTRA_DIST += tests/integration/crid_helpers.bash tests/integration/crid_pods.bats \
	tests/integration/crid_containers.bats tests/integration/crid_recovery.bats \
	tests/integration/crid_network.bats

if BUILD_CRID
crid_libcrid_a_SOURCES += \
	crid/pod_records.h crid/pod_records.cpp \
	crid/pod_store.h crid/pod_store.cpp \
	crid/pod_errors.h crid/undo_stack.h \
	crid/pod_files.h crid/pod_files.cpp \
	crid/overlay_rootfs.h crid/overlay_rootfs.cpp \
	crid/oci_runtime.h crid/oci_runtime.cpp \
	crid/exit_wait.h crid/exit_wait.cpp \
	crid/exit_watcher.h crid/exit_watcher.cpp \
	crid/event_bus.h crid/event_bus.cpp \
	crid/list_filters.h crid/list_filters.cpp \
	crid/pod_manager.h crid/pod_manager.cpp \
	crid/sandbox_network.h crid/sandbox_network.cpp \
	crid/sandbox_run.cpp crid/sandbox_stop.cpp crid/sandbox_status.cpp \
	crid/container_create.cpp crid/container_lifecycle.cpp crid/container_status.cpp \
	crid/container_exit.cpp crid/recovery.cpp \
	crid/runtime_service_pods.cpp
crid_unit_tests_SOURCES += tests/unit/crid_pods_test.cpp tests/unit/crid_sandbox_network_test.cpp
endif
