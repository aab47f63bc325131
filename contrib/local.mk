# Helper scripts shipped in the tarball, not installed.
dist_noinst_SCRIPTS = contrib/quickstart.sh contrib/make-busybox-bundle.sh
EXTRA_DIST += .ci/run tests/run-all.sh tests/README \
	tests/integration/helpers.bash tests/integration/recvtty.py \
	tests/integration/lifecycle.bats tests/integration/config_errors.bats \
	tests/integration/namespaces.bats tests/integration/mounts.bats \
	tests/integration/dev.bats tests/integration/process.bats \
	tests/integration/terminal.bats tests/integration/podman.bats \
	tests/integration/cgroups_basic.bats

# `make bench` measures berth against crun and runc (tests/bench/run.sh), crid
# against containerd (tests/bench/crid_bench.sh), and
# rewrites docs/performance.md; it needs root and is not part of `make check`.
bench:
	$(top_srcdir)/tests/bench/run.sh --output $(top_srcdir)/docs/performance.md
	$(top_srcdir)/tests/bench/crid_bench.sh --output $(top_srcdir)/docs/performance.md
.PHONY: bench
EXTRA_DIST += tests/bench/run.sh docs/performance.md
EXTRA_DIST += tests/bench/crid_bench.sh tests/bench/cri_bench_driver.py
