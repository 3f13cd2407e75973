#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Build (once) a guest kernel for the VM test tier, and the kernel's own iommufd selftests
# from the same source, and print the path of its bzImage. The versions are those of
# vm/kernels (linux-source-VERSION); each is cached outside the source tree, keyed by a hash
# of the config fragment, the package version and this recipe, so later runs reuse it:
#   ${LIBIOMMUFD_CACHE:-/var/cache/libiommufd}/kernel-VERSION-<hash>/
#       bzImage, config, build-info
#       kselftest/iommufd, kselftest/iommufd_fail_nth   (static, for the initramfs)
#
# Usage: build-kernel.sh [--print-key | --check] [VERSION]   (default: the newest listed)
#
# Environment:
#   LIBIOMMUFD_CACHE          cache directory (default /var/cache/libiommufd,
#                             or ~/.cache/libiommufd when that is not writable)
#   LIBIOMMUFD_KERNEL_TARBALL kernel source tarball
#                             (default /usr/src/linux-source-VERSION.tar.xz)
#   LIBIOMMUFD_KERNEL_SRC     an already unpacked, clean source tree to build
#                             from (out of tree); default: unpack the tarball
#                             into the cache
#   LIBIOMMUFD_KERNEL_JOBS    make -j (default 3)
#   LIBIOMMUFD_SKIP_VM        set: build nothing, exit 77 (a skip for meson)
#
# Options: --print-key prints the cache key and exits; --check exits 0 when
# the image is cached, 1 otherwise, building nothing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fragment=$here/kernel.fragment
jobs=${LIBIOMMUFD_KERNEL_JOBS:-3}
# Bump when what a cache entry holds or how it is made changes.
recipe=2

mode=build
case "${1:-}" in
--print-key) mode=key; shift ;;
--check) mode=check; shift ;;
esac
kver=${1:-$(grep -v '^[[:space:]]*\(#\|$\)' "$here/kernels" | awk '{print $1}' | sort -V | tail -n 1)}
[ -n "$kver" ] || { echo "build-kernel: error: no kernel version in $here/kernels" >&2; exit 1; }
tarball=${LIBIOMMUFD_KERNEL_TARBALL:-/usr/src/linux-source-$kver.tar.xz}

die() {
	echo "build-kernel: error: $*" >&2
	exit 1
}
note() {
	echo "build-kernel: $*" >&2
}

pick_cache() {
	local c=${LIBIOMMUFD_CACHE:-/var/cache/libiommufd}
	if mkdir -p "$c" 2>/dev/null && [ -w "$c" ]; then
		echo "$c"
		return
	fi
	[ -n "${LIBIOMMUFD_CACHE:-}" ] && die "cache $c is not writable"
	c=${XDG_CACHE_HOME:-$HOME/.cache}/libiommufd
	mkdir -p "$c" || die "no writable cache directory"
	echo "$c"
}

if [ -n "${LIBIOMMUFD_SKIP_VM:-}" ]; then
	note "LIBIOMMUFD_SKIP_VM is set: skipping"
	exit 77
fi

[ -r "$fragment" ] || die "missing $fragment"
[ -r "$tarball" ] || die "missing kernel source $tarball (scripts/install-deps.sh test)"

# The package version names the source; fall back to the tarball's size and
# mtime when it did not come from a package.
srcpkg=$(basename "$tarball" .tar.xz)
version=$(dpkg-query -W -f '${Version}' "$srcpkg" 2>/dev/null || true)
[ -n "$version" ] || version=$(stat -c '%s-%Y' "$tarball")
key=$kver-$( (echo "$srcpkg $version recipe $recipe"; cat "$fragment") | sha256sum | cut -c1-16)

if [ $mode = key ]; then
	echo "$key"
	exit 0
fi

cache=$(pick_cache)
final=$cache/kernel-$key
if [ $mode = check ]; then
	[ -s "$final/bzImage" ]
	exit
fi
if [ -s "$final/bzImage" ]; then
	echo "$final/bzImage"
	exit 0
fi

# One builder at a time per key; a second caller waits and then reuses.
exec 9>"$cache/kernel-$key.lock"
flock 9
if [ -s "$final/bzImage" ]; then
	echo "$final/bzImage"
	exit 0
fi

