# crid/monitor.mk: one part of crid, kept in its own fragment so parts grow apart.
# Appends to crid_libcrid_a_SOURCES, bin/libexec programs and crid_unit_tests_SOURCES.
if BUILD_CRID
endif
