# crid/hardening.mk: monitor health checks, and the fault-injection and leak
# tests (issue 10).
EXTRA_DIST += crid/hardening.mk tests/integration/crid_faults.bats tests/integration/crid_leaks.bats \
	tests/integration/fault_proxy.py tests/integration/registry_forward.py

if BUILD_CRID
crid_libcrid_a_SOURCES += crid/monitor_health.cpp
endif
