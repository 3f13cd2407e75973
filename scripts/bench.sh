#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# `make bench`: what the library costs over the raw kernel calls (bench/bench_cost.c).
# Boots the VM tier's machines on every kernel it runs (vm/kernels when it lists them,
# else the one vm/build-kernel.sh builds), runs the benchmark in each, then on the
# simulator here; prints the tables and a last line "N passed, N failed". A goal fails
# only when three measurements in a row miss it. Not part of `make check`.
#
# Usage: scripts/bench.sh [BUILD_DIR]     (default build; configured with tests=true)
# Environment: BENCH_ROUNDS, BENCH_SCALE_MAX_GIB, BENCH_ONLY (see bench/bench_cost.c),
# BENCH_SKIP_VM=1 (the simulator only), and the VM tier's own (vm/README.md).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "${1:-build}" && pwd) || exit 1
out=$build/bench
passed=0
failed=0

die() {
	echo "bench: error: $*" >&2
	exit 1
}

# Count a TAP stream's points; print the table lines and the points. From the VM tier, the
# program's other lines come as "# bench_cost_static| <line>" notes; from the program itself
# (raw), as they are.
tally() {
	local raw=${1:-} line
	while IFS= read -r line; do
		case $line in
		"ok "*)
			passed=$((passed + 1))
			echo "$line"
			;;
		"not ok "*)
			failed=$((failed + 1))
			echo "$line"
			;;
		"Bail out!"*)
			failed=$((failed + 1))
			echo "$line"
			;;
		"1.."[0-9]* | "# bench_cost"*"| 1.."[0-9]*) ;;
		"# bench_cost"*"| "*)
			echo "${line#*| }"
			;;
		*)
			[ -n "$raw" ] && echo "$line"
			;;
		esac
	done
}

ninja -C "$build" bench/bench_cost bench/bench_cost_static >/dev/null ||
	die "building the benchmark failed (a build dir made with tests=true, no sanitizer?)"

if [ -z "${BENCH_SKIP_VM:-}" ]; then
	initramfs=$out/initramfs-bench.cpio
	"$here/vm/build-initramfs.sh" "$initramfs" "$out/bench_cost_static" ||
		die "packing the initramfs failed"
	# The kernels and their machines, as the VM tier takes them: "VERSION MACHINES" lines.
	if [ -r "$here/vm/kernels" ]; then
		kernels=$(grep -v '^[[:space:]]*\(#\|$\)' "$here/vm/kernels" |
			awk '{ print $1, $4 }')
	else
		kernels="- A,B"
	fi
	while read -r version machines; do
		for m in $(echo "$machines" | tr ',' ' '); do
			args=(--machine "$m" --initramfs "$initramfs" --log-dir "$out")
			[ "$version" = - ] || args+=(--kernel-version "$version")
			echo
			label="linux $version"
			[ "$version" = - ] && label="the VM tier's kernel"
			echo "== $label, machine $m"
			tally < <(python3 "$here/vm/run-vm.py" "${args[@]}")
		done
	done <<<"$kernels"
fi

echo
echo "== the simulator"
tally raw < <("$out/bench_cost" --sim)
echo
echo "bench: $passed passed, $failed failed"
[ "$failed" = 0 ]
