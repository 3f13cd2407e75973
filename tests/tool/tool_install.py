#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""meson install --destdir: the library, header, pkg-config file, tool and man pages land under
the prefix; a program built with pkg-config against the installed tree runs on the simulator."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

from toolcheck import check, done

meson, build, prefix, bindir, libdir, incdir, mandir, example, sanitize = sys.argv[1:10]
cc = os.environ.get("CC", "cc")
version = os.environ["LIBIOMMUFD_VERSION"]  # meson.build's project version


def under(dest, d):
    """An install directory (absolute, or relative to the prefix) inside DESTDIR."""
    return os.path.join(dest, os.path.join(prefix, d).lstrip("/"))


def sh(args, **kw):
    p = subprocess.run(args, capture_output=True, text=True, **kw)
    return p


dest = tempfile.mkdtemp(prefix="iommufd-install-")
try:
    p = sh([meson, "install", "-C", build, "--no-rebuild", "--destdir", dest])
    check(p.returncode == 0, "meson install: %s%s" % (p.stdout[-2000:], p.stderr[-2000:]))

    lib = under(dest, libdir)
    tool = os.path.join(under(dest, bindir), "iommufdctl")
    hdr = os.path.join(under(dest, incdir), "iommufd", "iommufd.h")
    pc = os.path.join(lib, "pkgconfig", "libiommufd.pc")
    man = under(dest, mandir)
    for f in (tool, hdr, pc, os.path.join(man, "man1", "iommufdctl.1"),
              os.path.join(man, "man3", "iommufd.3")):
        check(os.path.exists(f), "installed: %s" % f)
    check(any(re.match(r"libiommufd\.so\.\d", f) for f in os.listdir(lib)) if os.path.isdir(lib)
          else False, "installed: the shared library")
    check(not any(f.startswith(dest) for f in open(pc).read().split()) if os.path.exists(pc)
          else False, "the .pc file does not mention DESTDIR")
    # One version number: the installed header and pages carry meson.build's.
    vh = os.path.join(os.path.dirname(hdr), "version.h")
    check(os.path.exists(vh) and '#define IOMMUFD_VERSION_STRING "%s"' % version in open(vh).read(),
          "installed: iommufd/version.h with version %s" % version)
    for page in (os.path.join(man, "man1", "iommufdctl.1"), os.path.join(man, "man3", "iommufd.3")):
        check(os.path.exists(page) and '"libiommufd %s"' % version in open(page).read(),
              "installed %s says libiommufd %s" % (page, version))

    env = dict(os.environ, LD_LIBRARY_PATH=lib)
    env.pop("IOMMUFD_TRACE", None)

    # The installed tool runs against the installed library.
    p = sh([tool, "--version"], env=env)
    check(p.returncode == 0 and p.stdout.startswith("iommufdctl %s " % version),
          "installed tool runs: " + p.stdout + p.stderr)
    p = sh(["ldd", tool], env=env)
    check(lib in p.stdout, "installed tool uses the installed library:\n" + p.stdout)
    p = sh([tool, "--sim", "devices", "--json"], env=env)
    check(p.returncode == 0 and '"simulated": true' in p.stdout, "installed tool: devices")

    # Every public function has a man page that names it (a link to its group's page).
    header = open(hdr).read() if os.path.exists(hdr) else ""
    api = sorted(set(re.findall(r"IOMMUFD_API\s[^;(]*?\b(iommufd_\w+)\s*\(", header, re.S)))
    check(len(api) > 40, "functions in the installed header")
    for fn in api:
        f = os.path.join(man, "man3", fn + ".3")
        ok = os.path.exists(f) and fn in open(f).read().split(".SH SYNOPSIS")[0]
        check(ok, "man page for %s" % fn)
    if shutil.which("man"):
        p = sh(["man", "-M", man, "-w", "iommufd_container_attach"])
        check(p.returncode == 0 and p.stdout.strip().endswith(".3"),
              "man -w iommufd_container_attach: %s %s" % (p.stdout, p.stderr))

    # A user's program: compiled with pkg-config against the installed tree only.
    # Ahead of the system's directories, which still provide json-c (Requires.private).
    pcenv = dict(env, PKG_CONFIG_PATH=os.path.dirname(pc))
    p = sh(["pkg-config", "--define-variable=prefix=" + under(dest, ""), "--cflags", "--libs",
            "libiommufd"], env=pcenv)
    flags = p.stdout.split()
    check(p.returncode == 0 and "-liommufd" in flags and
          any(f.startswith("-I" + dest) for f in flags), "pkg-config flags: %s %s" %
          (p.stdout, p.stderr))
    prog = os.path.join(dest, "vmm_dirty_round")
    # A sanitized library needs its runtime loaded first: the program is built with it too.
    san = ["-fsanitize=" + sanitize] if sanitize != "none" else []
    p = sh([cc, "-std=gnu11", "-Wall", "-Wextra", "-Werror", example, "-o", prog] + san + flags,
           env=env, cwd=dest)
    if not check(p.returncode == 0, "the example compiles against the installed tree: " + p.stderr):
        done()
    topo = ('--sim={"iommus": [{"name": "dmar0", "driver": "intel-vtd", "dirty_tracking": true}],'
            ' "devices": [{"name": "nic0", "iommu": "dmar0"}, {"name": "nic1", "iommu": "dmar0"}]}')
    p = sh([prog, topo, "nic0", "nic1"], env=env)
    check(p.returncode == 0 and "dirty pages: 6" in p.stdout and
          "kernel objects left: 0" in p.stdout,
          "the installed example runs on the simulator:\n%s%s" % (p.stdout, p.stderr))
finally:
    shutil.rmtree(dest, ignore_errors=True)

done()
