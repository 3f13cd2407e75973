#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The simulator sits below the transport, in a library of its own (architecture.md):

- src/sim includes no header of src/core, src/objects or src/policy: what it shares with
  libiommufd is the transport interface (src/transport/transport.h) and the UAPI;
- libiommufd's layers include nothing of src/sim: the production library knows no simulator.

  sim_layer.py SRC_DIR
Prints one line per include that breaks the rule and a count; exits 1 on any.
"""
import os
import re
import sys

src = os.path.abspath(sys.argv[1])
FORBIDDEN = {
    "sim": {"core", "objects", "policy"},
    "core": {"sim"},
    "objects": {"sim"},
    "policy": {"sim"},
    "transport": {"sim"},
}
include_re = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)

problems = 0
checked = 0
for layer, forbidden in sorted(FORBIDDEN.items()):
    top = os.path.join(src, layer)
    for dirpath, _, files in os.walk(top):
        for name in sorted(files):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(dirpath, name)
            text = open(path, errors="replace").read()
            for inc in include_re.findall(text):
                checked += 1
                # Resolved as the compiler does: next to the file, then from src/ (-I src).
                for base in (dirpath, src):
                    full = os.path.normpath(os.path.join(base, inc))
                    if os.path.exists(full):
                        break
                rel = os.path.relpath(full, src)
                target = rel.split(os.sep)[0]
                if target in forbidden:
                    problems += 1
                    print("not ok: %s includes %s (src/%s): the layer %s may not use %s" %
                          (os.path.relpath(path, src), inc, rel, layer, target))
print("%d includes checked, %d problems" % (checked, problems))
sys.exit(1 if problems or not checked else 0)
