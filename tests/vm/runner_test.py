#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The VM runner's own behaviour, without a VM: vm/run-vm.py drives a fake
qemu (this file, run with --fake-qemu) that plays one way a boot can go.
Every way must end in a clear result, never a hang. Prints TAP."""

import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RUN_VM = os.path.join(HERE, "..", "..", "vm", "run-vm.py")


def fake_qemu(argv):
    """Write what a guest would, per FAKE_QEMU_MODE, to the -serial files."""
    files = [a[len("file:"):] for a in argv if a.startswith("file:")]
    console, results = files[0], files[1]
    mode = os.environ["FAKE_QEMU_MODE"]
    with open(console, "w") as c:
        c.write("Linux version 6.12 (fake)\n")
    if mode == "panic":
        with open(console, "a") as c:
            c.write("Kernel panic - not syncing: No working init found.\n")
        return 0
    if mode == "no-boot":
        time.sleep(60)
        return 0

    def say(line):
        with open(results, "a") as r:
            r.write("@@VMTEST " + line + "\n")

    say("BOOT X 6.12 0.5")
    if mode == "kselftest":
        for name, lines in (("iommufd", ["ok 1 a", "ok 2 b", "not ok 3 c", "ok 4 d # SKIP no"]),
                            ("iommufd_fail_nth", ["ok 1 x"])):
            say("BEGIN " + name)
            say("OUT %s TAP version 13" % name)
            for line in lines:
                say("OUT %s %s" % (name, line))
            say("END %s %d 0.1" % (name, 1 if name == "iommufd" else 0))
        say("DONE 1.0")
        return 0
    say("BEGIN prog")
    say("OUT prog 1..3")
    say("OUT prog ok 1 - first")
    if mode == "fail":
        say("OUT prog # prog.c:10: assertion failed")
        say("OUT prog not ok 2 - second")
    else:
        say("OUT prog ok 2 - second")
    say("OUT prog not ok 3 - third # TODO a known gap")
    if mode == "hang":
        time.sleep(60)
        return 0
    if mode == "crash":
        say("END prog 139 0.1")
    else:
        say("END prog %d 0.1" % (1 if mode == "fail" else 0))
    if mode != "early-exit":
        say("DONE 1.0")
    return 0


def run(mode, extra_env=None, args=()):
    env = dict(os.environ)
    env.pop("LIBIOMMUFD_SKIP_VM", None)
    env.update({"FAKE_QEMU_MODE": mode,
                "LIBIOMMUFD_QEMU": os.path.abspath(__file__),
                "LIBIOMMUFD_VM_TIMEOUT": "3",
                "LIBIOMMUFD_VM_BOOT_TIMEOUT": "2"})
    env.update(extra_env or {})
    with tempfile.TemporaryDirectory() as d:
        kernel = os.path.join(d, "bzImage")
        open(kernel, "w").close()
        t0 = time.monotonic()
        res = subprocess.run([sys.executable, RUN_VM, "--machine", "B", "--kernel", kernel,
                              "--initramfs", kernel, "--log-dir", d] + list(args),
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, timeout=60)
        if "LIBIOMMUFD_VM_KERNELS" in (extra_env or {}):
            os.unlink(extra_env["LIBIOMMUFD_VM_KERNELS"])
        return res.returncode, res.stdout, time.monotonic() - t0


CASES = []


def case(fn):
    CASES.append(fn)
    return fn


def expect(cond, what, out):
    if not cond:
        raise AssertionError(what + "\n" + out)


@case
def all_pass():
    rc, out, _ = run("pass")
    expect(rc == 0, "exit status %d" % rc, out)
    # every result names the kernel (the first of vm/kernels by default) and the machine
    expect(re.search(r"^ok \d+ - linux-6\.12 B: prog: first$", out, re.M), "inner ok forwarded",
           out)
    expect(re.search(r"^not ok \d+ - linux-6\.12 B: prog: third # TODO a known gap$", out, re.M),
           "TODO kept", out)
    expect(re.search(r"^ok \d+ - linux-6\.12 B: prog: exit status 0", out, re.M), "exit point",
           out)
    expect(re.search(r"^1\.\.4$", out, re.M), "plan at the end", out)


@case
def a_failing_case_fails():
    rc, out, _ = run("fail")
    expect(rc == 1, "exit status %d" % rc, out)
    expect(re.search(r"^not ok \d+ - linux-6\.12 B: prog: second$", out, re.M),
           "not ok forwarded", out)
    expect("prog.c:10: assertion failed" in out, "diagnostic forwarded", out)
    expect(re.search(r"^not ok \d+ - linux-6\.12 B: prog: exit status 1", out, re.M),
           "exit point", out)


@case
def a_crash_is_named():
    rc, out, _ = run("crash")
    expect(rc == 1, "exit status %d" % rc, out)
    expect("(signal 11)" in out, "signal named", out)


@case
def a_panic_bails_out_with_the_console():
    rc, out, t = run("panic")
    expect(rc == 1, "exit status %d" % rc, out)
    expect(re.search(r"^Bail out! machine B: qemu exited", out, re.M), "bail out", out)
    expect("Kernel panic" in out, "console tail shown", out)


@case
def a_boot_that_never_reaches_init_times_out():
    rc, out, t = run("no-boot")
    expect(rc == 1, "exit status %d" % rc, out)
    expect("did not reach /init" in out, "boot timeout named", out)
    expect(t < 30, "took %.0f s" % t, out)


@case
def a_hung_test_times_out_naming_it():
    rc, out, t = run("hang")
    expect(rc == 1, "exit status %d" % rc, out)
    expect(re.search(r"Bail out! machine B: timed out after 3 s while running prog", out),
           "timeout names the test", out)
    expect(t < 30, "took %.0f s" % t, out)


@case
def qemu_exiting_before_done_fails():
    rc, out, _ = run("early-exit")
    expect(rc == 1, "exit status %d" % rc, out)
    expect("before the guest finished" in out, "early exit named", out)


@case
def the_kernel_version_is_named():
    rc, out, _ = run("pass", args=["--kernel-version", "7.3"])
    expect(rc == 0, "exit status %d" % rc, out)
    expect(re.search(r"^ok \d+ - linux-7\.3 B: prog: first$", out, re.M), "7.3 named", out)


def with_minimums(iommufd, fail_nth):
    """A kernels file for 6.12 expecting these passes of its selftests."""
    f = tempfile.NamedTemporaryFile("w", suffix=".kernels", delete=False)
    f.write("6.12 bookworm deb12 B iommufd=%d iommufd_fail_nth=%d\n" % (iommufd, fail_nth))
    f.close()
    return {"LIBIOMMUFD_VM_KERNELS": f.name}


@case
def kernel_selftests_count_against_the_minimum():
    rc, out, _ = run("kselftest", with_minimums(2, 1), ["--kselftest"])
    expect(rc == 0, "exit status %d" % rc, out)
    # their cases are notes, their failures too: one result per program
    expect(not re.search(r"^(not )?ok \d+ - .*: c$", out, re.M), "cases not results", out)
    expect("# iommufd: FAILED c" in out, "failure noted", out)
    expect(re.search(r"^ok \d+ - linux-6\.12 B: kernel selftest iommufd: 2 passed, 1 failed, "
                     r"1 skipped \(at least 2 passes expected\)$", out, re.M), "summary", out)
    expect(re.search(r"^ok \d+ - linux-6\.12 B: kernel selftest iommufd_fail_nth: 1 passed",
                     out, re.M), "second program", out)


@case
def kernel_selftests_below_the_minimum_fail():
    rc, out, _ = run("kselftest", with_minimums(3, 1), ["--kselftest"])
    expect(rc == 1, "exit status %d" % rc, out)
    expect(re.search(r"^not ok \d+ - linux-6\.12 B: kernel selftest iommufd: 2 passed", out,
                     re.M), "below the minimum", out)


@case
def skip_variable_skips():
    rc, out, _ = run("pass", {"LIBIOMMUFD_SKIP_VM": "1"})
    expect(rc == 0 and "1..0 # SKIP" in out, "skipped", out)


@case
def missing_qemu_bails_out():
    rc, out, _ = run("pass", {"LIBIOMMUFD_QEMU": "/nonexistent/qemu"})
    expect(rc == 1 and "Bail out! cannot start qemu" in out, "bail out", out)


def main():
    if len(sys.argv) > 1 and sys.argv[1] != "--fake-qemu" and sys.argv[1].startswith("-"):
        # called as qemu by run-vm.py
        sys.exit(fake_qemu(sys.argv[1:]))
    print("1..%d" % len(CASES))
    failed = 0
    for i, fn in enumerate(CASES, 1):
        try:
            fn()
            print("ok %d - %s" % (i, fn.__name__))
        except AssertionError as e:
            failed += 1
            for line in str(e).splitlines():
                print("# " + line)
            print("not ok %d - %s" % (i, fn.__name__))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
