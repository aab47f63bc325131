noinst_LIBRARIES += cgroups/libcgroups.a
cgroups_libcgroups_a_SOURCES = cgroups/manager.h \
	cgroups/sd_bus_dl.h cgroups/sd_bus_dl.cpp \
	cgroups/cgroupfs.h cgroups/cgroupfs.cpp \
	cgroups/paths.h cgroups/paths.cpp \
	cgroups/mode.cpp \
	cgroups/freezer.h cgroups/freezer.cpp \
	cgroups/manager.cpp \
	cgroups/v1_manager.h cgroups/v1_manager.cpp \
	cgroups/v2_manager.h cgroups/v2_manager.cpp \
	cgroups/convert.h cgroups/convert.cpp \
	cgroups/resource_write.h cgroups/resource_write.cpp \
	cgroups/device_rules.h cgroups/device_rules.cpp \
	cgroups/device_filter.h cgroups/device_filter.cpp \
	cgroups/devices_apply.h cgroups/devices_apply.cpp \
	cgroups/resources.h cgroups/resources_v1.cpp cgroups/resources_v2.cpp \
	cgroups/stats.h cgroups/stats.cpp \
	cgroups/oom_watch.h cgroups/oom_watch.cpp \
	cgroups/systemd_unit.h cgroups/systemd_unit.cpp \
	cgroups/systemd_bus.h cgroups/systemd_bus.cpp \
	cgroups/systemd_manager.h cgroups/systemd_manager.cpp
berth_unit_tests_SOURCES += \
	tests/unit/cgroup_paths_test.cpp \
	tests/unit/cgroup_manager_test.cpp \
	tests/unit/cgroup_resources_test.cpp \
	tests/unit/cgroup_systemd_test.cpp
# The systemd driver talks to systemd through sd-bus (optional: without it
# --systemd-cgroup reports that berth was built without libsystemd).
AM_CPPFLAGS += $(LIBSYSTEMD_CFLAGS)
# libsystemd is dlopen()ed by cgroups/sd_bus_dl.cpp, only under --systemd-cgroup.
