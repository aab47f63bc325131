# crid/spec.mk: one part of crid, kept in its own fragment so parts grow apart.
# Appends to crid_libcrid_a_SOURCES, bin/libexec programs and crid_unit_tests_SOURCES.
EXTRA_DIST += contrib/seccomp-default.json
if BUILD_CRID
crid_libcrid_a_SOURCES += \
	crid/container_spec.h crid/container_spec.cpp \
	crid/sandbox_spec.cpp \
	crid/user_resolve.cpp \
	crid/resources_spec.cpp \
	crid/security_spec.h crid/security_spec.cpp \
	crid/mounts_spec.h crid/mounts_spec.cpp \
	crid/linux_spec.h crid/linux_spec.cpp

# The RuntimeDefault seccomp profile (CRID_DEFAULT_SECCOMP_PROFILE).
criddatadir = $(datadir)/crid
criddata_DATA = contrib/seccomp-default.json

crid_unit_tests_SOURCES += \
	tests/unit/crid_spec_fixture.h \
	tests/unit/crid_spec_container_test.cpp \
	tests/unit/crid_spec_sandbox_test.cpp \
	tests/unit/crid_spec_user_test.cpp \
	tests/unit/crid_spec_security_test.cpp
endif
