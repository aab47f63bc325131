if HAVE_GTEST
check_PROGRAMS += berth_unit_tests
TESTS += berth_unit_tests
endif
berth_unit_tests_SOURCES = tests/unit/main_test.cpp
berth_unit_tests_LDADD = $(BERTH_LIBS) -lgtest -lpthread
