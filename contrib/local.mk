# Helper scripts shipped in the tarball, not installed.
dist_noinst_SCRIPTS = contrib/quickstart.sh contrib/make-busybox-bundle.sh
EXTRA_DIST += .ci/run tests/run-all.sh tests/README \
	tests/integration/helpers.bash tests/integration/recvtty.py \
	tests/integration/lifecycle.bats tests/integration/config_errors.bats \
	tests/integration/namespaces.bats tests/integration/mounts.bats \
	tests/integration/dev.bats tests/integration/process.bats \
	tests/integration/terminal.bats tests/integration/podman.bats \
	tests/integration/cgroups_basic.bats
