#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Boot the test VM, run the guest test programs, report TAP on stdout.

Machines:
  A  q35 with an emulated Intel IOMMU (VT-d) and emulated PCI devices that the
     guest binds to vfio-pci: the real VFIO cdev path.
  B  q35 without an IOMMU: the kernel's iommufd selftest mock devices.
  AB machine A where the kernel makes mock devices beside VT-d (7.x): every
     guest program runs twice in one boot, as A (VFIO devices) and as B (mocks).

The kernel is one of vm/kernels (--kernel-version, default the first listed),
built and cached by vm/build-kernel.sh. Every TAP line names it and the
machine: "linux-7.3 AB/B: guest_objects: ...".

--kselftest runs the kernel's own iommufd selftests (built with the kernel from
its source) instead of the given initramfs, as a reference: their cases are
shown as notes, and one result per program passes when it passed at least as
many cases as vm/kernels expects of that kernel.

The guest writes its results on a serial port of their own (see vm/init.sh);
the kernel console goes to a log file whose tail is shown when something goes
wrong. Every failure mode ends in a clear TAP "Bail out!" or "not ok", never a
hang: a boot timeout, an overall timeout, and qemu exiting before the guest
said DONE (a kernel panic reboots, and -no-reboot turns that into an exit).

Environment:
  LIBIOMMUFD_SKIP_VM=1      skip this tier (TAP skip)
  LIBIOMMUFD_VM_TIMEOUT     seconds for the whole run of one machine (default 900)
  LIBIOMMUFD_VM_BOOT_TIMEOUT  seconds until the guest's /init reports (default 180)
  LIBIOMMUFD_VM_ACCEL       qemu -accel value (default tcg)
  LIBIOMMUFD_QEMU           qemu binary (default qemu-system-x86_64)
  LIBIOMMUFD_VM_KERNELS     another kernels file than vm/kernels (the runner's own tests)
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# seconds from qemu start to the guest's BOOT line (TCG)
BOOT_TIMEOUT = float(os.environ.get("LIBIOMMUFD_VM_BOOT_TIMEOUT", 180))

MACHINES = {
    "A": {
        "machine": "q35,kernel-irqchip=split",
        "devices": [
            # The IOMMU must come before the devices it translates for.
            "-device", "intel-iommu,intremap=on,caching-mode=on",
            # Emulated PCI devices for vfio-pci (vm/init.sh binds those named
            # by vmtest.vfio=): QEMU's "edu" device does DMA; none needs a
            # backend.
            "-device", "edu,addr=0x3",
            "-device", "edu,addr=0x4",
            "-device", "pci-testdev,addr=0x5",
        ],
        "cmdline": "intel_iommu=on vmtest.vfio=0000:00:03.0,0000:00:04.0,0000:00:05.0",
    },
    "B": {
        "machine": "q35",
        "devices": [],
        "cmdline": "",
    },
}
# The same hardware as A; the guest runs each program once per view (vm/init.sh).
MACHINES["AB"] = dict(MACHINES["A"], cmdline=MACHINES["A"]["cmdline"] + " vmtest.views=A,B")


def kernels():
    """vm/kernels: [(version, {"machines": [...], "min": {program: passes}})], in order."""
    out = []
    with open(os.environ.get("LIBIOMMUFD_VM_KERNELS") or os.path.join(HERE, "kernels")) as f:
        for line in f:
            words = line.split("#", 1)[0].split()
            if not words:
                continue
            mins = {}
            for w in words[4:]:
                k, _, v = w.partition("=")
                mins[k] = int(v)
            out.append((words[0], {"machines": words[3].split(","), "min": mins}))
    return out


class Tap:
    def __init__(self, prefix=""):
        self.n = 0
        self.failed = 0
        self.prefix = prefix

    def point(self, ok, desc, directive=None):
        self.n += 1
        desc = self.prefix + desc
        # a TODO is a known gap: TAP does not count it as a failure
        if not ok and not (directive or "").upper().startswith("TODO"):
            self.failed += 1
        line = "%s %d - %s" % ("ok" if ok else "not ok", self.n, desc)
        if directive:
            line += " # " + directive
        print(line, flush=True)

    def note(self, msg):
        for line in str(msg).splitlines() or [""]:
            print("# " + line, flush=True)

    def bail(self, msg):
        print("Bail out! " + msg, flush=True)
        sys.exit(1)


def tail(path, lines=40):
    try:
        with open(path, "rb") as f:
            data = f.read().decode("utf-8", "replace")
    except OSError:
        return "(no console log)"
    return "\n".join(data.splitlines()[-lines:])


def get_kernel(args, tap):
    if args.kernel:
        return args.kernel
    t0 = time.monotonic()
    # build-kernel.sh prints the image path; its progress goes to stderr.
    res = subprocess.run([args.build_kernel, args.kernel_version], stdout=subprocess.PIPE,
                         text=True)
    if res.returncode != 0 or not res.stdout.strip():
        tap.bail("kernel build failed (%s exited %d)" % (args.build_kernel, res.returncode))
    took = time.monotonic() - t0
    if took > 30:
        tap.note("built the guest kernel in %.0f s" % took)
    return res.stdout.strip().splitlines()[-1]


def qemu_command(args, spec, kernel, console, results):
    qemu = os.environ.get("LIBIOMMUFD_QEMU", "qemu-system-x86_64")
    accel = os.environ.get("LIBIOMMUFD_VM_ACCEL", "tcg")
    # VMTEST_* variables of the host reach the guest programs: the kernel hands
    # NAME=value words it does not know to /init as its environment.
    passed = ["%s=%s" % (k, v) for k, v in sorted(os.environ.items())
              if re.fullmatch(r"VMTEST_[A-Z0-9_]+", k) and re.fullmatch(r"[\w.,:/-]+", v)]
    append = " ".join(x for x in [
        "console=ttyS0", "panic=-1", "oops=panic", "loglevel=4",
        # under TCG on a loaded host the IO-APIC timer check can fail and panic
        "no_timer_check",
        spec["cmdline"], "vmtest.machine=" + args.machine] + passed if x)
    return [qemu, "-machine", spec["machine"], "-accel", accel,
            "-m", spec.get("memory", "512M"), "-smp", "1", "-nodefaults", "-display", "none",
            "-no-reboot", "-monitor", "none",
            "-kernel", kernel, "-initrd", args.initramfs, "-append", append,
            "-serial", "file:" + console, "-serial", "file:" + results,
            ] + spec["devices"]


class Guest:
    """Turns the guest's protocol lines into TAP."""

    def __init__(self, tap, machine, kselftest=None):
        self.tap = tap
        self.machine = machine
        # --kselftest: {program: [passed, failed, skipped]}; cases become notes
        self.kselftest = kselftest
        self.booted = None
        self.done = None
        self.current = None
        self.inner_failed = False
        self.setup_problems = []
        self.tests_run = 0

    def line(self, line, elapsed):
        if not line.startswith("@@VMTEST "):
            self.tap.note("guest: " + line)
            return
        kind, _, rest = line[len("@@VMTEST "):].partition(" ")
        if kind == "BOOT":
            self.booted = elapsed
            self.tap.note("machine %s: /init started %.1f s after qemu start (%s)"
                          % (self.machine, elapsed, rest))
        elif kind == "SETUP":
            self.tap.note("setup: " + rest)
            if re.search(r"failed|missing|not bound|empty", rest):
                self.setup_problems.append(rest)
        elif kind == "BEGIN":
            self.current = rest
            self.inner_failed = False
        elif kind == "OUT":
            name, _, text = rest.partition(" ")
            self.inner(name, text)
        elif kind == "END":
            parts = rest.split()
            name, rc = parts[0], int(parts[1]) if len(parts) > 1 else -1
            secs = parts[2] if len(parts) > 2 else "?"
            self.tests_run += 1
            if self.kselftest is not None:
                counts = self.kselftest.setdefault(name, [0, 0, 0])
                self.tap.note("%s: exit status %d, %s s: %d passed, %d failed, %d skipped"
                              % (name, rc, secs, counts[0], counts[1], counts[2]))
                self.kselftest[name].append(rc)
                self.current = None
                return
            ok = rc == 0
            what = "exit status %d" % rc
            if rc == 124 or rc == 143:
                what += " (killed by the guest's timeout)"
            elif rc > 128:
                what += " (signal %d)" % (rc - 128)
            self.tap.point(ok, "%s: %s, %s s" % (name, what, secs))
            self.current = None
        elif kind == "DONE":
            self.done = elapsed

    def inner(self, name, text):
        m = re.match(r"^(ok|not ok)\s+\d+\s*(?:-\s*)?(.*)$", text)
        if m and self.kselftest is not None:
            desc, _, directive = m.group(2).partition(" # ")
            counts = self.kselftest.setdefault(name, [0, 0, 0])
            if directive.strip().upper().startswith("SKIP"):
                counts[2] += 1
            elif m.group(1) == "ok":
                counts[0] += 1
            else:
                counts[1] += 1
                self.tap.note("%s: FAILED %s" % (name, desc.strip()))
        elif m:
            desc, _, directive = m.group(2).partition(" # ")
            ok = m.group(1) == "ok"
            self.tap.point(ok, "%s: %s" % (name, desc.strip()), directive.strip() or None)
        elif re.match(r"^1\.\.\d+", text):
            pass  # the guest program's own plan; ours is printed at the end
        elif text.startswith("#"):
            self.tap.note("%s: %s" % (name, text.lstrip("# ")))
        else:
            self.tap.note("%s| %s" % (name, text))


def kselftest_initramfs(args, kernel, tap, tmp, mins):
    """An initramfs of the kernel's own iommufd selftests, built with that kernel."""
    failed = os.path.join(os.path.dirname(kernel), "kselftest", "build-failed.log")
    if os.path.exists(failed):
        with open(failed, errors="replace") as f:
            errors = [l.strip() for l in f if "error:" in l]
        why = "linux %s's own iommufd selftests do not build against its own headers: %s" % (
            args.kernel_version, errors[0] if errors else "see " + failed)
        if any(mins.values()):
            tap.bail(why + " (vm/kernels expects passes)")
        print("1..0 # SKIP " + why, flush=True)
        sys.exit(0)
    progs = [os.path.join(os.path.dirname(kernel), "kselftest", p)
             for p in ("iommufd", "iommufd_fail_nth")]
    for p in progs:
        if not os.access(p, os.X_OK):
            tap.bail("%s is missing: the kernel cache entry predates the selftests" % p)
    out = os.path.join(tmp, "initramfs-kselftest.cpio")
    res = subprocess.run([os.path.join(HERE, "build-initramfs.sh"), out] + progs)
    if res.returncode != 0:
        tap.bail("build-initramfs.sh failed for the kernel selftests")
    return out


def run(args):
    known = dict(kernels())
    if args.kernel_version is None:
        args.kernel_version = kernels()[0][0]
    tag = "%s-%s" % (args.machine, args.kernel_version)
    if args.kselftest:
        tag = "kselftest-" + tag
    tap = Tap("linux-%s %s: " % (args.kernel_version, args.machine))
    print("TAP version 13", flush=True)
    if os.environ.get("LIBIOMMUFD_SKIP_VM"):
        print("1..0 # SKIP LIBIOMMUFD_SKIP_VM is set", flush=True)
        return 0
    spec = MACHINES[args.machine]
    if args.kselftest:
        # once per boot, not once per view; huge pages for their dirty tracking cases
        # (up to 128 MiB of them), hence more memory
        spec = dict(spec, cmdline=spec["cmdline"].replace(" vmtest.views=A,B", "")
                    + " hugepages=96", memory="1024M")
    timeout = float(os.environ.get("LIBIOMMUFD_VM_TIMEOUT", args.timeout))

    kernel = get_kernel(args, tap)
    os.makedirs(args.log_dir, exist_ok=True)
    tmp = tempfile.TemporaryDirectory(dir=args.log_dir)
    if args.kselftest and not args.initramfs:
        args.initramfs = kselftest_initramfs(args, kernel, tap, tmp.name,
                                             known.get(args.kernel_version, {"min": {}})["min"])
    elif not args.initramfs:
        tap.bail("--initramfs is required")
    console = os.path.join(args.log_dir, "console-%s.log" % tag)
    results = os.path.join(args.log_dir, "results-%s.log" % tag)
    for p in (console, results):
        if os.path.exists(p):
            os.unlink(p)
    cmd = qemu_command(args, spec, kernel, console, results)
    tap.note("qemu: " + " ".join(cmd))
    tap.note("console log: " + console)

    guest = Guest(tap, args.machine, {} if args.kselftest else None)
    start = time.monotonic()
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
    except OSError as e:
        tap.bail("cannot start qemu: %s (apt-get install qemu-system-x86)" % e)

    os.set_blocking(proc.stdout.fileno(), False)
    qemu_out = b""
    buf = b""
    pos = 0
    reason = None
    while True:
        elapsed = time.monotonic() - start
        try:
            with open(results, "rb") as f:
                f.seek(pos)
                data = f.read()
                pos += len(data)
        except FileNotFoundError:
            data = b""
        buf += data
        while b"\n" in buf:
            raw, buf = buf.split(b"\n", 1)
            guest.line(raw.decode("utf-8", "replace").rstrip("\r"), elapsed)
        chunk = proc.stdout.read()
        if chunk:
            qemu_out += chunk
        if proc.poll() is not None:
            if guest.done is None:
                # Drain what arrived between the last read and the exit.
                time.sleep(0.2)
                try:
                    with open(results, "rb") as f:
                        f.seek(pos)
                        buf += f.read()
                except FileNotFoundError:
                    pass
                for raw in buf.split(b"\n"):
                    if raw:
                        guest.line(raw.decode("utf-8", "replace").rstrip("\r"), elapsed)
            break
        if guest.booted is None and elapsed > BOOT_TIMEOUT:
            reason = "the guest did not reach /init within %d s" % BOOT_TIMEOUT
        elif elapsed > timeout:
            reason = "timed out after %d s" % timeout
            if guest.current:
                reason += " while running " + guest.current
        if reason:
            proc.kill()
            proc.wait()
            break
        time.sleep(0.05)
    wall = time.monotonic() - start
    rest = proc.stdout.read() if proc.stdout else b""
    if rest:
        qemu_out += rest

    if qemu_out.strip():
        tap.note("qemu said:\n" + qemu_out.decode("utf-8", "replace").strip())
    if reason is None and guest.done is None:
        reason = "qemu exited (status %d) before the guest finished" % proc.returncode
        if guest.current:
            reason += "; it was running " + guest.current
    if reason:
        tap.note("last lines of the console:\n" + tail(console))
        tap.bail("machine %s: %s" % (args.machine, reason))

    if guest.setup_problems:
        tap.point(False, "machine %s setup: %s" % (args.machine, "; ".join(guest.setup_problems)))
    if guest.tests_run == 0:
        tap.point(False, "machine %s ran no guest test" % args.machine)
    if args.kselftest:
        mins = known.get(args.kernel_version, {"min": {}})["min"]
        for name, c in sorted(guest.kselftest.items()):
            want = mins.get(name, 0)
            tap.note("kernel selftest %s on linux %s: %d passed, %d failed, %d skipped"
                     % (name, args.kernel_version, c[0], c[1], c[2]))
            tap.point(c[0] >= want and c[0] + c[1] + c[2] > 0,
                      "kernel selftest %s: %d passed, %d failed, %d skipped "
                      "(at least %d passes expected)" % (name, c[0], c[1], c[2], want))
    tap.note("machine %s: boot to /init %.1f s, boot to results %.1f s, qemu wall time %.1f s"
             % (args.machine, guest.booted or -1, guest.done, wall))
    print("1..%d" % tap.n, flush=True)
    return 1 if tap.failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--machine", choices=sorted(MACHINES), required=True)
    ap.add_argument("--kernel-version", help="a version of vm/kernels (default the first)")
    ap.add_argument("--initramfs")
    ap.add_argument("--kselftest", action="store_true",
                    help="run the kernel's own iommufd selftests (from the kernel's cache "
                    "entry, unless --initramfs names an initramfs that has them)")
    ap.add_argument("--kernel", help="a bzImage (default: build-kernel.sh's cached one)")
    ap.add_argument("--build-kernel",
                    default=os.path.join(HERE, "build-kernel.sh"))
    ap.add_argument("--log-dir", default=".")
    ap.add_argument("--timeout", type=float, default=900)
    sys.exit(run(ap.parse_args()))


if __name__ == "__main__":
    main()
