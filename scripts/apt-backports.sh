#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Make a Debian suite other than the machine's own (trixie-backports, where Debian ships
# its newest kernel source) installable without upgrading anything else:
#   - a deb822 source /etc/apt/sources.list.d/libiommufd-SUITE.sources whose URIs: and
#     Signed-By: come from the machine's own Debian sources (no mirror is named here);
#   - an apt pin at priority 100 for that suite, so apt takes from it only packages
#     no other suite has (and later versions of those);
#   - a check that `apt-get -s upgrade` then takes nothing from it.
# Idempotent: a second run changes nothing and only repeats the check.
#
#   scripts/apt-backports.sh SUITE           set up and check (needs root or sudo)
#   scripts/apt-backports.sh --check SUITE   only the upgrade check
#   scripts/apt-backports.sh --uri           print the Debian archive URI found
#
# Environment (for tests): APT_ETC (default /etc/apt) where the sources are read and the
# files written; APT_BACKPORTS_NO_UPDATE=1 skips apt-get update.
set -eu

etc=${APT_ETC:-/etc/apt}

die() {
	echo "apt-backports: $*" >&2
	exit 1
}

sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"

codename() {
	. /etc/os-release 2>/dev/null || true
	echo "${VERSION_CODENAME:-bookworm}"
}

# "URI SIGNED-BY" of the Debian archive that serves the machine's own suite: a deb822
# stanza whose Suites name it (a whole word, so not bookworm-security's archive) and whose
# Components hold main, or a one-line "deb [opts] URI SUITE main" source. The first wins.
find_archive() {
	suite=$(codename)
	for f in "$etc"/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		case "$f" in */libiommufd-*) continue ;; esac
		awk -v suite="$suite" '
			BEGIN { RS = ""; FS = "\n" }
			{
				uri = ""; signed = "-"; suites = ""; comps = ""; types = ""; on = 1
				for (i = 1; i <= NF; i++) {
					line = $i
					if (line ~ /^[ \t]*#/) continue
					key = line; sub(/:.*/, "", key)
					val = line; sub(/^[^:]*:[ \t]*/, "", val)
					if (key == "URIs") uri = val
					else if (key == "Suites") suites = " " val " "
					else if (key == "Components") comps = " " val " "
					else if (key == "Types") types = " " val " "
					else if (key == "Signed-By") signed = val
					else if (key == "Enabled" && val == "no") on = 0
				}
				split(uri, u, /[ \t]+/)
				if (on && types ~ / deb / && suites ~ (" " suite " ") && comps ~ / main / && u[1] != "") {
					print u[1], signed
					exit
				}
			}' "$f"
	done
	for f in "$etc"/sources.list "$etc"/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk -v suite="$suite" '
			$1 != "deb" { next }
			{
				i = 2; signed = "-"
				if ($2 ~ /^\[/) {
					for (; i <= NF; i++) {
						if ($i ~ /^\[?signed-by=/) { s = $i; sub(/^\[?signed-by=/, "", s); sub(/\]$/, "", s); signed = s }
						if ($i ~ /\]$/) { i++; break }
					}
				}
				uri = $i; s = $(i + 1)
				main = 0
				for (j = i + 2; j <= NF; j++) if ($j == "main") main = 1
				if (s == suite && main) { print uri, signed; exit }
			}' "$f"
	done
}

archive() {
	a=$(find_archive | head -n 1)
	[ -n "$a" ] || die "no Debian source for $(codename) with main in $etc/sources.list or $etc/sources.list.d"
	echo "$a"
}

# Packages `apt-get -s upgrade` would take from SUITE (none is the promise). Its "Inst"
# lines name a release by its archive (stable-backports), not its codename: both are looked
# for, the archive as apt-cache policy shows it for the codename.
check_upgrade() {
	arch=$(apt-cache policy 2>/dev/null | sed -n "s/.*a=\([^,]*\),n=$1,.*/\1/p" | head -n 1)
	pat="[:/]($1${arch:+|$arch})[], ]"
	from=$(apt-get -s -o Debug::NoLocking=1 upgrade 2>/dev/null | grep '^Inst ' |
		grep -E "$pat" || true)
	if [ -n "$from" ]; then
		echo "apt-backports: apt-get upgrade would take from $1:" >&2
		echo "$from" >&2
		return 1
	fi
	echo "apt-backports: apt-get -s upgrade takes nothing from $1${arch:+ ($arch)}" >&2
}

case "${1:-}" in
--uri)
	a=$(archive) || exit 1
	echo "${a% *}"
	exit 0
	;;
--check)
	[ $# = 2 ] || die "usage: $0 --check SUITE"
	check_upgrade "$2"
	exit
	;;
"" | -*)
	die "usage: $0 SUITE | --check SUITE | --uri"
	;;
esac

suite=$1
a=$(archive) || exit 1
uri=${a% *}
signed=${a#* }
src="$etc/sources.list.d/libiommufd-$suite.sources"
pin="$etc/preferences.d/libiommufd-$suite.pref"

want_src=$(
	echo "# Written by libiommufd's scripts/apt-backports.sh: the archive of this machine's"
	echo "# own Debian sources, for $suite (pinned at 100 in $pin)."
	echo "Types: deb"
	echo "URIs: $uri"
	echo "Suites: $suite"
	echo "Components: main"
	[ "$signed" = - ] || echo "Signed-By: $signed"
)
want_pin=$(
	echo "# Written by libiommufd's scripts/apt-backports.sh: take from $suite only what"
	echo "# no other suite has, never an upgrade of this machine's own packages."
	echo "Package: *"
	echo "Pin: release n=$suite"
	echo "Pin-Priority: 100"
)

changed=""
if [ "$(cat "$src" 2>/dev/null)" != "$want_src" ]; then
	echo "apt-backports: writing $src ($suite from $uri)" >&2
	echo "$want_src" | $sudo tee "$src" >/dev/null
	changed=1
fi
if [ "$(cat "$pin" 2>/dev/null)" != "$want_pin" ]; then
	echo "apt-backports: writing $pin (priority 100)" >&2
	$sudo mkdir -p "$etc/preferences.d"
	echo "$want_pin" | $sudo tee "$pin" >/dev/null
	changed=1
fi
# The package lists of the suite: fetched when the files are new or never were.
lists=$(ls /var/lib/apt/lists/*_dists_"${suite}"_InRelease 2>/dev/null || true)
if [ -z "${APT_BACKPORTS_NO_UPDATE:-}" ] && { [ -n "$changed" ] || [ -z "$lists" ]; }; then
	$sudo apt-get update -qq || die "apt-get update failed"
fi
[ -n "${APT_BACKPORTS_NO_UPDATE:-}" ] && exit 0
check_upgrade "$suite"
