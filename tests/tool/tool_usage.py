#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""iommufdctl: help, version, and bad usage (exit 2, a clear message, nothing changed)."""
import json
import os
import tempfile

from toolcheck import SIM, TOPOLOGY, check, done, parse_json, run

VERSION = os.environ["LIBIOMMUFD_VERSION"]  # meson.build's project version

# Help and version: exit 0, on stdout.
r = run("--help")
check(r.rc == 0 and "Usage: iommufdctl" in r.out, "--help", r)
for word in ("devices", "attach", "migrate", "--sim", "--json", "--trace", "Exit status"):
    check(word in r.out, "--help mentions %s" % word, r)
check("0  success; for migrate also when the rounds did not converge" in r.out and
      '"converged"' in r.out, "--help: exit 0 does not say converged", r)
check("3  not migratable" in r.out and "2  bad usage" in r.out and
      "130, 143  migrate stopped" in r.out,
      "--help lists exit codes", r)
r = run("-h")
check(r.rc == 0 and "Usage: iommufdctl" in r.out, "-h", r)
r = run("--version")
check(r.rc == 0 and r.out.startswith("iommufdctl %s (libiommufd %s)" % (VERSION, VERSION)),
      "--version", r)

for cmd, opts in (("devices", []), ("attach", ["--no-dirty", "--nest-parent"]),
                  ("migrate", ["--memory", "--threshold", "--max-rounds", "--dma-rate",
                               "--working-set", "--dma-decay", "--interval"])):
    r = run(cmd, "--help")
    check(r.rc == 0 and ("Usage: iommufdctl %s" % cmd) in r.out, "%s --help" % cmd, r)
    check("Exit status" in r.out and "JSON:" in r.out, "%s --help: exit codes, JSON" % cmd, r)
    for o in opts:
        check(o in r.out, "%s --help mentions %s" % (cmd, o), r)
    # Help wins over everything else and opens nothing.
    r = run(cmd, "--sim=/nonexistent.json", "--help")
    check(r.rc == 0, "%s --help with other options" % cmd, r)

# Bad usage: exit 2, message on stderr naming the problem, nothing on stdout, also in --json.
# The message is one line, then the hint to --help: nothing pushes it out of view.
bad = [
    ((), "no command"),
    (("bogus",), "unknown command 'bogus'"),
    (("--bogus",), "unknown option '--bogus'"),
    (("-x", "devices"), "unknown option '-x'"),
    (("devices", "--bogus"), "unknown option '--bogus'"),
    (("--bogus", "devices"), "unknown option '--bogus'"),
    (("devices", "-x"), "unknown option '-x'"),
    (("devices", "extra"), "unexpected argument 'extra'"),
    (("attach",), "no DEVICE"),
    (("migrate",), "no DEVICE"),
    (("attach", "0000:3b:00.0", "0000:3b:00.0"), "given twice"),
    # Only the exact selftest names make a new device each time; "selftestX" is a name.
    (("attach", "selftestX", "selftestX"), "device 'selftestX' given twice"),
    (("migrate", "selftest:no-dirtyX", "selftest:no-dirtyX"), "given twice"),
    (("attach", "--no-dirty=1", "x"), "takes no value"),
    (("migrate", "--memory"), "needs a value"),
    (("migrate", "--memory", "12Q", "x"), "--memory '12Q'"),
    (("migrate", "--memory", "4097", "x"), "--memory '4097'"),
    (("migrate", "--memory", "0", "x"), "--memory '0'"),
    (("migrate", "--memory=2T", "x"), "--memory '2T'"),
    (("migrate", "--memory", "99999999999999999999G", "x"), "--memory"),
    (("migrate", "--max-rounds", "0", "x"), "--max-rounds '0'"),
    (("migrate", "--threshold", "-1", "x"), "--threshold '-1'"),
    (("migrate", "--dma-decay", "101", "x"), "--dma-decay '101'"),
    (("migrate", "--working-set", "1000", "x"), "--working-set '1000'"),
    (("migrate", "--iova", "0x1001", "x"), "--iova '0x1001'"),
    (("migrate", "--interval", "soon", "x"), "--interval 'soon'"),
    (("devices", "--sim="), "empty value"),
]
for args, msg in bad:
    for extra in ((), ("--json",)):
        a = [SIM] + list(args) + list(extra) if args else list(args) + list(extra)
        r = run(*a)
        check(r.rc == 2, "usage error exits 2: %s" % " ".join(a), r)
        check(msg in r.err, "usage error message %r" % msg, r)
        check(r.out == "", "usage error prints nothing on stdout", r)
        lines = r.err.splitlines()
        check(len(lines) == 2 and lines[0].startswith("iommufdctl: ") and msg in lines[0] and
              lines[1].startswith("Try 'iommufdctl") and "--help" in lines[1],
              "usage error: one line, then the hint", r)

