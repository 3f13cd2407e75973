#!/bin/busybox sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# /init of the test VM's initramfs. Sets up the machine, runs the guest test
# programs listed in /tests/list and reports on the second serial port
# (ttyS1), which carries nothing else, so that kernel messages on the console
# (ttyS0) never mix into the results. Protocol, one line each:
#   @@VMTEST BOOT <machine> <kernel release> <uptime>
#   @@VMTEST SETUP <what>: <detail>        (machine setup facts and problems)
#   @@VMTEST BEGIN <test>
#   @@VMTEST OUT <test> <line of the test's output>
#   @@VMTEST END <test> <exit status> <seconds>
#   @@VMTEST DONE <uptime>
# Then it powers the machine off (qemu runs with -no-reboot).
# With vmtest.views=A,B (machine AB: mock devices beside VT-d) every program
# runs once per view, VMTEST_MACHINE set to it, and <test> is "name[view]".

/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin /proc /sys /dev /tmp
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
# fault injection for the kernel's own selftests (iommufd_fail_nth)
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

out=/dev/ttyS1
[ -c $out ] || out=/dev/console

say() {
	echo "@@VMTEST $*" > $out
}

finish() {
	say "DONE $(cut -d' ' -f1 /proc/uptime)"
	sync
	poweroff -f
	# ACPI power-off missing: a reboot ends qemu too (-no-reboot)
	reboot -f
}

machine=unknown
vfio=
views=
for arg in $(cat /proc/cmdline); do
	case $arg in
	vmtest.machine=*) machine=${arg#vmtest.machine=} ;;
	vmtest.vfio=*) vfio=${arg#vmtest.vfio=} ;;
	vmtest.views=*) views=$(echo "${arg#vmtest.views=}" | tr ',' ' ') ;;
	esac
done
say "BOOT $machine $(uname -r) $(cut -d' ' -f1 /proc/uptime)"

# Machine A: hand the PCI devices named by vmtest.vfio= to vfio-pci, so
# that /dev/vfio/devices/vfioN appear for the VFIO cdev tests.
bind_vfio() {
	local bdf d
	for bdf in $(echo "$1" | tr ',' ' '); do
		d=/sys/bus/pci/devices/$bdf
		if [ ! -e $d ]; then
			say "SETUP vfio-pci: $bdf missing"
			continue
		fi
		if [ -e $d/driver ]; then
			echo $bdf > $d/driver/unbind
		fi
		echo vfio-pci > $d/driver_override
		echo $bdf > /sys/bus/pci/drivers_probe
		if [ "$(basename "$(readlink $d/driver)")" = vfio-pci ]; then
			say "SETUP vfio-pci: $bdf -> $(ls $d/vfio-dev 2>/dev/null)" \
				"iommu $(basename "$(readlink $d/iommu)")"
		else
			say "SETUP vfio-pci: $bdf not bound"
		fi
	done
}

[ -n "$vfio" ] && bind_vfio "$vfio"
[ -c /dev/iommu ] || say "SETUP iommufd: /dev/iommu missing"

tests=$(cat /tests/list 2>/dev/null)
[ -n "$tests" ] || say "SETUP tests: /tests/list is empty"
# run_test NAME VIEW: one program, its output framed by BEGIN/OUT/END
run_test() {
	local t=$1 view=$2 name=$1
	[ -n "$view" ] && name="$t[$view]"
	say "BEGIN $name"
	start=$(cut -d' ' -f1 /proc/uptime)
	# The exit status crosses the pipe in a file.
	{
		VMTEST_MACHINE=${view:-$machine} timeout 600 /tests/$t 2>&1
		echo $? > /tmp/rc
	} | while IFS= read -r line; do
		say "OUT $name $line"
	done
	end=$(cut -d' ' -f1 /proc/uptime)
	say "END $name $(cat /tmp/rc) $(awk "BEGIN { print $end - $start }")"
}

for t in $tests; do
	if [ -z "$views" ]; then
		run_test $t ""
		continue
	fi
	for v in $views; do
		run_test $t $v
	done
done
finish
