#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Fuzz the library for a while (fuzz/README.md): build the libFuzzer targets with clang,
# AddressSanitizer and UBSan in their own build dir, then run each from a temporary copy of
# its committed corpus (fuzz/corpus/<name>, never changed here) for FUZZ_SECONDS.
# Prints one line per target and "N passed, N failed"; exits 1 when any target failed.
#
# Environment:
#   FUZZ_SECONDS    seconds per target (default 60; `make fuzz` passes a longer time)
#   FUZZ_TARGETS    which targets (default "topology api state")
#   FUZZ_BUILD      the build dir (default build-fuzz)
#   FUZZ_ARTIFACTS  where crashing inputs and logs are kept (default $FUZZ_BUILD/fuzz-out)
set -u
cd "$(dirname "$0")/.."

secs=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-topology api state}
build=${FUZZ_BUILD:-build-fuzz}
out=${FUZZ_ARTIFACTS:-$build/fuzz-out}

# clang and libFuzzer's runtime: Debian 12's clang 14 keeps the runtime in libclang-rt-14-dev,
# which clang does not pull in. Asking the compiler is the test that counts.
fuzzer_links() {
	local dir
	dir=$(mktemp -d) || return 1
	cat >"$dir/t.c" <<-'EOF'
	#include <stddef.h>
	#include <stdint.h>
	int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
	int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }
	EOF
	clang -fsanitize=fuzzer,address,undefined "$dir/t.c" -o "$dir/t" >/dev/null 2>&1
	local rc=$?
	rm -rf "$dir"
	return $rc
}

scripts/install-deps.sh fuzz || { echo "0 passed, 1 failed"; exit 1; }
if ! fuzzer_links; then
	echo "ci-fuzz: clang cannot link a libFuzzer target (-fsanitize=fuzzer)"
	echo "0 passed, 1 failed"
	exit 1
fi

if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup -Dfuzz=true -Dtests=false -Db_sanitize=address,undefined \
		-Db_lundef=false "$build" >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
fi
ninja -C "$build" >/dev/null || { ninja -C "$build"; echo "0 passed, 1 failed"; exit 1; }

mkdir -p "$out"
passed=0
failed=0
for t in $targets; do
	bin=$build/fuzz/fuzz_$t
	seeds=fuzz/corpus/$t
	work=$(mktemp -d) || exit 1
	cp -r "$seeds" "$work/corpus"
	log=$out/$t.log
	dict=()
	[ -f "fuzz/$t.dict" ] && dict=(-dict="fuzz/$t.dict")
	# Leaks and UB are failures too; a slow input over 10 s is one.
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
		-print_final_stats=1 -artifact_prefix="$out/$t-" \
		"${dict[@]}" "$work/corpus" >"$log" 2>&1
	rc=$?
	execs=$(awk '/stat::number_of_executed_units/ { n += $2 } END { print n + 0 }' "$log")
	found=$(ls "$work/corpus" | wc -l)
	rm -rf "$work"
	if [ $rc -eq 0 ] && [ "$execs" -gt 0 ]; then
		passed=$((passed + 1))
		echo "fuzz $t: OK, $execs executions in ${secs} s, corpus $(ls "$seeds" | wc -l) -> $found inputs"
	else
		failed=$((failed + 1))
		echo "fuzz $t: FAILED (exit $rc, $execs executions); log $log, inputs $out/$t-*"
		grep -a -m1 -E '^(fuzz_[a-z]+:|==[0-9]+==ERROR|SUMMARY)' "$log"
		tail -n 5 "$log"
	fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
