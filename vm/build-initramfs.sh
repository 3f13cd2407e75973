#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Pack the test VM's initramfs: busybox (static), vm/init.sh as /init, and the
# given guest test programs (statically linked) under /tests, run in the order
# given. Writes an uncompressed newc cpio (the kernel needs no decompressor).
#
# Usage: build-initramfs.sh OUTPUT.cpio PROGRAM...
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
busybox=${LIBIOMMUFD_BUSYBOX:-/bin/busybox}

die() {
	echo "build-initramfs: error: $*" >&2
	exit 1
}

[ $# -ge 1 ] || die "usage: $0 OUTPUT.cpio PROGRAM..."
output=$1
shift

[ -x "$busybox" ] || die "$busybox not found (apt-get install busybox-static)"
# A dynamically linked busybox cannot run in an initramfs without libc.
if readelf -l "$busybox" 2>/dev/null | grep -q "program interpreter"; then
	die "$busybox is dynamically linked (apt-get install busybox-static)"
fi
command -v cpio >/dev/null || die "cpio not found"

root=$(mktemp -d "${output}.root.XXXXXX")
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,tests}
cp "$busybox" "$root/bin/busybox"
cp "$here/init.sh" "$root/init"
chmod 755 "$root/init"
: > "$root/tests/list"
for prog in "$@"; do
	[ -x "$prog" ] || die "$prog is not an executable"
	if readelf -l "$prog" 2>/dev/null | grep -q "program interpreter"; then
		die "$prog is dynamically linked; guest programs must be static"
	fi
	cp "$prog" "$root/tests/"
	basename "$prog" >> "$root/tests/list"
done

(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) > "$output.tmp"
mv "$output.tmp" "$output"