# Without the --sim option in front (the checks above give it): the same short messages.
for args, msg in (((), "no command given"), (("--bogus",), "unknown option '--bogus'"),
                  (("nosuchcommand",), "unknown command 'nosuchcommand'")):
    r = run(*args)
    lines = r.err.splitlines()
    check(r.rc == 2 and r.out == "" and len(lines) == 2 and msg in lines[0] and
          lines[1] == "Try 'iommufdctl --help'.", "iommufdctl %s: one line and the hint" %
          " ".join(args), r)

# Global options anywhere: before the command, after it, among the devices.
for args in ((SIM, "--json", "devices"), ("devices", SIM, "--json"),
             ("--json", "devices", SIM)):
    r = run(*args)
    check(r.rc == 0, "options in any position: %s" % " ".join(args), r)
    doc = parse_json(r)
    check(doc is not None and doc.get("simulated") is True, "simulated topology used", r)
r = run("attach", "--no-dirty", "0000:3b:00.0", SIM, "0000:3b:00.1")
check(r.rc == 0 and "0000:3b:00.1" in r.out, "options among the devices", r)
r = run("attach", SIM, "--", "0000:3b:00.0")
check(r.rc == 0, "-- ends the options", r)

# --sim takes its topology only as --sim=FILE: a following word is a command or a device, even
# one whose name ends in .json (a topology may call a device so).
r = run("--sim", TOPOLOGY, "devices")
check(r.rc == 2 and r.out == "" and ("unknown command '%s'" % TOPOLOGY) in r.err and
      "--sim=FILE" in r.err, "--sim FILE: FILE is the command word", r)
r = run("devices", "--sim", TOPOLOGY)
check(r.rc == 2 and r.out == "" and ("unexpected argument '%s'" % TOPOLOGY) in r.err,
      "devices --sim FILE: FILE is an argument", r)
with tempfile.TemporaryDirectory() as tmp:
    topo = os.path.join(tmp, "topo.json")
    with open(topo, "w") as f:
        f.write('{"iommus": [{"name": "dmar0", "driver": "intel-vtd", "dirty_tracking": true}],'
                ' "devices": [{"name": "nic.json", "iommu": "dmar0"},'
                ' {"name": "disk.json", "iommu": "dmar0"}]}')
    for args in (("--sim=" + topo, "attach", "nic.json", "disk.json"),
                 ("attach", "nic.json", "--sim=" + topo, "disk.json", "--json")):
        r = run(*args)
        doc = json.loads(r.out) if "--json" in args and r.out.startswith("{") else {}
        check(r.rc == 0 and "nic.json" in r.out and "disk.json" in r.out,
              "devices named *.json", r)
        if "--json" in args:
            check([d["name"] for d in doc.get("devices", [])] == ["nic.json", "disk.json"],
                  "devices named *.json: both attached", r)
    # A bare --sim (the built-in host) before such a device leaves it a device.
    r = run("attach", "--sim", "nic.json")
    check(r.rc == 1 and "open device 'nic.json'" in r.err and "topology" not in r.err,
          "attach --sim DEV.json: DEV.json is a device", r)

# A topology that cannot be used: exit 1 with the simulator's reason, the file named once.
r = run("--sim=/nonexistent/topology.json", "devices")
check(r.rc == 1 and r.err == "iommufdctl: simulator: topology /nonexistent/topology.json: %s\n"
      % os.strerror(2), "missing topology file: named once", r)
with tempfile.TemporaryDirectory() as tmp:
    bad = os.path.join(tmp, "bad.json")
    with open(bad, "w") as f:
        f.write('{"iommus": [}')
    r = run("--sim=" + bad, "devices")
    check(r.rc == 1 and r.err.startswith("iommufdctl: simulator: %s: topology line 1" % bad) and
          r.err.count(bad) == 1 and len(r.err.splitlines()) == 1,
          "topology file with bad JSON: the file, then where in it", r)
r = run('--sim={"iommus": 5}', "devices")
check(r.rc == 1 and r.err.startswith("iommufdctl: simulator: topology.iommus: ") and
      '{"iommus"' not in r.err, "bad topology names the key, the JSON text not repeated", r)
r = run('--sim={"iommus": 5}', "devices", "--json")
doc = parse_json(r)
check(r.rc == 1 and doc is not None and "iommus" in doc.get("error", "") and
      doc.get("exit_code") == 1, "bad topology: JSON error document", r)

done()
