#!/bin/bash
# Builds a throw-away cgroup v2 guest for the Bats tests: Debian's stock kernel
# (extracted from its .deb, never installed) and a busybox initramfs that
# mounts the host's /usr and /etc read-only over virtio-9p.
#
#   build-guest.sh OUTDIR
#
# The kernel package is fetched once with `apt-get download` into
# $BERTH_V2VM_CACHE (default /var/cache/berth-tests) and reused.
# Exit status 3 means "cannot be had here" (a missing tool or package), so the
# tests skip instead of failing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build-guest.sh OUTDIR}
cache=${BERTH_V2VM_CACHE:-/var/cache/berth-tests}
mkdir -p "$out" "$cache"
out=$(cd "$out" && pwd)

for c in qemu-system-x86_64 depmod modprobe cpio xz file busybox dpkg-deb gzip; do
	command -v "$c" >/dev/null || {
		echo "missing $c (apt-get install --no-install-recommends qemu-system-x86 kmod cpio xz-utils file busybox-static)" >&2
		exit 3
	}
done
file -L "$(command -v busybox)" | grep -q 'statically linked' || { echo "busybox is not static (apt-get install busybox-static)" >&2; exit 3; }

# The kernel linux-image-amd64 points at, unless KPKG names one.
kpkg=${KPKG:-$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')}
[ -n "$kpkg" ] || { echo "apt knows no linux-image-amd64 kernel package" >&2; exit 3; }
deb=$(ls "$cache/$kpkg"_*.deb 2>/dev/null | head -1 || true)
if [ -z "$deb" ]; then
	(cd "$cache" && apt-get download -q "$kpkg" >&2) || { echo "apt-get download $kpkg failed" >&2; exit 3; }
	deb=$(ls "$cache/$kpkg"_*.deb | head -1)
fi
rm -rf "$out/kpkg"
dpkg-deb -x "$deb" "$out/kpkg"
kver=$(basename "$out"/kpkg/lib/modules/*)
echo "$kver" >"$out/kver"

# The uncompressed ELF boots through qemu's PVH entry: no real-mode setup and
# no xz in the guest, seconds saved under software emulation.
vmlinuz=$out/kpkg/boot/vmlinuz-$kver
cp "$vmlinuz" "$out/vmlinuz"
for off in $(grep -abo $'\xfd7zXZ' "$vmlinuz" | cut -d: -f1); do
	# the stream is followed by other data, which xz reports: ignore it
	tail -c +$((off + 1)) "$vmlinuz" | xz -dc 2>/dev/null >"$out/vmlinux" || true
	file "$out/vmlinux" | grep -q 'ELF 64-bit' && break
	rm -f "$out/vmlinux"
done
[ -f "$out/kpkg/lib/modules/$kver/modules.dep" ] || depmod -b "$out/kpkg" "$kver"

s=$(mktemp -d)
trap 'rm -rf "$s"' EXIT
mkdir -p "$s/bin" "$s/lib/modules/$kver"
cp "$(command -v busybox)" "$s/bin/busybox"
for m in virtio_pci 9pnet_virtio 9p overlay; do
	modprobe -d "$out/kpkg" -S "$kver" --show-depends "$m" | awk '$1=="insmod"{print $2}'
done | sort -u | while read -r ko; do
	rel=${ko#"$out/kpkg/lib/modules/$kver/"}
	mkdir -p "$s/lib/modules/$kver/$(dirname "$rel")"
	cp "$ko" "$s/lib/modules/$kver/$rel"
done
cp "$out"/kpkg/lib/modules/"$kver"/modules.{order,builtin,builtin.modinfo} "$s/lib/modules/$kver/"
depmod -b "$s" "$kver"
install -m 755 "$here/guest-init" "$s/init"
install -m 755 "$here/guest-stage2" "$s/stage2"
(cd "$s" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/initramfs.cpio.gz"