for tool in make gcc flex bison bc cpio; do
	command -v $tool >/dev/null || die "$tool not found (apt-get install build-essential flex bison bc libelf-dev libssl-dev cpio)"
done

# The source tree: given, or unpacked once into the cache (atomically, since
# another run may read it).
if [ -n "${LIBIOMMUFD_KERNEL_SRC:-}" ]; then
	src=$LIBIOMMUFD_KERNEL_SRC
	[ -f "$src/Makefile" ] || die "LIBIOMMUFD_KERNEL_SRC=$src is not a kernel tree"
else
	src=$cache/src-$srcpkg-$version
	if [ ! -f "$src/Makefile" ]; then
		note "unpacking $tarball into $src"
		rm -rf "$src.tmp"
		mkdir -p "$src.tmp"
		tar -xJf "$tarball" -C "$src.tmp" --strip-components=1
		mv "$src.tmp" "$src"
	fi
fi
[ -e "$src/.config" ] && die "$src has a .config; out-of-tree builds need a clean tree"

build=$cache/kernel-$key.build
mkdir -p "$build"
start=$(date +%s)
note "configuring in $build"
make -s -C "$src" O="$build" tinyconfig >&2
(cd "$src" && scripts/kconfig/merge_config.sh -m -O "$build" "$build/.config" "$fragment") >&2
make -s -C "$src" O="$build" olddefconfig >&2

# merge_config warns but continues when a symbol does not stick: fail here. Every =y of the
# fragment must be =y, but for symbols this kernel does not have (IOMMU_PT_AMDV1 before 7.x).
missing=0
for sym in $(sed -n 's/^CONFIG_\([A-Z0-9_]*\)=y$/\1/p' "$fragment"); do
	grep -qx "CONFIG_$sym=y" "$build/.config" && continue
	if grep -rqsx --include='Kconfig*' "\(menu\)\?config $sym" "$src"; then
		echo "build-kernel: error: CONFIG_$sym is not =y in the final .config" >&2
		missing=1
	else
		note "CONFIG_$sym: not in linux $kver"
	fi
done
[ $missing = 0 ] || die "the config fragment did not apply; see $build/.config"

note "building bzImage with -j$jobs (several minutes)"
make -s -C "$src" O="$build" -j"$jobs" bzImage >&2

# The kernel's own iommufd selftests, unmodified, with this kernel's exported headers, by
# the selftests' own makefile, statically linked for the initramfs. A source whose
# selftests do not build against its own headers (Debian's 6.12.117 has selftests from
# later kernels) keeps the compiler's words instead: vm/run-vm.py --kselftest shows them.
note "building the kernel's iommufd selftests"
make -s -C "$src" O="$build" headers >&2
ks=$build/kselftest
mkdir -p "$ks"
[ -r /usr/lib/x86_64-linux-gnu/libcap.a ] || [ -n "$(find /usr/lib -name libcap.a 2>/dev/null)" ] ||
	die "no static libcap for the iommufd selftests (apt-get install libcap-dev)"
if ! make -s -C "$src/tools/testing/selftests/iommu" OUTPUT="$ks" \
	KHDR_INCLUDES="-isystem $build/usr/include" USERLDFLAGS=-static >"$ks/build.log" 2>&1; then
	note "linux $kver's own iommufd selftests do not build against its own headers:"
	grep -m 5 'error:' "$ks/build.log" >&2 || tail -n 5 "$ks/build.log" >&2
	mv "$ks/build.log" "$ks/build-failed.log"
fi
end=$(date +%s)

rm -rf "$final.tmp"
mkdir -p "$final.tmp/kselftest"
cp "$build/arch/x86/boot/bzImage" "$final.tmp/bzImage"
cp "$build/.config" "$final.tmp/config"
if [ -e "$ks/build-failed.log" ]; then
	cp "$ks/build-failed.log" "$final.tmp/kselftest/"
else
	cp "$ks/iommufd" "$ks/iommufd_fail_nth" "$final.tmp/kselftest/"
fi
echo "$srcpkg $version, built in $((end - start)) s on $(nproc) cpus" > "$final.tmp/build-info"
mv "$final.tmp" "$final"
rm -rf "$build"
note "built $final/bzImage in $((end - start)) s"
echo "$final/bzImage"
