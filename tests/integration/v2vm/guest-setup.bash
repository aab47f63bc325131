# Sourced by the Bats files that run berth in the cgroup v2 guest: builds the
# guest once per file and prepares the shared work directory. Skips (with the
# reason) where qemu or the kernel package cannot be had.
V2VM_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

v2vm_prepare() {
	local berth_path
	berth_path=$(command -v "$BERTH") || { echo "runtime $BERTH not found" >&2; return 1; }
	command -v qemu-system-x86_64 >/dev/null ||
		skip "qemu-system-x86_64 missing (apt-get install --no-install-recommends qemu-system-x86 kmod cpio xz-utils file busybox-static)"
	command -v jq >/dev/null || skip "jq missing"
	GUEST="$BATS_FILE_TMPDIR/guest"
	WORK="$BATS_FILE_TMPDIR/work"
	local rc=0
	"$V2VM_DIR/build-guest.sh" "$GUEST" >"$BATS_FILE_TMPDIR/build.log" 2>&1 || rc=$?
	[ $rc -ne 3 ] || skip "cannot build the cgroup v2 guest here: $(tail -1 "$BATS_FILE_TMPDIR/build.log")"
	[ $rc -eq 0 ] || { cat "$BATS_FILE_TMPDIR/build.log" >&2; return 1; }
	mkdir -p "$WORK"
	cp "$berth_path" "$WORK/berth"
	cp "$V2VM_DIR"/guest-*.sh "$WORK/"
	BERTH=/nonexistent "$REPO_DIR/contrib/make-busybox-bundle.sh" --args sh "$WORK/bundle" >/dev/null
	export GUEST WORK
}

# A line of a case's recorded output, for assertions.
result() { cat "$WORK/results/$1"; }
