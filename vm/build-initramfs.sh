#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Pack the test VM's initramfs: busybox (static), vm/init.sh as /init, and the
# given guest test programs (statically linked) under /tests, run in the order
# given, and data files for them under /tests/data. Writes an uncompressed
# newc cpio (the kernel needs no decompressor).
#
# Usage: build-initramfs.sh OUTPUT.cpio PROGRAM... [--data FILE...]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
busybox=${LIBIOMMUFD_BUSYBOX:-/bin/busybox}

die() {
	echo "build-initramfs: error: $*" >&2
	exit 1
}

[ $# -ge 1 ] || die "usage: $0 OUTPUT.cpio PROGRAM... [--data FILE...]"
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

mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,tests/data}
cp "$busybox" "$root/bin/busybox"
cp "$here/init.sh" "$root/init"
chmod 755 "$root/init"
: > "$root/tests/list"
data=0
for prog in "$@"; do
	if [ "$prog" = --data ]; then
		data=1
		continue
	fi
	if [ $data = 1 ]; then
		[ -r "$prog" ] || die "$prog is not readable"
		cp "$prog" "$root/tests/data/"
		continue
	fi
	[ -x "$prog" ] || die "$prog is not an executable"
	if readelf -l "$prog" 2>/dev/null | grep -q "program interpreter"; then
		die "$prog is dynamically linked; guest programs must be static"
	fi
	cp "$prog" "$root/tests/"
	basename "$prog" >> "$root/tests/list"
done

(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) > "$output.tmp"
mv "$output.tmp" "$output"
