#!/bin/sh
# Install the Debian packages the build and the tests need, when missing.
# Usage: scripts/install-deps.sh [build|test]
#   build: the library and iommufdctl (make demo)
#   test:  also the tests and the real-kernel VM tier (make check)
# Recommended packages are left out, so everything needed is named here (libc6-dev, which
# gcc only recommends, among them); a fresh minbase root proves the list (.ci/run).
set -eu

want="gcc libc6-dev make pkg-config meson ninja-build libjson-c-dev"
if [ "${1:-build}" = test ]; then
	want="$want python3 groff-base libcmocka-dev qemu-system-x86 busybox-static \
linux-source-6.12 bc flex bison libelf-dev libssl-dev cpio xz-utils kmod"
fi

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done

# The kernel's own UAPI headers, for the ABI comparison test: any 6.12 headers package.
headers_installed() {
	ls -d /usr/src/linux-headers-6.12*-common/include/uapi/linux 2>/dev/null | grep -q .
}

sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
updated=""
apt_update() {
	[ -n "$updated" ] && return 0
	$sudo apt-get update -qq
	updated=1
}

if [ -n "$missing" ]; then
	echo "install-deps: installing$missing" >&2
	apt_update
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >&2
fi
if [ "${1:-build}" = test ] && ! headers_installed; then
	apt_update
	pkg=$(apt-cache search --names-only '^linux-headers-6\.12\.[0-9]+\+deb12-common$' |
		awk '{print $1}' | sort -V | tail -n 1)
	[ -n "$pkg" ] || { echo "install-deps: no linux-headers-6.12*-common package found" >&2; exit 1; }
	echo "install-deps: installing $pkg" >&2
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$pkg" >&2
fi
exit 0
