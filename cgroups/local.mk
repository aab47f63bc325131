noinst_LIBRARIES += cgroups/libcgroups.a
cgroups_libcgroups_a_SOURCES = cgroups/manager.h \
	cgroups/cgroupfs.h cgroups/cgroupfs.cpp \
	cgroups/paths.h cgroups/paths.cpp \
	cgroups/mode.cpp \
	cgroups/freezer.h cgroups/freezer.cpp \
	cgroups/manager.cpp \
	cgroups/v1_manager.h cgroups/v1_manager.cpp \
	cgroups/v2_manager.h cgroups/v2_manager.cpp
berth_unit_tests_SOURCES += \
	tests/unit/cgroup_paths_test.cpp \
	tests/unit/cgroup_manager_test.cpp
