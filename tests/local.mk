if HAVE_GTEST
check_PROGRAMS += berth_unit_tests
TESTS += berth_unit_tests
endif
berth_unit_tests_SOURCES = tests/unit/main_test.cpp
berth_unit_tests_LDADD = $(BERTH_LIBS) -lgtest -lpthread

# The cgroup v2 and systemd tests in qemu guests, with the berth just built.
TESTS += tests/v2vm-check.sh
EXTRA_DIST += tests/v2vm-check.sh
clean-local: clean-v2vm-results
clean-v2vm-results:
	-rm -rf tests/v2vm-results
.PHONY: clean-v2vm-results
