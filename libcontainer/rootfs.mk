# libcontainer: rootfs part
libcontainer_libcontainer_a_SOURCES += \
	libcontainer/rootfs.h libcontainer/rootfs.cpp \
	libcontainer/mount_options.h libcontainer/mount_options.cpp \
	libcontainer/mounts.h libcontainer/mounts.cpp \
	libcontainer/mountinfo.h libcontainer/mountinfo.cpp \
	libcontainer/cgroup_mount.h libcontainer/cgroup_mount.cpp \
	libcontainer/safe_path.h libcontainer/safe_path.cpp \
	libcontainer/devices.h libcontainer/devices.cpp \
	libcontainer/masked_paths.h libcontainer/masked_paths.cpp \
	libcontainer/sysctl.h libcontainer/sysctl.cpp

berth_unit_tests_SOURCES += \
	tests/unit/mount_options_test.cpp \
	tests/unit/safe_path_test.cpp \
	tests/unit/mountinfo_test.cpp \
	tests/unit/rootfs_test.cpp
