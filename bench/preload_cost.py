#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The cost of libiommufd-preload on a program's own files: bench_preload run without and
with LD_PRELOAD, alternately, several times each; the medians, and how far runs of the same
kind spread (a benchmark: it never fails).

  preload_cost.py BENCH_PRELOAD PRELOAD_SO [CALLS] [RUNS]
"""
import os
import re
import statistics
import subprocess
import sys

bench, preload = sys.argv[1], sys.argv[2]
calls = sys.argv[3] if len(sys.argv) > 3 else "1000000"
runs = int(sys.argv[4]) if len(sys.argv) > 4 else 11
res = {"without": ([], []), "with": ([], [])}
for i in range(runs):
    for name, extra in (("without", {}), ("with", {"LD_PRELOAD": preload})):
        env = dict(os.environ, **extra)
        out = subprocess.run([bench, calls], env=env, capture_output=True, text=True,
                             check=True).stdout
        w, r = map(float, re.findall(r"([0-9.]+) ns/call", out))
        res[name][0].append(w)
        res[name][1].append(r)
for i, what in enumerate(("write", "read")):
    a, b = res["without"][i], res["with"][i]
    ma, mb = statistics.median(a), statistics.median(b)
    qa, qb = statistics.quantiles(a, n=4), statistics.quantiles(b, n=4)
    print("%s on an ordinary file, median of %d runs: %.1f ns/call without the shim "
          "(middle half %.1f-%.1f), %.1f ns/call with it (%.1f-%.1f): %+.1f%%"
          % (what, runs, ma, qa[0], qa[2], mb, qb[0], qb[2], 100.0 * (mb - ma) / ma))
