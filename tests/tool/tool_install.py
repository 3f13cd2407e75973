#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""meson install --destdir: both libraries (libiommufd, libiommufd-sim), the headers, both
pkg-config files, the tool and the man pages land under the prefix; a production program links
with libiommufd alone (no json-c, no simulator), and one that uses the simulator with
libiommufd-sim, and runs on it."""
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


# A program a VMM could be: the production calls only. Opening an iommufd that is not there
# fails with the kernel's errno, passed through.
VMM_SOURCE = r"""
#include <stdio.h>
#include <string.h>
#include <iommufd/iommufd.h>

int main(int argc, char **argv)
{
	struct iommufd_ctx *ctx;
	int ret = iommufd_open(argc > 1 ? argv[1] : NULL, &ctx);

	if (ret >= 0 || strcmp(iommufd_version(), IOMMUFD_VERSION_STRING))
		return 1;
	printf("%s: %s\n", iommufd_version(), strerror(-ret));
	return 0;
}
"""

dest = tempfile.mkdtemp(prefix="iommufd-install-")
try:
    p = sh([meson, "install", "-C", build, "--no-rebuild", "--destdir", dest])
    check(p.returncode == 0, "meson install: %s%s" % (p.stdout[-2000:], p.stderr[-2000:]))

    lib = under(dest, libdir)
    tool = os.path.join(under(dest, bindir), "iommufdctl")
    hdr = os.path.join(under(dest, incdir), "iommufd", "iommufd.h")
    pc = os.path.join(lib, "pkgconfig", "libiommufd.pc")
    pc_sim = os.path.join(lib, "pkgconfig", "libiommufd-sim.pc")
    man = under(dest, mandir)
    for f in (tool, hdr, pc, pc_sim, os.path.join(man, "man1", "iommufdctl.1"),
              os.path.join(man, "man3", "iommufd.3")):
        check(os.path.exists(f), "installed: %s" % f)
    libs = os.listdir(lib) if os.path.isdir(lib) else []
    for name in ("libiommufd", "libiommufd-sim"):
        for kind in (r"\.so\.\d", r"\.a$"):
            check(any(re.match(re.escape(name) + kind, f) for f in libs),
                  "installed: %s (%s)" % (name, kind))
    for f in (pc, pc_sim):
        check(not any(w.startswith(dest) for w in open(f).read().split()) if os.path.exists(f)
              else False, "%s does not mention DESTDIR" % f)
    # One version number: the installed header and pages carry meson.build's.
    vh = os.path.join(os.path.dirname(hdr), "version.h")
    check(os.path.exists(vh) and
          '#define IOMMUFD_VERSION_STRING "%s"' % version in open(vh).read(),
          "installed: iommufd/version.h with version %s" % version)
    for page in (os.path.join(man, "man1", "iommufdctl.1"),
                 os.path.join(man, "man3", "iommufd.3")):
        check(os.path.exists(page) and '"libiommufd %s"' % version in open(page).read(),
              "installed %s says libiommufd %s" % (page, version))

    # The production library needs neither json-c nor the simulator; the simulator's needs it.
    def needed(so):
        p = sh(["readelf", "-d", so])
        return re.findall(r"\(NEEDED\).*\[(.*)\]", p.stdout)
    so = os.path.join(lib, "libiommufd.so")
    so_sim = os.path.join(lib, "libiommufd-sim.so")
    check(os.path.exists(so) and not any("json-c" in n or "iommufd-sim" in n for n in needed(so)),
          "libiommufd.so needs no json-c and no simulator: %s" % needed(so))
    check(os.path.exists(so_sim) and any(n.startswith("libiommufd.so.") for n in needed(so_sim)),
          "libiommufd-sim.so needs libiommufd.so: %s" % needed(so_sim))

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

    # Users' programs: compiled with pkg-config against the installed tree only, ahead of the
    # system's directories, which still provide json-c (libiommufd-sim's Requires.private).
    pcenv = dict(env, PKG_CONFIG_PATH=os.path.dirname(pc))

    def pkg_flags(name):
        p = sh(["pkg-config", "--define-variable=prefix=" + under(dest, ""), "--cflags",
                "--libs", name], env=pcenv)
        flags = p.stdout.split()
        check(p.returncode == 0 and any(f.startswith("-I" + dest) for f in flags),
              "pkg-config %s: %s %s" % (name, p.stdout, p.stderr))
        return flags

    # A sanitized library needs its runtime loaded first: the programs are built with it too.
    san = ["-fsanitize=" + sanitize] if sanitize != "none" else []

    def compile_prog(src, out, flags):
        return sh([cc, "-std=gnu11", "-Wall", "-Wextra", "-Werror", src, "-o", out] + san + flags,
                  env=env, cwd=dest)

    # A VMM: the production API only, linked with libiommufd alone.
    flags = pkg_flags("libiommufd")
    check("-liommufd" in flags and "-liommufd-sim" not in flags and
          not any("json-c" in f for f in flags), "pkg-config libiommufd: %s" % flags)
    vmm = os.path.join(dest, "vmm.c")
    with open(vmm, "w") as f:
        f.write(VMM_SOURCE)
    prog = os.path.join(dest, "vmm")
    p = compile_prog(vmm, prog, flags)
    if not check(p.returncode == 0, "a production program links with libiommufd alone: " +
                 p.stderr):
        done()
    p = sh([prog, os.path.join(dest, "no-such-iommu")], env=env)
    check(p.returncode == 0 and p.stdout == "%s: No such file or directory\n" % version,
          "the production program runs: %r %r" % (p.stdout, p.stderr))
    p = sh(["readelf", "-d", prog])
    check("iommufd-sim" not in p.stdout and "libiommufd.so" in p.stdout,
          "the production program loads libiommufd only:\n" + p.stdout)

    # The example drives the simulator: libiommufd alone does not have it...
    prog = os.path.join(dest, "vmm_dirty_round")
    p = compile_prog(example, prog, flags)
    check(p.returncode != 0 and "undefined reference to `iommufd_sim_" in p.stderr,
          "a program that uses the simulator does not link with libiommufd alone: " +
          p.stdout + p.stderr)
    # ...libiommufd-sim does, and brings libiommufd.
    flags = pkg_flags("libiommufd-sim")
    check("-liommufd-sim" in flags and "-liommufd" in flags,
          "pkg-config libiommufd-sim brings libiommufd: %s" % flags)
    p = compile_prog(example, prog, flags)
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
