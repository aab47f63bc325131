# libcontainer: security part
libcontainer_libcontainer_a_SOURCES += \
	libcontainer/rlimits.h \
	libcontainer/rlimits.cpp
berth_unit_tests_SOURCES += \
	tests/unit/security_fork.h \
	tests/unit/rlimits_test.cpp
