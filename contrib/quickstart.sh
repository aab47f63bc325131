#!/bin/bash
# One command from a fresh Debian 12 checkout to a working berth.
#
#   sudo contrib/quickstart.sh demo   install build dependencies, build, install,
#                                     and run a busybox container
#   sudo contrib/quickstart.sh test   install, build, install, then run the unit
#                                     tests and the integration tests; the last
#                                     line is "N passed, M failed, K skipped"
#
# Needs root (apt-get, make install, containers). Runs unattended (CI=true,
# no standard input).
set -euo pipefail

usage() {
	echo "usage: $0 demo|test" >&2
	exit 2
}

[ $# -eq 1 ] || usage
mode="$1"
case "$mode" in demo|test) ;; *) usage ;; esac

if [ "$(id -u)" -ne 0 ]; then
	echo "$0: run as root (sudo $0 $mode): it installs packages and runs containers" >&2
	exit 1
fi

cd "$(dirname "$0")/.."

# Build tools and libraries, then what the tests and the demo run:
# reference runtimes, busybox for the rootfs, iproute2 for netns tests,
# python3 for the console-socket receiver, podman, jq for config edits;
# gRPC, protobuf, SQLite, toml++, curl, libarchive for crid and images/, and a
# local registry with skopeo and umoci for the image pull tests; CNI plugins
# and iptables for pod networking, python3-grpcio for a second CRI client,
# python3-websocket for an independent streaming (WebSocket) client, openssl(1)
# for the certificates the streaming TLS tests make in their tmpdir.
# qemu and what builds its initramfs for the cgroup v2 guest tests.
# criu for checkpoint/restore (3.17 fails on 6.18: an unknown vdso layout; the tests
# then check berth's error and skip the real dump with criu's reason).
# Debian's package tools for the .debs (contrib/build-deb.sh).
# lld lays berth's start-path functions out together (configure, "berth layout").
packages=(
	autoconf automake libtool pkg-config make g++ git ca-certificates
	libseccomp-dev libcap-dev nlohmann-json3-dev libmnl-dev libsystemd-dev libfmt-dev
	googletest libgtest-dev
	libcurl4-openssl-dev libarchive-dev libssl-dev libzstd-dev zlib1g-dev
	libsqlite3-dev libtomlplusplus-dev libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc libnghttp2-dev nettle-dev
	bats busybox-static runc crun iproute2 python3 podman jq uidmap
	docker-registry skopeo umoci curl containerd zstd
	containernetworking-plugins iptables python3-grpcio
	python3-websocket criu openssl
	qemu-system-x86 kmod cpio xz-utils file checkpolicy
	build-essential debhelper fakeroot lintian
	lld
)

export DEBIAN_FRONTEND=noninteractive
echo "==> installing packages"
apt-get update -q
apt-get install -y -q --no-install-recommends "${packages[@]}" </dev/null

echo "==> building"
./autogen.sh
./configure
make -j"$(nproc)"
make install

case "$mode" in
demo)
	work="$(mktemp -d /tmp/berth-demo.XXXXXX)"
	id="demo-$$"
	cleanup() {
		berth --root "$work/state" delete --force "$id" >/dev/null 2>&1 || true
		rm -rf "$work"
	}
	trap cleanup EXIT
	echo "==> building a busybox bundle in $work/bundle"
	BERTH=berth contrib/make-busybox-bundle.sh "$work/bundle" -- \
		sh -c 'echo "Hello from berth: pid $$ on host $(hostname), user $(id -un)"'
	echo "==> berth run $id"
	berth --root "$work/state" run --bundle "$work/bundle" "$id" </dev/null
	echo "==> done; see README.md and man berth for more"
	;;
test)
	echo "==> unit tests (make check)"
	unit_ok=yes
	make -j"$(nproc)" check || unit_ok=no
	[ "$unit_ok" = yes ] || echo "make check failed; see test-suite.log (counted below)"
	# The packages are built here so that deb_package.bats, in the run below,
	# installs, runs and purges them and is counted with the rest; a failed
	# build leaves DEB_DIR empty, which that file reports as failures.
	# A second full build (Debian's flags), about 40 CPU-minutes (measured
	# under load: over the ~12 minutes CI can give it on 2 cores), so only
	# with BERTH_DEBS=yes; otherwise deb_package.bats skips.
	if [ "${BERTH_DEBS:-no}" = yes ]; then
		echo "==> Debian packages (contrib/build-deb.sh --lintian)"
		export DEB_DIR=/var/tmp/berth-ci-debs
		rm -rf "$DEB_DIR" && mkdir -p "$DEB_DIR"
		DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" contrib/build-deb.sh --lintian "$DEB_DIR" </dev/null ||
			echo "the package build failed (counted below)"
	fi
	# berth again with ASan + UBSan, in a build dir of its own, for the
	# sanitized part of the run below (berth's unit tests and its lifecycle,
	# exec, security and config_errors files under the sanitized binary).
	# Only berth: a sanitized crid build does not fit CI's time on 2 cores
	# (tests/README, "Sanitizers"). BERTH_SANITIZERS=no leaves it out.
	sanitized=()
	if [ "${BERTH_SANITIZERS:-yes}" = yes ]; then
		echo "==> berth with ASan + UBSan (tests/sanitizers.sh --berth-only)"
		san_dir=/var/tmp/berth-ci-asan
		rm -rf "$san_dir"
		# -O0 -g1: line tables for ASan's stack traces, and a third of the
		# compile time of -O1 (libcontainer/spec_parser.cpp: 45 against 117 s).
		CXXFLAGS="-O0 -g1" CFLAGS="-O0 -g1" JOBS="$(nproc)" \
			tests/sanitizers.sh --berth-only --build-only "$san_dir" </dev/null ||
			echo "the sanitized build failed (counted below)"
		sanitized=(--sanitized "$san_dir")
	fi
	echo "==> all tests"
	rc=0
	BERTH="${BERTH:-/usr/local/bin/berth}" tests/run-all.sh --build-dir "$PWD" "${sanitized[@]}" </dev/null || rc=$?
	exit "$rc"
	;;
esac
