#!/bin/bash
# Builds the berth and crid Debian packages from this checkout:
#
#   contrib/build-deb.sh [--lintian] [OUTDIR]
#
# The packaging lives in contrib/debian so that the tree stays a plain
# upstream tree; this copies the tree's sources (git's tracked files; without
# git, `make dist`'s when configured in place, else the whole tree) to a build
# directory, puts contrib/debian there as
# debian/, and runs `dpkg-buildpackage -us -uc -b`. The .debs, .buildinfo and
# .changes land in OUTDIR (default: ./debs). --lintian then runs lintian on the
# .changes (and so on every .deb) and fails on an error.
#
# Environment: DEB_BUILD_OPTIONS (default "nocheck parallel=2"),
# BERTH_DEB_WORKDIR (default /var/tmp/berth-deb: a fixed path, so that a
# second build hits ccache, which is used when installed).
# Needs: apt-get install --no-install-recommends build-essential debhelper
# fakeroot lintian, and the Build-Depends of contrib/debian/control.
set -euo pipefail

lint=no
if [ "${1:-}" = --lintian ]; then lint=yes; shift; fi
[ $# -le 1 ] || { echo "usage: $0 [--lintian] [OUTDIR]" >&2; exit 2; }
src="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mkdir -p "${1:-debs}" && cd "${1:-debs}" && pwd)"
work="${BERTH_DEB_WORKDIR:-/var/tmp/berth-deb}"

for tool in dpkg-buildpackage dh fakeroot; do
	command -v "$tool" >/dev/null || {
		echo "$0: $tool not found (Debian: apt-get install --no-install-recommends build-essential debhelper fakeroot)" >&2
		exit 1
	}
done
missing="$(cd "$src/contrib" && dpkg-checkbuilddeps 2>&1 | sed -n 's/.*Unmet build dependencies: //p')" || true
if [ -n "$missing" ]; then
	echo "$0: missing build dependencies: $missing" >&2
	exit 1
fi

version="$(dpkg-parsechangelog -l "$src/contrib/debian/changelog" -S Version)"
tree="$work/berth-$version"

# One build at a time in the fixed directory.
mkdir -p "$work"
exec 9>"$work/.lock"
flock 9
rm -rf "$tree" "$work"/*.deb "$work"/*.ddeb "$work"/*.changes "$work"/*.buildinfo
mkdir -p "$tree"

echo "==> copying the sources to $tree"
if git -C "$src" rev-parse --show-toplevel >/dev/null 2>&1 &&
	[ "$(git -C "$src" rev-parse --show-toplevel)" = "$src" ]; then
	# Tracked files only (as they are in the work tree): an in-place build's
	# products, even those .gitignore does not name, must not look up to date.
	(cd "$src" && git ls-files -z --cached |
		while IFS= read -r -d '' f; do
			if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
		done | tar --null --no-recursion -T - -cf -) | tar -C "$tree" -xf -
elif [ -e "$src/config.status" ]; then
	# Configured in place and no git: the release tarball has the sources only.
	make -C "$src" dist-gzip distdir="berth-deb-src" >/dev/null
	tar -C "$tree" --strip-components=1 -xzf "$src/berth-deb-src.tar.gz"
	rm -f "$src/berth-deb-src.tar.gz"
else
	tar -C "$src" --exclude=./debs --exclude='./_build*' -cf - . | tar -C "$tree" -xf -
fi
rm -rf "$tree/debian"
cp -r "$tree/contrib/debian" "$tree/debian"

export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-nocheck parallel=2}"
if [ -d /usr/lib/ccache ]; then
	export PATH="/usr/lib/ccache:$PATH"
	export CCACHE_BASEDIR="$tree" CCACHE_NOHASHDIR=1
fi

echo "==> dpkg-buildpackage -us -uc -b (DEB_BUILD_OPTIONS=$DEB_BUILD_OPTIONS)"
start=$SECONDS
(cd "$tree" && dpkg-buildpackage -us -uc -b)
# Wall time, then the CPU time (user, system) of this shell and of the
# build's processes: `times` here, not in $(...), whose subshell has no children.
echo "==> built in $((SECONDS - start)) s; CPU time (user system), shell then build:"
times

changes="$(ls "$work"/berth_"$version"_*.changes)"
# The .changes names every file it lists; copy exactly those and it.
files=("$changes")
while read -r f; do files+=("$work/$f"); done < <(sed -n '/^Files:/,/^[^ ]/s/^ [0-9a-f]\{32\} [0-9]* [^ ]* [^ ]* //p' "$changes")
cp "${files[@]}" "$out/"
rm -rf "$tree"
ls -l "$out"

if [ "$lint" = yes ]; then
	command -v lintian >/dev/null || { echo "$0: lintian not found (apt-get install lintian)" >&2; exit 1; }
	echo "==> lintian"
	lintian --fail-on error --info "$out/$(basename "$changes")"
fi
