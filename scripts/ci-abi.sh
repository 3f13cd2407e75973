#!/bin/sh
# CI: the ABI of libiommufd and libiommufd-sim against the baselines committed in abi/
# (abi/README.md). Fails on an incompatible change: a symbol removed, a function or a public
# type changed, a call added to the version node of a release already made (one older than
# this version: meson.build's version names the release being made, whose node is still
# open); other added calls pass (and are listed). Prints "N passed, N failed".
#
# Usage: scripts/ci-abi.sh [--update] [BUILD_DIR]
#   BUILD_DIR   where the libraries are built (default build-abi; set up and built if needed,
#               with the project's default options, -Dtests=false)
#   --update    rewrite abi/*.abi from the built libraries instead of comparing: on purpose,
#               once a change to the ABI is accepted (new calls merged, a release). Commit abi/.
#
# Needs abidw and abidiff (Debian: abigail-tools), installed here when missing.
set -eu
cd "$(dirname "$0")/.."

update=""
if [ "${1:-}" = --update ]; then
	update=1
	shift
fi
build="${1:-build-abi}"
suppr=abi/libiommufd.abignore
# "library-name source-dir-of-its-map": the .so under $build, the baseline abi/<name>.abi
libs="libiommufd:src libiommufd-sim:src/sim"

scripts/install-deps.sh abi || { echo "0 passed, 1 failed"; exit 1; }

# Build with the default buildtype (debugoptimized): the DWARF is where the types come from.
if ! out=$( { [ -f "$build/build.ninja" ] || meson setup -Dtests=false "$build"; } 2>&1 &&
	ninja -C "$build" 2>&1); then
	printf '%s\n' "$out"
	echo "ci-abi: the build failed"
	echo "0 passed, 1 failed"
	exit 1
fi

# Only the types of the installed headers count (iommufd.h, and version.h in the build dir);
# the rest is the libraries' own business. No paths, so that any checkout makes the same file.
headers="--headers-dir include --headers-dir $build/include"

# The project's version (meson.build's, through the generated header).
vh="$build/include/iommufd/version.h"
major=$(sed -n 's/^#define IOMMUFD_VERSION_MAJOR //p' "$vh")
minor=$(sed -n 's/^#define IOMMUFD_VERSION_MINOR //p' "$vh")
version="$major.$minor.$(sed -n 's/^#define IOMMUFD_VERSION_PATCH //p' "$vh")"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
for entry in $libs; do
	name=${entry%%:*}
	so="$build/${entry#*:}/$name.so"
	base="abi/$name.abi"
	if [ ! -f "$so" ]; then
		echo "FAIL $name: $so was not built"
		failed=$((failed + 1))
		continue
	fi
	# shellcheck disable=SC2086
	if ! abidw $headers --drop-private-types --exported-interfaces-only --no-show-locs \
		--no-comp-dir-path --no-corpus-path --out-file "$tmp/$name.abi" "$so"; then
		echo "FAIL $name: abidw could not read $so"
		failed=$((failed + 1))
		continue
	fi
	# Every exported function must come with its types, or abidiff would not see them change.
	nsyms=$(grep -c "<elf-symbol name=.*is-defined='yes'" "$tmp/$name.abi" || true)
	ndecls=$(grep -c "<function-decl .*elf-symbol-id=" "$tmp/$name.abi" || true)
	if [ "$nsyms" -ne "$ndecls" ]; then
		echo "FAIL $name: abidw gave the types of $ndecls of its $nsyms symbols"
		failed=$((failed + 1))
		continue
	fi
	if [ -n "$update" ]; then
		cp "$tmp/$name.abi" "$base"
		echo "updated $base from $so"
		passed=$((passed + 1))
		continue
	fi
	if [ ! -f "$base" ]; then
		echo "FAIL $name: no baseline $base (scripts/ci-abi.sh --update makes it)"
		failed=$((failed + 1))
		continue
	fi
	# Both sides read the same way (abidw above), so that only real differences show.
	# Added symbols are fine: left out of the verdict, then listed.
	set +e
	report=$(abidiff --no-added-syms --suppressions "$suppr" "$base" "$tmp/$name.abi" 2>&1)
	rc=$?
	added=$(abidiff --suppressions "$suppr" "$base" "$tmp/$name.abi" 2>&1 |
		sed -n "s/^  \[A\] //p")
	set -e
	# An added symbol belongs to the node of the release being made (this version's) or a
	# later one: an older node has shipped and never changes (src/libiommufd.map).
	late=$(printf '%s\n' "$added" | sed -n 's/.*@@*\(LIBIOMMUFD[A-Z_]*_[0-9][0-9.]*\).*/\1/p' |
		while read -r node; do
			v=${node##*_}
			if [ "${v%%.*}" -lt "$major" ] ||
				{ [ "${v%%.*}" -eq "$major" ] && [ "${v#*.}" -lt "$minor" ]; }; then
				echo "$node"
			fi
		done | sort -u)
	if [ $rc -eq 0 ] && [ -n "$late" ]; then
		echo "FAIL $name: calls added to a node of a released version (this is $version):" \
			$late
		printf '%s\n' "$added" | sed "s/^/  added: /"
		failed=$((failed + 1))
	elif [ $rc -eq 0 ]; then
		echo "ok $name: compatible with $base"
		[ -z "$added" ] || printf '%s\n' "$added" | sed "s/^/  added: /"
		passed=$((passed + 1))
	else
		# abidiff's status bits: 1 error, 2 usage, 4 a change, 8 an incompatible change
		echo "FAIL $name: the ABI differs from $base (abidiff status $rc):"
		printf '%s\n' "$report" | sed 's/^/  /'
		failed=$((failed + 1))
	fi
done
[ -n "$update" ] && echo "review and commit abi/ (git diff abi/)"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
