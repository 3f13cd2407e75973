#!/bin/bash
# ThreadSanitizer over every test suite that uses threads (core, container, sim), in a build
# dir of its own. Prints "N passed, N failed" last; exits 0 only when nothing failed.
#   scripts/ci-tsan.sh [builddir]     (default build-tsan; CC picks the compiler, default gcc)
# A data race, a lock-order inversion or a use of freed memory seen by TSan fails its test
# (TSan exits 66). Debian 12's gcc brings the runtime (libtsan2, through libgcc-12-dev).
set -u
cd "$(dirname "$0")/.."
build=${1:-build-tsan}
suites="core container sim"

# The race tests run longer here than in `make quick` (IOMMUFD_TEST_ROUNDS; fx_rounds()).
export IOMMUFD_TEST_ROUNDS=${IOMMUFD_TEST_ROUNDS:-1000}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1 second_deadlock_stack=1}

# TSan needs its memory layout: with more address randomisation than it knows (recent
# kernels' vm.mmap_rnd_bits), a program dies at start; run the tests without randomisation.
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '#include <pthread.h>\nstatic void *f(void *p) { return p; }\n%s\n' \
	'int main(void) { pthread_t t; pthread_create(&t, 0, f, 0); return pthread_join(t, 0); }' \
	>"$probe/t.c"
if ! ${CC:-cc} -fsanitize=thread -pthread "$probe/t.c" -o "$probe/t" 2>"$probe/err"; then
	cat "$probe/err" >&2
	echo "ci-tsan: the compiler cannot build with -fsanitize=thread (libtsan2 missing?)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
wrap=""
if ! "$probe/t" 2>/dev/null; then
	wrap="setarch $(uname -m) -R"
	if ! $wrap "$probe/t"; then
		echo "ci-tsan: a ThreadSanitizer program does not run here" >&2
		echo "0 passed, 1 failed"
		exit 1
	fi
	echo "ci-tsan: running without address randomisation ($wrap)" >&2
fi

if [ ! -f "$build/build.ninja" ]; then
	meson setup -Db_sanitize=thread -Db_lundef=false -Dtests=true "$build" >/dev/null ||
		{ echo "0 passed, 1 failed"; exit 1; }
fi
ninja -C "$build" || { echo "ci-tsan: build failed"; echo "0 passed, 1 failed"; exit 1; }

args=()
for s in $suites; do
	args+=(--suite "$s")
done
rm -f "$build/meson-logs/testlog.json"
$wrap meson test -C "$build" --print-errorlogs --timeout-multiplier 4 "${args[@]}"

log="$build/meson-logs/testlog.json"
passed=0
failed=1
if [ -f "$log" ]; then
	passed=$(grep -c '"result": "OK"' "$log")
	failed=$(grep -Ec '"result": "(FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS)"' "$log")
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
