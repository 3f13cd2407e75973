#!/bin/bash
# libiommufd-preload: the suite preload (the shim from programs that know nothing of it,
# iommufdctl and the example against --sim, and each kernel's own iommufd selftests run on the
# simulator, which need root to reserve huge pages), then the shim's cost on ordinary files.
# Prints the selftest counts and "N passed, N failed" last; exits 0 only when nothing failed.
#   scripts/ci-preload.sh [builddir]     (default build)
set -u
cd "$(dirname "$0")/.."
build=${1:-build}

if [ ! -f "$build/build.ninja" ]; then
	meson setup -Dtests=true "$build" >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
fi
ninja -C "$build" || { echo "ci-preload: build failed"; echo "0 passed, 1 failed"; exit 1; }
rm -f "$build/meson-logs/testlog.json"
meson test -C "$build" --print-errorlogs --suite preload

log="$build/meson-logs/testlog.json"
passed=0
failed=1
counts=""
if [ -f "$log" ]; then
	n='[0-9]*'
	pat="linux-[0-9.]* [a-z_]* on the simulator: $n passed, $n failed, $n skipped of $n"
	counts=$(grep -o "$pat; the real kernel passes $n" "$log" | sort -u)
	passed=$(grep -c '"result": "OK"' "$log")
	failed=$(grep -Ec '"result": "(FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS)"' "$log")
fi
# a benchmark: it never fails
meson test -C "$build" --benchmark --verbose preload 2>/dev/null |
	grep -o "[a-z]* on an ordinary.*" || true
[ -n "$counts" ] && echo "$counts"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
