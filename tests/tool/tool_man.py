#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The man pages: every public function named by a man3 page, every tool option in
iommufdctl(1), and groff renders them without a warning."""
import os
import re
import subprocess
import sys

from toolcheck import check, done, run

src = sys.argv[1]                       # the source tree
header = open(os.path.join(src, "include/iommufd/iommufd.h")).read()
api = set(re.findall(r"IOMMUFD_API\s[^;(]*?\b(iommufd_\w+)\s*\(", header, re.S))
check(len(api) > 40, "found the public functions in the header (%d)" % len(api))

man3 = os.path.join(src, "man/man3")
named = {}
for page in sorted(os.listdir(man3)):
    text = open(os.path.join(man3, page)).read()
    m = re.search(r"^\.SH NAME\n(.*?)\\-", text, re.S | re.M)
    if not check(m is not None, "%s has a NAME section" % page):
        continue
    for fn in re.findall(r"iommufd\w*", m.group(1)):
        named.setdefault(fn, []).append(page)
for fn in sorted(api):
    check(fn in named, "%s is named in a man3 page" % fn)
    check(len(named.get(fn, [])) <= 1, "%s is named by one page only" % fn)
for fn in named:
    check(fn in api or fn == "iommufd", "%s (named in %s) is public" % (fn, named[fn]))

# Each function gets a link page: man/meson.build lists it under the page naming it.
build = open(os.path.join(src, "man/meson.build")).read()
for fn, pages in named.items():
    if fn + ".3" in pages:
        continue
    block = re.search(r"'%s': \[(.*?)\]" % re.escape(pages[0]), build, re.S)
    check(block is not None and ("'%s'" % fn) in block.group(1),
          "man/meson.build links %s to %s" % (fn, pages[0]))

# Every option the tool's help shows is documented in iommufdctl(1).
page1 = open(os.path.join(src, "man/iommufdctl.1")).read().replace("\\-", "-")
for cmd in ((), ("devices",), ("attach",), ("migrate",)):
    r = run(*(list(cmd) + ["--help"]))
    for opt in set(re.findall(r"--[a-z][a-z-]+", r.out)):
        check(opt in page1, "iommufdctl(1) documents %s (%s)" % (opt, " ".join(cmd) or "global"))
for code in ("0", "1", "2", "3"):
    check(re.search(r"\.SH EXIT STATUS.*?\.B %s\n" % code, page1, re.S), "exit status %s" % code)
# Scripts are told that exit status 0 of migrate is not convergence.
status0 = re.search(r"\.SH EXIT STATUS\n\.TP\n\.B 0\n(.*?)\n\.TP", page1, re.S)
check(status0 is not None and "did not converge" in status0.group(1) and
      "\n.B converged\n" in status0.group(1), "exit status 0: migrate's convergence is read")

pages = [os.path.join(src, "man/iommufdctl.1")] + [os.path.join(man3, p) for p in os.listdir(man3)]

# One version number: every page's .TH line takes meson.build's at install (man/meson.build).
for p in pages:
    th = re.search(r"^\.TH .*$", open(p).read(), re.M)
    check(th is not None and '"libiommufd @VERSION@"' in th.group(0),
          "%s: .TH says \"libiommufd @VERSION@\", not a version of its own: %s" %
          (p, th.group(0) if th else "no .TH line"))

# Clean rendering: groff warns about bad macros, escapes and fonts with -ww.
for p in pages:
    g = subprocess.run(["groff", "-man", "-ww", "-z", "-Tutf8", p], capture_output=True, text=True,
                       env=dict(os.environ, LC_ALL="C.UTF-8"))
    check(g.returncode == 0 and g.stderr == "", "groff renders %s cleanly: %s" % (p, g.stderr))

done()
