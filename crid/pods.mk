# crid/pods.mk: pod sandbox and container lifecycle in crid (RuntimeService),
# with restart recovery.
EXTRA_DIST += tests/integration/crid_helpers.bash

if BUILD_CRID
endif
