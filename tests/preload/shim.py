#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""What libiommufd-preload says, and when (tests/preload/shim_test open, under LD_PRELOAD):

- a topology that cannot be read gives one line on stderr, and open("/dev/iommu") fails with
  ENOENT, as on a kernel without IOMMUFD; so does a topology with a mistake in it;
- otherwise nothing is printed, unless IOMMUFD_TRACE is set: then a line per call it answers.

  shim.py PRELOAD_SO SHIM_TEST TOPOLOGY
"""
import os
import subprocess
import sys

preload, probe, topology = sys.argv[1:4]
n = failed = 0


def check(ok, desc):
    global n, failed
    n += 1
    failed += not ok
    print("%s %d - %s" % ("ok" if ok else "not ok", n, desc))


def run(env_extra):
    env = {k: v for k, v in os.environ.items() if k not in ("IOMMUFD_TRACE",
                                                            "IOMMUFD_SIM_TOPOLOGY")}
    env["LD_PRELOAD"] = ":".join(filter(None, [os.environ.get("LD_PRELOAD"), preload]))
    env.update(env_extra)
    p = subprocess.run([probe, "open"], env=env, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


for what, topo in (("a missing file", "/nonexistent/topology.json"),
                   ("a directory", "/"),
                   ("a mistake in the JSON", '{ "iommus": [ { "name": "x" } ] }')):
    rc, out, err = run({"IOMMUFD_SIM_TOPOLOGY": topo})
    lines = err.splitlines()
    check(rc == 1 and "open /dev/iommu: No such file or directory" in out,
          "topology %s: open() fails with ENOENT (%s)" % (what, out.strip()))
    check(len(lines) == 1 and lines[0].startswith("libiommufd-preload: IOMMUFD_SIM_TOPOLOGY: "),
          "topology %s: one line on stderr: %r" % (what, err))

rc, out, err = run({"IOMMUFD_SIM_TOPOLOGY": topology})
check(rc == 0 and "ioas 1" in out, "a good topology: /dev/iommu opens, an IOAS is made")
check(err == "", "nothing on stderr without IOMMUFD_TRACE: %r" % err)
rc, out, err = run({})
check(rc == 0 and err == "", "the built-in host, quietly")
rc, out, err = run({"IOMMUFD_SIM_TOPOLOGY": topology, "IOMMUFD_TRACE": "1"})
check(rc == 0 and "libiommufd-preload: open /dev/iommu" in err and "ioctl" in err,
      "IOMMUFD_TRACE: a line per call answered")
print("1..%d" % n)
sys.exit(1 if failed else 0)
