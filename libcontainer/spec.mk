# libcontainer: spec part
libcontainer_libcontainer_a_SOURCES += \
	libcontainer/spec_parser.h \
	libcontainer/spec_parser.cpp \
	libcontainer/spec_default.cpp \
	libcontainer/spec_json.h \
	libcontainer/spec_json.cpp
berth_unit_tests_SOURCES += \
	tests/unit/spec_parser_test.cpp \
	tests/unit/spec_default_test.cpp
