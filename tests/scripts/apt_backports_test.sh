#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# scripts/apt-backports.sh finds the Debian archive in the machine's own sources, in both
# formats, and never one that serves only another suite (TAP). No apt call, no root.
set -u
script=$1
n=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-bookworm}")
[ -n "$codename" ] || codename=bookworm

# case NAME WANT: the URI found in $tmp/etc (WANT "error": none may be found)
check() {
	n=$((n + 1))
	got=$(APT_ETC=$tmp/etc "$script" --uri 2>/dev/null) || got=error
	if [ "$got" = "$2" ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1: found '$got', want '$2'"
		failed=1
	fi
	rm -rf "$tmp/etc"
}
setup() {
	mkdir -p "$tmp/etc/sources.list.d"
}

setup
cat >"$tmp/etc/sources.list.d/debian.sources" <<E
Types: deb
# a comment
URIs: http://mirror.invalid/debian
Suites: $codename $codename-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.invalid/debian-security
Suites: $codename-security
Components: main
E
check "deb822 sources" http://mirror.invalid/debian

setup
cat >"$tmp/etc/sources.list.d/debian.sources" <<E
Types: deb
URIs: http://mirror.invalid/debian-security
Suites: $codename-security
Components: main

Types: deb-src
URIs: http://src.invalid/debian
Suites: $codename
Components: main

Types: deb
URIs: http://mirror.invalid/other
Suites: $codename
Components: contrib
E
check "deb822: only security, source and contrib stanzas" error

setup
cat >"$tmp/etc/sources.list" <<E
# deb http://commented.invalid/debian $codename main
deb http://other.invalid/x cloud-sdk-$codename main
deb [arch=amd64 signed-by=/k.gpg] http://line.invalid/debian $codename main contrib
deb http://line.invalid/debian-security $codename-security main
E
check "one-line sources.list with options" http://line.invalid/debian

setup
echo "deb http://line.invalid/debian-security $codename-security main" >"$tmp/etc/sources.list"
check "one-line: only security" error

setup
check "no sources at all" error

# The source file written: URIs and Signed-By from the machine's sources, the pin at 100;
# a second run changes nothing.
n=$((n + 1))
setup
mkdir -p "$tmp/etc/preferences.d"
echo "deb [signed-by=/k.gpg] http://line.invalid/debian $codename main" >"$tmp/etc/sources.list"
APT_ETC=$tmp/etc APT_BACKPORTS_NO_UPDATE=1 "$script" some-backports 2>/dev/null
src=$tmp/etc/sources.list.d/libiommufd-some-backports.sources
pin=$tmp/etc/preferences.d/libiommufd-some-backports.pref
if grep -qx 'URIs: http://line.invalid/debian' "$src" && grep -qx 'Suites: some-backports' "$src" &&
	grep -qx 'Signed-By: /k.gpg' "$src" && grep -qx 'Pin: release n=some-backports' "$pin" &&
	grep -qx 'Pin-Priority: 100' "$pin"; then
	before=$(stat -c %Y.%i "$src" "$pin")
	out=$(APT_ETC=$tmp/etc APT_BACKPORTS_NO_UPDATE=1 "$script" some-backports 2>&1)
	if [ -z "$out" ] && [ "$(stat -c %Y.%i "$src" "$pin")" = "$before" ]; then
		echo "ok $n - writes the source and the pin, once"
	else
		echo "not ok $n - a second run rewrote the files: $out"
		failed=1
	fi
else
	echo "not ok $n - source or pin not as expected:"
	sed 's/^/# /' "$src" "$pin"
	failed=1
fi
rm -rf "$tmp/etc"

echo "1..$n"
exit $failed
