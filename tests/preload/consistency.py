#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""iommufdctl and the example under libiommufd-preload match them with --sim.

Unmodified, the programs open /dev/iommu and find the devices in sysfs through libiommufd's
real-kernel transport; the shim answers from the same topology. Their answers must be those
they give with --sim (the library's simulator transport), but for what only the simulator
knows (the object count at teardown, "simulated") and what only it does (simulated DMA and the
rounds it paces: under the shim, as on a kernel, devices do their own and none is made up, and
a round waits for them).

  consistency.py PRELOAD_SO IOMMUFDCTL EXAMPLE TOOL_TOPOLOGY EXAMPLE_TOPOLOGY_JSON
"""
import json
import os
import subprocess
import sys

preload, tool, example, topology, example_topology = sys.argv[1:6]
n = failed = 0


def check(ok, desc, detail=""):
    global n, failed
    n += 1
    failed += not ok
    print("%s %d - %s" % ("ok" if ok else "not ok", n, desc))
    if not ok and detail:
        for line in detail.splitlines():
            print("#   " + line)


def run(cmd, shim_topology=None):
    env = {k: v for k, v in os.environ.items() if k not in ("IOMMUFD_TRACE",
                                                            "IOMMUFD_SIM_TOPOLOGY")}
    if shim_topology is not None:
        env["LD_PRELOAD"] = ":".join(filter(None, [os.environ.get("LD_PRELOAD"), preload]))
        env["IOMMUFD_SIM_TOPOLOGY"] = shim_topology
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def text_norm(out):
    """The lines both give: the simulator's teardown count and its DMA rounds left out."""
    keep = []
    for line in out.splitlines():
        if line.startswith("teardown:") or line.startswith("simulated DMA") or \
                line.startswith("kernel objects left"):
            continue
        if line.startswith("DMA:"):
            break  # the rounds after it are the simulated devices' own
        keep.append(line)
    return "\n".join(keep)


def json_norm(out):
    doc = json.loads(out)

    def strip(o):
        if isinstance(o, dict):
            return {k: strip(v) for k, v in o.items()
                    if k not in ("simulated", "objects_left", "rounds", "summary", "dma",
                                  "interval_ms")}
        if isinstance(o, list):
            return [strip(v) for v in o]
        return o
    return json.dumps(strip(doc), indent=1, sort_keys=True)


def compare(args, desc, norm=text_norm):
    rc_k, out_k, err_k = run([tool] + args, topology)
    rc_s, out_s, err_s = run([tool, "--sim=" + topology] + args)
    a, b = norm(out_k), norm(out_s)
    check(rc_k == rc_s and a == b and err_k == err_s,
          "iommufdctl %s: the same under the shim as with --sim (exit %d)" % (desc, rc_s),
          "exit %d vs %d\n--- shim\n%s\n%s--- sim\n%s\n%s" % (rc_k, rc_s, a, err_k, b, err_s))


compare(["devices"], "devices")
compare(["--json", "devices"], "--json devices", json_norm)
compare(["attach", "0000:3b:00.0", "0000:3b:00.1", "mdev0"], "attach (a shared domain, an mdev)")
compare(["attach", "0000:5e:00.0", "0000:3b:00.0", "0000:af:00.0"],
        "attach (a unit without dirty tracking, two drivers)")
compare(["--json", "attach", "0000:3b:00.0", "mdev0"], "--json attach", json_norm)
compare(["attach", "/dev/vfio/devices/vfio3"], "attach by cdev")
compare(["attach", "/sys/bus/pci/devices/0000:3b:00.0"], "attach by sysfs path")
compare(["attach", "nosuch"], "attach of an unknown device")
compare(["attach", "0000:3b:00.0", "0000:3b:00.0"], "attach of a device twice")
compare(["migrate", "0000:3b:00.0", "0000:af:00.0"], "migrate (its setup)")
compare(["--json", "migrate", "0000:3b:00.0", "0000:af:00.0"], "--json migrate (its setup)",
        json_norm)
compare(["migrate", "0000:5e:00.0"], "migrate of a device not covered")

# The example: the same devices attached, the same refusals, the same exit status.
for devs, desc in ((["nic0", "gpu0"], "two drivers"), (["nic0", "old0"], "not migratable"),
                   (["nosuch0"], "an unknown device")):
    rc_k, out_k, err_k = run([example] + devs, example_topology)
    rc_s, out_s, err_s = run([example, "--sim=" + example_topology] + devs)

    def lines(out, err):
        return [line for line in (out + err).splitlines()
                if "attached" in line or "not migratable" in line or "nosuch0" in line]
    a, b = lines(out_k, err_k), lines(out_s, err_s)
    check(rc_k == rc_s and a == b and a,
          "vmm_dirty_round (%s): the same under the shim as with --sim (exit %d)" % (desc, rc_s),
          "exit %d vs %d\n%r\n%r" % (rc_k, rc_s, a, b))
print("1..%d" % n)
sys.exit(1 if failed else 0)
