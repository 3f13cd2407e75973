#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The kernel's own iommufd selftests on the simulator, natively, under libiommufd-preload.

  kselftest.py PRELOAD_SO LOG_DIR [VERSION...]

For each kernel of vm/kernels (or those named): its tools/testing/selftests/iommu, from its
own source and unmodified, is built here (dynamically linked, against that kernel's exported
headers; cached beside the VM tier's kernels), then run with LD_PRELOAD on a host of the
selftest's mock IOMMU imitating that kernel. Its TAP is counted and printed next to what the
real kernel passes (vm/kernels: iommufd=N on the VM tier's machine), and the run fails when
the simulator passes fewer cases than vm/kernels records for it (sim-iommufd=N). Every case
that fails is named. A source whose selftests do not build against its own headers (Debian's
6.12.117) is reported as such and expected to pass none.

The suite maps huge pages (MAP_HUGETLB) in a sixth of its cases, as the VM tier does with 96
reserved: the run reserves as many when it may (root) and gives the old count back after, and
is skipped (77) when none can be had.

Environment: LIBIOMMUFD_CACHE (default /var/cache/libiommufd, else ~/.cache/libiommufd),
LIBIOMMUFD_KSELFTEST_TIMEOUT (seconds per program, default 1800).
"""
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
KERNELS = os.path.join(TOP, "vm", "kernels")
PROGRAMS = ["iommufd", "iommufd_fail_nth"]
HUGE_PAGES = 96
# Bump when what the cache holds changes.
RECIPE = "1"


def kernels():
    """[(version, {key: value})] from vm/kernels, in order."""
    out = []
    with open(KERNELS) as f:
        for line in f:
            words = line.split("#", 1)[0].split()
            if len(words) < 4:
                continue
            vals = {}
            for w in words[4:]:
                k, _, v = w.partition("=")
                vals[k] = int(v)
            out.append((words[0], vals))
    return out


def cache_dir():
    c = os.environ.get("LIBIOMMUFD_CACHE") or "/var/cache/libiommufd"
    try:
        os.makedirs(c, exist_ok=True)
        if os.access(c, os.W_OK):
            return c
    except OSError:
        pass
    if os.environ.get("LIBIOMMUFD_CACHE"):
        raise SystemExit("kselftest: cache %s is not writable" % c)
    c = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
                     "libiommufd")
    os.makedirs(c, exist_ok=True)
    return c


def run(cmd, log, **kw):
    with open(log, "w") as f:
        return subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, **kw).returncode


def source_tree(cache, version):
    """The kernel's unpacked source, as vm/build-kernel.sh keeps it (unpacked once)."""
    tarball = "/usr/src/linux-source-%s.tar.xz" % version
    pkg = "linux-source-" + version
    q = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg], capture_output=True,
                       text=True)
    pkgver = q.stdout.strip() if q.returncode == 0 else ""
    if not os.path.exists(tarball):
        return None, None, "missing %s (scripts/install-deps.sh test)" % tarball
    if not pkgver:
        st = os.stat(tarball)
        pkgver = "%d-%d" % (st.st_size, int(st.st_mtime))
    src = os.path.join(cache, "src-%s-%s" % (pkg, pkgver))
    if not os.path.exists(os.path.join(src, "Makefile")):
        with open(src + ".unpack.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not os.path.exists(os.path.join(src, "Makefile")):
                tmp = src + ".tmp"
                shutil.rmtree(tmp, ignore_errors=True)
                os.makedirs(tmp)
                with tarfile.open(tarball) as t:
                    members = []
                    for m in t.getmembers():
                        parts = m.name.split("/", 1)
                        if len(parts) < 2 or not parts[1]:
                            continue
                        m.name = parts[1]
                        members.append(m)
                    t.extractall(tmp, members)
                os.rename(tmp, src)
    return src, "%s %s" % (pkg, pkgver), None


def build(cache, version, log_dir):
    """Build the selftests: (dir of programs, None) or (None, why not)."""
    src, ident, why = source_tree(cache, version)
    if not src:
        return None, why
    key = hashlib.sha256(("%s recipe %s" % (ident, RECIPE)).encode()).hexdigest()[:16]
    out = os.path.join(cache, "preload-kselftest-%s-%s" % (version, key))
    log = os.path.join(log_dir, "kselftest-build-%s.log" % version)
    with open(out + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(os.path.join(out, "build-failed.log")):
            shutil.copy(os.path.join(out, "build-failed.log"), log)
            return None, "its own iommufd selftests do not build against its own headers: " \
                + first_error(log)
        if all(os.path.exists(os.path.join(out, "bin", p)) for p in PROGRAMS):
            return os.path.join(out, "bin"), None
        tmp = out + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(os.path.join(tmp, "bin"))
        if run(["make", "-s", "-C", src, "O=" + os.path.join(tmp, "obj"), "headers"], log):
            return None, "make headers failed (see %s)" % log
        if run(["make", "-s", "-C", os.path.join(src, "tools/testing/selftests/iommu"),
                "OUTPUT=" + os.path.join(tmp, "bin"),
                "KHDR_INCLUDES=-isystem " + os.path.join(tmp, "obj", "usr", "include")], log):
            # kept: a failed build of an unchanged source fails the same way next time
            shutil.rmtree(tmp, ignore_errors=True)
            os.makedirs(out, exist_ok=True)
            shutil.copy(log, os.path.join(out, "build-failed.log"))
            return None, "its own iommufd selftests do not build against its own headers: " \
                + first_error(log)
        shutil.rmtree(os.path.join(tmp, "obj"))
        shutil.rmtree(out, ignore_errors=True)
        os.rename(tmp, out)
    return os.path.join(out, "bin"), None


def first_error(log):
    with open(log, errors="replace") as f:
        for line in f:
            if "error:" in line:
                return line.strip()
    return "see " + log


class HugePages:
    """Reserve huge pages for the run, as the VM tier does, and give the old count back."""
    PATH = "/proc/sys/vm/nr_hugepages"

    def __init__(self, want):
        self.old = None
        self.ok = False
        try:
            with open(self.PATH) as f:
                cur = int(f.read())
        except OSError:
            return
        if cur >= want:
            self.ok = True
            return
        try:
            with open(self.PATH, "w") as f:
                f.write(str(want))
            with open(self.PATH) as f:
                self.ok = int(f.read()) >= want
            self.old = cur
        except OSError:
            pass

    def restore(self):
        if self.old is not None:
            with open(self.PATH, "w") as f:
                f.write(str(self.old))


def count(tap):
    """{case: 'pass'|'fail'|'skip'} from the harness's TAP."""
    res = {}
    for line in tap.splitlines():
        m = re.match(r"^(ok|not ok) \d+ (\S+)(.*)$", line)
        if not m:
            continue
        if "# SKIP" in m.group(3):
            res[m.group(2)] = "skip"
        else:
            res[m.group(2)] = "pass" if m.group(1) == "ok" else "fail"
    return res


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    preload, log_dir = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    os.makedirs(log_dir, exist_ok=True)
    known = kernels()
    wanted = sys.argv[3:] or [v for v, _ in known]
    cache = cache_dir()
    timeout = int(os.environ.get("LIBIOMMUFD_KSELFTEST_TIMEOUT", "1800"))
    n = failed = 0
    huge = HugePages(HUGE_PAGES)
    try:
        if not huge.ok:
            print("1..0 # SKIP the suite maps huge pages and none could be reserved "
                  "(%d, as root: echo %d > %s)" % (HUGE_PAGES, HUGE_PAGES, HugePages.PATH))
            return 77
        for version in wanted:
            vals = dict(known).get(version)
            if vals is None:
                sys.exit("kselftest: %s is not in vm/kernels" % version)
            bindir, why = build(cache, version, log_dir)
            for prog in PROGRAMS:
                n += 1
                real, want = vals.get(prog, 0), vals.get("sim-" + prog, 0)
                if not bindir:
                    ok = want == 0
                    failed += not ok
                    print("%s %d - linux-%s %s: %s (%s expects %d passes on the simulator)"
                          % ("ok" if ok else "not ok", n, version, prog, why,
                             os.path.relpath(KERNELS, TOP), want))
                    continue
                topo = os.path.join(log_dir, "kselftest-topology-%s.json" % version)
                with open(topo, "w") as f:
                    json.dump({"kernel": version, "devices": [], "iommus": [
                        {"name": "mock0", "driver": "iommufd-selftest",
                         "dirty_tracking": True}]}, f)
                env = dict(os.environ, LD_PRELOAD=preload, IOMMUFD_SIM_TOPOLOGY=topo)
                env.pop("IOMMUFD_TRACE", None)
                log = os.path.join(log_dir, "kselftest-%s-%s.log" % (version, prog))
                try:
                    p = subprocess.run([os.path.join(bindir, prog)], env=env,
                                       capture_output=True, text=True, timeout=timeout,
                                       cwd=bindir)
                    out = p.stdout + p.stderr
                except subprocess.TimeoutExpired as e:
                    out = (e.stdout or b"").decode(errors="replace") + "\n# timed out\n"
                with open(log, "w") as f:
                    f.write(out)
                res = count(out)
                c = {k: sum(1 for v in res.values() if v == k) for k in ("pass", "fail", "skip")}
                print("# linux-%s %s on the simulator: %d passed, %d failed, %d skipped of %d; "
                      "the real kernel passes %d (vm/kernels)"
                      % (version, prog, c["pass"], c["fail"], c["skip"], len(res), real))
                for case in sorted(k for k, v in res.items() if v == "fail"):
                    print("#   fails on the simulator: %s" % case)
                ok = c["pass"] >= want and len(res) > 0
                failed += not ok
                print("%s %d - linux-%s %s on the simulator: %d passed (at least %d expected, "
                      "%.1f%% of the real kernel's %d)"
                      % ("ok" if ok else "not ok", n, version, prog, c["pass"], want,
                         100.0 * c["pass"] / real if real else 0.0, real))
    finally:
        huge.restore()
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
