noinst_LIBRARIES += cgroups/libcgroups.a
cgroups_libcgroups_a_SOURCES = cgroups/manager.h
berth_unit_tests_SOURCES +=
