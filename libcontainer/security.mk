# libcontainer: security part
libcontainer_libcontainer_a_SOURCES +=
berth_unit_tests_SOURCES +=
