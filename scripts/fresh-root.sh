#!/bin/sh
# Run a command in a brand-new Debian 12 root, as a newcomer's first command on a fresh
# machine: a minbase root (plus make, to type the command) with this repository's HEAD
# cloned into /src. Proves that the README's commands install everything they need.
#
#   scripts/fresh-root.sh COMMAND...      e.g. scripts/fresh-root.sh make demo
#
# Needs root, mmdebstrap and unshare. The root is built from this machine's own apt
# sources (no mirror is named here) and kept as a tarball, one a day, in the cache
# directory the VM tier uses ($LIBIOMMUFD_CACHE, default /var/cache/libiommufd).
# Every run unpacks a fresh copy and removes it afterwards.
set -eu

die() {
	echo "fresh-root: $*" >&2
	exit 1
}

[ $# -ge 1 ] || die "usage: $0 COMMAND..."
[ "$(id -u)" = 0 ] || die "needs root (mmdebstrap, chroot)"
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
commit=$(git -C "$repo" rev-parse HEAD)
cache=${LIBIOMMUFD_CACHE:-/var/cache/libiommufd}/rootfs
suite=bookworm

"$repo/scripts/install-deps.sh" fresh-root || die "could not install mmdebstrap"

# The machine's Debian sources for this suite: deb822 files whose Suites name it, and
# one-line files with a "deb ... bookworm ..." line (a whole word, not cloud-sdk-bookworm).
sources_files() {
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		case "$f" in
		*.sources) pat="^Suites:.*(^|[[:space:]])$suite([[:space:]]|\$)" ;;
		*) pat="^deb[[:space:]].*[[:space:]]$suite([[:space:]]|\$)" ;;
		esac
		grep -Eq "$pat" "$f" && echo "$f"
	done
	return 0
}

mkdir -p "$cache"
image="$cache/debian12-minbase-$(date +%F).tar"
(
	# One builder at a time; the others wait and reuse its image.
	flock 9
	# Only a regular file is an image: a directory left by an older run is not one.
	[ -f "$image" ] || rm -rf "$image"
	if [ ! -s "$image" ]; then
		mirrors=$(sources_files)
		[ -n "$mirrors" ] || die "no apt sources file for $suite in /etc/apt"
		echo "fresh-root: building $image from$(printf ' %s' $mirrors)" >&2
		# shellcheck disable=SC2086 # one argument per sources file
		# The format said, not guessed: mmdebstrap takes a name without a known extension
		# (the .part) for a directory.
		rm -rf "$image.part"
		mmdebstrap --quiet --variant=minbase --format=tar --include=make "$suite" \
			"$image.part" $mirrors >&2 || die "mmdebstrap failed"
		mv "$image.part" "$image"
		# Keep one image: today's.
		find "$cache" -mindepth 1 -maxdepth 1 -name 'debian12-minbase-*.tar*' \
			! -name "${image##*/}" -exec rm -rf {} +
	fi
) 9>"$cache/.lock"

root=$(mktemp -d "${TMPDIR:-/var/tmp}/fresh-root.XXXXXX")
cleanup() {
	# The mounts lived in the command's own mount namespace: none may be left here.
	if grep -q " $root/" /proc/self/mounts; then
		echo "fresh-root: $root still has mounts; not removing it" >&2
		return
	fi
	rm -rf "$root"
}
trap cleanup EXIT INT TERM

tar -C "$root" -xf "$image"
cp /etc/resolv.conf "$root/etc/resolv.conf"
git clone -q --no-hardlinks "$repo" "$root/src"
git -C "$root/src" checkout -q "$commit"
echo "fresh-root: running '$*' in a fresh Debian 12 root at commit ${commit%"${commit#????????????}"}" >&2

# A private mount and PID namespace: /proc, a devpts for ptys and a tmpfs /dev/shm are
# mounted inside it and go away with it.
set +e
unshare --mount --pid --fork --mount-proc="$root/proc" /bin/sh -c '
	root=$1
	shift
	mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$root/dev/pts" &&
		mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm" || exit 125
	exec chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/sh -c "cd /src && exec \"\$@\"" sh "$@"' sh "$root" "$@"
rc=$?
set -e
exit $rc
