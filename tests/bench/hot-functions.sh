#!/bin/bash
# Regenerates runtime/berth-hot-functions.txt: the functions of berth that a
# run, start, state, exec, kill and delete execute, roughly in the order they
# first run. configure links berth with ld.lld --symbol-ordering-file=that
# list, so they share a few pages instead of being spread over the whole
# text: fault-around maps 64 KiB around every page a process touches, and
# that spread was most of berth's peak RSS (docs/performance.md, "Peak RSS").
#
#   tests/bench/hot-functions.sh [BERTH]      (as root; needs valgrind, jq)
#
# BERTH (default: ./berth of the current directory, a build tree) runs under
# valgrind's callgrind. Valgrind does not implement clone3, so `run` and
# `exec` are followed up to the clone of the container's process (the
# container's init is not traced; its peak is below the runtime's) and the
# rest comes from start, state, kill and delete of a container created
# without valgrind. A stale list is harmless: names that no longer exist are
# skipped by the linker, new functions are laid out as usual.
set -euo pipefail
export LC_ALL=C

here="$(cd "$(dirname "$0")" && pwd)"
top="$(cd "$here/../.." && pwd)"
berth="$(realpath "${1:-./berth}")"
out="$top/runtime/berth-hot-functions.txt"
[ "$(id -u)" = 0 ] || { echo "$0: must run as root" >&2; exit 1; }
for tool in valgrind jq /usr/bin/python3; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is needed" >&2; exit 1; }
done

work="$(mktemp -d /tmp/berth-hot.XXXXXX)"
cleanup() {
	local id
	for id in $(ls "$work/state" 2>/dev/null); do
		"$berth" --root "$work/state" delete --force "$id" >/dev/null 2>&1 || true
	done
	umount "$work/state" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/state" "$work/cg"
mount -t tmpfs -o mode=700 berth-hot-state "$work/state"
"$top/contrib/make-busybox-bundle.sh" --runtime runc "$work/base" -- /bin/true >/dev/null
mk() {
	mkdir -p "$work/$1"
	jq --arg root "$work/base/rootfs" ".root.path = \$root | $2" "$work/base/config.json" > "$work/$1/config.json"
}
mk true '.process.args = ["/bin/true"]'
mk sleep '.process.args = ["/bin/sleep", "100000"]'

rt() { "$berth" --root "$work/state" "$@" </dev/null >/dev/null 2>&1; }
n=0
traced() { # berth ARGS... under callgrind; failures at clone3 are expected
	n=$((n + 1))
	valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/cg/$n.out" \
		"$berth" --root "$work/state" "$@" </dev/null >/dev/null 2>&1 || true
}
traced run --bundle "$work/true" hot-run
rt delete --force hot-run || true
rt create --bundle "$work/sleep" hot-c1
traced start hot-c1
traced state hot-c1
traced exec hot-c1 /bin/true
traced kill hot-c1 KILL
sleep 0.3
traced delete hot-c1
rt create --bundle "$work/sleep" hot-c2
traced delete --force hot-c2

# Every function of berth's own object with a cost in the profiles, in the
# order the profiles name them (callgrind numbers functions as it meets them).
/usr/bin/python3 - "$berth" $(ls -v "$work"/cg/*.out) > "$out.new" <<'PY'
import re, sys
binary, seen = sys.argv[1], set()
for path in sys.argv[2:]:
    obs, fns, ob = {}, {}, None
    for line in open(path, errors="replace"):
        m = re.match(r"^(c?ob|c?fn)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
        if not m:
            continue
        kind, num, name = m.groups()
        table = obs if kind.endswith("ob") else fns
        if name:
            table[num] = name
        if kind == "ob":
            ob = obs.get(num)
        elif kind == "fn" and ob == binary:
            fn = re.sub(r"'\d+$", "", fns.get(num, ""))
            if fn and not fn.startswith("0x") and fn not in seen:
                seen.add(fn)
                print(fn)
PY
# A local symbol whose name other objects also define (a static helper, an
# anonymous-namespace function, a ".isra"/".constprop" clone of a template)
# would make ld.lld move every object's section holding one: leave them out.
nm --defined-only "$berth" | awk '$2 ~ /^[tTwW]$/ { print $3 }' | sort | uniq -d > "$work/ambiguous"
grep -vxFf "$work/ambiguous" "$out.new" > "$out.unique" || true
mv "$out.unique" "$out.new"
count=$(wc -l < "$out.new")
[ "$count" -gt 100 ] || { echo "$0: only $count functions recorded; list not replaced" >&2; rm -f "$out.new"; exit 1; }
mv "$out.new" "$out"
echo "$count functions written to $out"
