#!/bin/sh
# The README's main job: iommufdctl end to end. On a host without /dev/iommu
# the tool uses the simulator's built-in host (and says so on stderr).
#   scripts/demo.sh [BUILD_DIR]
set -u
tool="${1:-build}/tools/iommufdctl/iommufdctl"
[ -x "$tool" ] || { echo "demo: $tool not built (run: make)" >&2; exit 1; }

step() { printf '\n$ iommufdctl %s\n' "$*"; }

step devices
"$tool" devices || exit 1

# Every usable device, then only those whose IOMMU tracks dirty pages.
all=$("$tool" devices --names 2>/dev/null) || { echo "demo: iommufdctl devices --names failed"; exit 1; }
dirty=$("$tool" devices --names --dirty-tracking 2>/dev/null) ||
	{ echo "demo: iommufdctl devices --names --dirty-tracking failed"; exit 1; }
[ -n "$all" ] || { echo "demo: no VFIO device to attach"; exit 0; }

step attach $all
# shellcheck disable=SC2086 # one word per device
"$tool" attach $all
rc=$?
# 3 is the tool's answer "not migratable": a result, not a failure of the demo.
[ $rc -eq 0 ] || [ $rc -eq 3 ] || exit $rc

[ -n "$dirty" ] || { echo "demo: no device with IOMMU dirty tracking: nothing to migrate"; exit 0; }
step migrate $dirty
# shellcheck disable=SC2086
"$tool" migrate $dirty
