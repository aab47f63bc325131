noinst_LIBRARIES += libcontainer/libcontainer.a
libcontainer_libcontainer_a_SOURCES = \
	libcontainer/result.h \
	libcontainer/fd.h \
	libcontainer/scope_exit.h \
	libcontainer/spec.h \
	libcontainer/file_util.h libcontainer/file_util.cpp \
	libcontainer/proc_info.h libcontainer/proc_info.cpp \
	libcontainer/state.h libcontainer/state.cpp \
	libcontainer/sync.h libcontainer/sync.cpp \
	libcontainer/namespaces.h libcontainer/namespaces.cpp \
	libcontainer/console.h libcontainer/console.cpp \
	libcontainer/signals.h libcontainer/signals.cpp \
	libcontainer/log.h libcontainer/log.cpp \
	libcontainer/init.h libcontainer/init.cpp \
	libcontainer/container.h libcontainer/container.cpp

berth_unit_tests_SOURCES += \
	tests/unit/proc_info_test.cpp \
	tests/unit/signals_test.cpp \
	tests/unit/state_test.cpp

libcontainer_libcontainer_a_SOURCES += \
	libcontainer/exec.h libcontainer/exec.cpp \
	libcontainer/features.h libcontainer/features.cpp \
	libcontainer/rootless.h libcontainer/rootless.cpp

berth_unit_tests_SOURCES += tests/unit/exec_test.cpp

libcontainer_libcontainer_a_SOURCES += \
	libcontainer/criu.h libcontainer/criu.cpp \
	libcontainer/checkpoint.h libcontainer/checkpoint.cpp

berth_unit_tests_SOURCES += tests/unit/criu_test.cpp

libcontainer_libcontainer_a_SOURCES += libcontainer/idmap_mount.h libcontainer/idmap_mount.cpp
libcontainer_libcontainer_a_SOURCES += libcontainer/idmap_trees.h libcontainer/idmap_trees.cpp

libcontainer_libcontainer_a_SOURCES += libcontainer/intel_rdt_update.h libcontainer/intel_rdt_update.cpp
berth_unit_tests_SOURCES += tests/unit/intel_rdt_update_test.cpp
