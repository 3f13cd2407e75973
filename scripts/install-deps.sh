#!/bin/sh
# Install the Debian packages a job needs, when missing. Every package the project installs
# is named here.
# Usage: scripts/install-deps.sh [build|test|abi|fuzz|fresh-root]
#   build:      the library and iommufdctl (make demo)
#   test:       also the tests and the real-kernel VM tier (make check); clang compiles
#               the public structs for other arches (tests/abi/layout.py)
#   abi:        the build and abigail-tools (scripts/ci-abi.sh)
#   fuzz:       the build and clang with libFuzzer's runtime (scripts/ci-fuzz.sh)
#   fresh-root: mmdebstrap, to make a fresh Debian root (scripts/fresh-root.sh)
# Recommended packages are left out, so everything needed is named here (libc6-dev, which
# gcc only recommends, among them); a fresh minbase root proves the list (.ci/run).
set -eu

job=${1:-build}
build="gcc libc6-dev make pkg-config meson ninja-build libjson-c-dev"
case "$job" in
build) want=$build ;;
test)
	want="$build python3 groff-base libcmocka-dev qemu-system-x86 busybox-static bc flex bison \
libelf-dev libssl-dev cpio xz-utils kmod libcap-dev clang" ;;
abi) want="$build abigail-tools" ;;
fuzz) want="$build clang libclang-rt-14-dev" ;;
fresh-root) want="mmdebstrap" ;;
*)
	echo "install-deps: unknown job '$job' (build, test, abi, fuzz, fresh-root)" >&2
	exit 2 ;;
esac

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done

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

# The VM tier's kernels (vm/kernels): each one's source, and its own UAPI headers for the ABI
# comparison test (any VERSION.* headers package; the newest). A suite other than the
# machine's own is added first, pinned so that it upgrades nothing (scripts/apt-backports.sh).
if [ "$job" = test ]; then
	here=$(dirname "$0")
	grep -v '^[[:space:]]*\(#\|$\)' "$here/../vm/kernels" | while read -r v suite hdr _; do
		codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
		[ "$suite" = "$codename" ] || "$here/apt-backports.sh" "$suite" || exit 1
		if ! dpkg-query -W -f='${Status}' "linux-source-$v" 2>/dev/null | grep -q "ok installed"; then
			apt_update
			echo "install-deps: installing linux-source-$v" >&2
			DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
				"linux-source-$v" >&2 || exit 1
		fi
		ls -d /usr/src/linux-headers-"$v".*+"$hdr"-common/include/uapi/linux 2>/dev/null |
			grep -q . && continue
		apt_update
		re=$(echo "$v" | sed 's/\./\\./g')
		pkg=$(apt-cache search --names-only "^linux-headers-$re\\.[0-9]+\\+$hdr-common\$" |
			awk '{print $1}' | sort -V | tail -n 1)
		[ -n "$pkg" ] || { echo "install-deps: no linux-headers-$v.*+$hdr-common package found" >&2; exit 1; }
		echo "install-deps: installing $pkg" >&2
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$pkg" >&2 ||
			exit 1
	done || exit 1
fi
exit 0
