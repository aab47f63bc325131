noinst_LIBRARIES += cgroups/libcgroups.a
cgroups_libcgroups_a_SOURCES =
