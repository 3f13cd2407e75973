#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs an example program and checks its exit status and what it prints:
example_check.py STATUS TEXT... -- PROGRAM ARGS...
Each TEXT must appear in a line of its stdout or stderr. A crash or a sanitizer report changes
the status, so it cannot pass as an expected failure."""
import subprocess
import sys

sep = sys.argv.index("--")
status, texts, cmd = int(sys.argv[1]), sys.argv[2:sep], sys.argv[sep + 1:]
p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
out = p.stdout + p.stderr
print(out)
missing = [t for t in texts if not any(t in line for line in out.splitlines())]
if p.returncode != status or missing:
    print("FAIL: expected exit %d and lines %r; got exit %d, missing %r" %
          (status, texts, p.returncode, missing))
    sys.exit(1)
