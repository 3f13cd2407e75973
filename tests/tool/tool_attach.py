#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""iommufdctl attach: the domain layout, dirty tracking coverage, exit codes, teardown."""
import json
import os
import re

from toolcheck import SIM, check, done, raw_controls, run, run_json, shown

DMAR0_A, DMAR0_B = "0000:3b:00.0", "0000:3b:00.1"
DMAR1 = "0000:5e:00.0"       # intel-vtd without dirty tracking
SMMU = "0000:af:00.0"        # arm-smmu-v3 with dirty tracking
MDEV = "mdev0"               # emulated
# Why a VT-d device has no vIOMMU and no stage-1 domain with --nest-parent.
VTD_NOTE = ("no vIOMMU: VT-d nests from the parent; no stage-1 domain: VT-d's is the guest's "
            "own page table")


def layout(doc):
    """The layout without ids: which devices share a domain, with which features."""
    return sorted((tuple(sorted(d["devices"])), d["dirty_tracking"], d["nest_parent"])
                  for d in doc.get("domains", []))


def common(r, doc, devices):
    check(doc.get("command") == "attach" and doc.get("simulated") is True, "command", r)
    check([d["name"] for d in doc.get("devices", [])] == devices, "devices in order", r)
    t = doc.get("teardown", {})
    check(t.get("clean") is True and t.get("objects_left") == 0, "clean teardown", r)
    ioas = doc.get("container", {}).get("ioas_id")
    check(isinstance(ioas, int) and ioas > 0, "IOAS id", r)
    hwpts = {d["hwpt_id"]: d for d in doc.get("domains", [])}
    for dev in doc.get("devices", []):
        if dev["hwpt_id"] is None:
            check(dev["pt_id"] == ioas and dev["name"] in doc["ioas_devices"],
                  "%s on the IOAS" % dev["name"], r)
        else:
            dom = hwpts.get(dev["hwpt_id"])
            check(dom is not None and dev["name"] in dom["devices"] and
                  dev["pt_id"] == dev["hwpt_id"], "%s in its domain" % dev["name"], r)
            check(dev["covered"] == (dom is not None and dom["dirty_tracking"] and
                                     doc["dirty_tracking"]["requested"]),
                  "%s covered iff its domain tracks" % dev["name"], r)
        check((dev["reason"] is None) == dev["covered"], "%s reason iff not covered" %
              dev["name"], r)
    for dom in doc.get("domains", []):
        check(len(dom["devices"]) >= 1, "no empty domain", r)


# Every device dirty capable: migratable, one dirty-tracking domain per IOMMU driver.
devs = [DMAR0_A, DMAR0_B, SMMU]
r, doc = run_json(SIM, "attach", *devs, rc=0)
common(r, doc, devs)
check(layout(doc) == [((DMAR0_A, DMAR0_B), True, False), ((SMMU,), True, False)],
      "dmar0 devices share a dirty-tracking domain, the SMMU has its own", r)
check(doc.get("migratable") is True and doc["dirty_tracking"]["all_covered"] is True and
      doc["dirty_tracking"]["not_covered"] == [], "migratable", r)
check(doc.get("ioas_devices") == [], "nothing on the IOAS", r)

r = run(SIM, "attach", *devs)
check(r.rc == 0, "text: exit 0", r)
check(r.out.count("dirty-tracking, 2 devices") == 1 and
      r.out.count("dirty-tracking, 1 device\n") == 1, "text: domains with features", r)
check("all 3 devices covered: migratable" in r.out, "text: migratable", r)
check("teardown: clean" in r.out, "text: teardown", r)

# A device without dirty tracking and an emulated one: exit 3, both named with the reason.
devs = [DMAR0_A, DMAR1, MDEV]
r, doc = run_json(SIM, "attach", *devs, rc=3)
common(r, doc, devs)
check(layout(doc) == [((DMAR0_A,), True, False), ((DMAR1,), False, False)],
      "the no-dirty device gets its own plain domain, not the dirty one", r)
check(doc.get("ioas_devices") == [MDEV], "the mdev is on the IOAS", r)
check(doc.get("migratable") is False and doc["dirty_tracking"]["not_covered"] == [DMAR1, MDEV],
      "not migratable, names the two", r)
msg = doc["dirty_tracking"].get("message") or ""
check(DMAR1 in msg and MDEV in msg, "the library's message names them", r)
by = {d["name"]: d for d in doc["devices"]}
check("dmar1" in (by[DMAR1]["reason"] or "") and "no dirty tracking" in by[DMAR1]["reason"],
      "reason: IOMMU without dirty tracking", r)
check("emulated" in (by[MDEV]["reason"] or ""), "reason: emulated", r)
check(by[DMAR1]["dirty_capable"] is False and by[DMAR0_A]["dirty_capable"] is True,
      "dirty_capable from GET_HW_INFO", r)

r = run(SIM, "attach", *devs)
check(r.rc == 3, "text: exit 3", r)
check("2 of 3 devices NOT covered" in r.out and "not migratable" in r.out, "text: verdict", r)
check("on the IOAS itself" in r.out, "text: IOAS devices", r)
# The domains' features in the library's words (iommufd_domain_flags_str()).
check(re.search(r"domain \(hwpt \d+\): dirty-tracking, 1 device\n", r.out) and
      re.search(r"domain \(hwpt \d+\): plain, 1 device\n", r.out), "text: domain words", r)
coverage = r.out[r.out.find("NOT covered"):]
check(re.search(re.escape(DMAR1) + r" +IOMMU dmar1 has no dirty tracking", coverage),
      "text: reason for %s" % DMAR1, r)
check(re.search(re.escape(MDEV) + r" +emulated device", coverage), "text: reason for mdev", r)

# The layout does not depend on the order of the attaches.
order = [MDEV, SMMU, DMAR1, DMAR0_B, DMAR0_A]
r1, d1 = run_json(SIM, "attach", *order, rc=3)
r2, d2 = run_json(SIM, "attach", *reversed(order), rc=3)
check(layout(d1) == layout(d2) and d1.get("ioas_devices") == d2.get("ioas_devices"),
      "same layout in both orders", r2)

# --no-dirty: no dirty tracking asked for, no verdict, exit 0; VT-d units may share.
r, doc = run_json(SIM, "attach", "--no-dirty", DMAR0_A, DMAR1, rc=0)
common(r, doc, [DMAR0_A, DMAR1])
check(doc["dirty_tracking"]["requested"] is False and doc["migratable"] is False,
      "--no-dirty: not requested", r)
check(layout(doc) == [((DMAR0_A, DMAR1), False, False)],
      "--no-dirty: both VT-d devices in one plain domain", r)
r = run(SIM, "attach", "--no-dirty", DMAR0_A)
check(r.rc == 0 and "not requested" in r.out, "--no-dirty text", r)
r = run(SIM, "attach", "--no-dirty", "--nest-parent", DMAR0_A, DMAR1)
check(r.rc == 0 and re.search(r"domain \(hwpt \d+\): nest-parent, 2 devices\n", r.out),
      "--no-dirty --nest-parent text: one nest-parent domain", r)

# --nest-parent: every domain is a nesting parent.
r = run(SIM, "attach", "--nest-parent", DMAR0_A, SMMU, "--json")
check(r.rc in (0, 3), "--nest-parent: exit 0 or 3", r)
try:
    doc = json.loads(r.out)
    check(doc["domains"] and all(d["nest_parent"] for d in doc["domains"]),
          "--nest-parent domains", r)
    check((r.rc == 0) == doc["migratable"], "--nest-parent: exit code matches verdict", r)
    by = {d["name"]: d for d in doc["devices"]}
    # the SMMU: a vIOMMU, its virtual id (its place on the command line), a stage-1 domain
    n = by[SMMU]["nesting"]
    check(n["viommu_id"] and n["viommu_type"] == 1 and n["viommu_type_name"] == "ARM SMMUv3" and
          n["virt_id"] == 2 and n["vdevice_id"] and
          n["stage1_hwpt_id"] and by[SMMU]["pt_id"] == n["stage1_hwpt_id"] and
          n["parent_hwpt_id"] == by[SMMU]["hwpt_id"] and n["note"] is None,
          "--nest-parent: the SMMU's vIOMMU, virtual id and stage-1 domain", r)
    # VT-d: no vIOMMU (it nests from the parent), said why in plain words (an expected
    # state, not a failure with an errno); still in its nest parent
    n = by[DMAR0_A]["nesting"]
    check(n["viommu_id"] is None and n["viommu_type_name"] is None and
          n["stage1_hwpt_id"] is None and n["note"] == VTD_NOTE and
          n["parent_hwpt_id"] == by[DMAR0_A]["hwpt_id"],
          "--nest-parent: VT-d has no vIOMMU, and the note says so", r)
    check(doc["teardown"]["clean"] is True, "--nest-parent: clean teardown", r)
except (ValueError, KeyError, TypeError) as e:
    check(False, "--nest-parent JSON (%s)" % e, r)
r = run(SIM, "attach", "--nest-parent", SMMU)
check(re.search(r"vIOMMU \d+ \(ARM SMMUv3, type 0x1\), virtual id 0x1 \(vDEVICE \d+\)\n",
                r.out) and
      re.search(r"stage-1 domain \(hwpt \d+\) over hwpt \d+\n", r.out),
      "--nest-parent text: the vIOMMU, by its type's name, and the stage-1 domain", r)
r = run(SIM, "attach", "--nest-parent", DMAR0_A)
check(r.rc == 0 and ("\n      %s\n" % VTD_NOTE) in r.out and os.strerror(95) not in r.out,
      "--nest-parent text: VT-d's note, plain", r)

# The other vIOMMU types by name (the selftest mock's on a 7.x kernel); a kernel without
# vIOMMU objects (6.12) is a note too, and SMMUv3 then has no stage-1 domain: not a failure.
mock_host = {"kernel": "7.3", "iommus": [{"name": "mock", "driver": "iommufd-selftest",
                                          "dirty_tracking": True}],
             "devices": [{"name": "mock-d", "iommu": "mock"}]}
r = run("--sim=" + json.dumps(mock_host), "attach", "--nest-parent", "mock-d")
check(r.rc == 0 and re.search(r"vIOMMU \d+ \(selftest mock, type 0xdeadbeef\), virtual id 0x1",
                              r.out), "--nest-parent: the mock's vIOMMU type by name", r)
smmu_612 = "--sim=" + json.dumps({"kernel": "6.12", "iommus": [{"name": "smmu0",
                                                                "driver": "arm-smmu-v3"}],
                                  "devices": [{"name": "smmu", "iommu": "smmu0"}]})
r, doc = run_json(smmu_612, "attach", "--nest-parent", "smmu", rc=3)
n = (doc.get("devices") or [{}])[0].get("nesting") or {}
check(n.get("viommu_id") is None and n.get("stage1_hwpt_id") is None and
      n.get("note") == "no vIOMMU: this kernel has no vIOMMU objects (Linux 6.13 and later "
      "have); no stage-1 domain: SMMUv3 makes them on a vIOMMU only" and
      doc["teardown"]["clean"] is True, "6.12 SMMUv3 --nest-parent: notes, no failure", r)

# A device by its cdev: the JSON keeps both the argument and the name.
r, devlist = run_json(SIM, "devices")
cdev = next((d["cdev"] for d in devlist.get("devices", []) if d["name"] == SMMU), None)
r, doc = run_json(SIM, "attach", cdev or "?", rc=0)
check(doc.get("devices") and doc["devices"][0]["name"] == SMMU and
      doc["devices"][0]["arg"] == cdev, "device named by its cdev", r)
cdev = next((d["cdev"] for d in devlist.get("devices", []) if d["name"] == DMAR0_A), "?")

# The same device under two names (name, cdev, sysfs path): a usage error naming both, before
# anything is opened (the kernel would refuse the second bind with a bare EINVAL).
sysfs = "/sys/bus/pci/devices/" + DMAR0_A
for cmd in ("attach", "migrate"):
    for pair in ((DMAR0_A, cdev), (cdev, DMAR0_B, sysfs), (sysfs, DMAR0_A)):
        for extra in ((), ("--json",)):
            r = run(SIM, cmd, *(list(pair) + list(extra)))
            lines = r.err.splitlines()
            want = "device '%s' and '%s' are the same device" % (pair[0], pair[-1])
            check(r.rc == 2 and r.out == "" and len(lines) == 2 and want in lines[0] and
                  "--help" in lines[1], "%s %s: the same device" % (cmd, " ".join(pair)), r)
r = run(SIM, "attach", cdev, "nosuch0", DMAR0_B)
check(r.rc == 1 and "open device 'nosuch0'" in r.err, "an unknown name is left to the open", r)

# An unknown device: exit 1, a message naming it and where the names are (once), a JSON
# error document; nothing left.
NAMES_HINT = " (names: iommufdctl devices)"
r = run(SIM, "attach", DMAR0_A, "nosuch0")
check(r.rc == 1 and "nosuch0" in r.err and "open device" in r.err, "unknown device", r)
check(len(r.err.splitlines()) == 1 and r.err.endswith(os.strerror(2) + NAMES_HINT + "\n") and
      r.err.count("names:") == 1, "unknown device: where the names are, once", r)
# Another error of the open (here: no mock devices on the simulator): no such hint.
r = run(SIM, "attach", "selftest")
check(r.rc == 1 and "open device 'selftest'" in r.err and "names:" not in r.err,
      "the hint only where the name names nothing", r)
check("teardown" not in r.out, "unknown device: no layout", r)
r, doc = run_json(SIM, "attach", DMAR0_A, "nosuch0", rc=1)
check("nosuch0" in doc.get("error", "") and isinstance(doc.get("errno"), int) and
      doc["errno"] > 0 and doc.get("command") == "attach", "unknown device: JSON error", r)

# A 600-character name: the message keeps the library's reason at its end, and shows the
# name's head and tail (cut in the middle, by the tool and by the library).
long_name = "head-" + "x" * 590 + "-tail"
enoent = os.strerror(2)
r = run(SIM, "attach", DMAR0_A, long_name)
lines = r.err.splitlines()
check(r.rc == 1 and len(lines) == 1 and
      lines[0].endswith("(no such device): " + enoent + NAMES_HINT),
      "long name: the reason survives", r)
check(len(lines[0]) < 400 and lines[0].count("head-x") == 2 and
      lines[0].count("x-tail") == 2 and "..." in lines[0], "long name: head...tail", r)
r, doc = run_json(SIM, "attach", long_name, rc=1)
check(doc.get("error", "").endswith(enoent + NAMES_HINT) and
      "x-tail" in doc.get("error", ""),
      "long name: JSON error with the reason", r)
r = run(SIM, "attach", long_name, long_name)
lines = r.err.splitlines()
check(r.rc == 2 and len(lines) == 2 and "given twice" in lines[0] and len(lines[0]) < 300,
      "long name given twice: short message", r)

# The selftest names may repeat (each open is a new mock device): not a usage error. The
# simulator has no mock devices, so the open fails, naming the kernel's missing test support.
r = run(SIM, "attach", "selftest", "selftest")
check(r.rc == 1 and "given twice" not in r.err and "selftest" in r.err,
      "selftest given twice: opened, not refused", r)

# Names with control characters (from a topology, or sysfs): escaped in the layout, the
# coverage and the messages, exact in JSON; no control character reaches the terminal.
tricky_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tricky.json")
tricky = json.load(open(tricky_path))
tsim = "--sim=" + tricky_path
ESC, NL, C1 = "esc\x1b[31mred\x1b[0m", "new\nline", "c1\x9b31mcsi\x7fdel"
check({ESC, NL, C1} <= {d["name"] for d in tricky["devices"]}, "tricky.json has them")
r = run(tsim, "attach", ESC, NL, C1)
check(r.rc == 3 and raw_controls(r.out) == [] and raw_controls(r.err) == [],
      "tricky attach: no raw control character", r)
lines = r.out.splitlines()
for name in (ESC, NL, C1):
    check(any(l.strip().startswith(shown(name) + " ") for l in lines),
          "layout names %s escaped, on one line" % shown(name), r)
coverage = r.out[r.out.find("NOT covered"):]
check(shown(NL) + " " in coverage and "IOMMU dmar\\x1b]0;title\\x07 has no dirty tracking"
      in coverage, "coverage: the reason's IOMMU name escaped", r)
check(len(lines) == 11, "tricky attach: the usual 11 lines", r)
r, doc = run_json(tsim, "attach", ESC, NL, C1, rc=3)
check([d["name"] for d in doc.get("devices", [])] == [ESC, NL, C1] and
      doc["dirty_tracking"]["not_covered"] == [NL, C1], "JSON: the names exact", r)
r = run(tsim, "attach", ESC, NL, C1, "--trace")
check(r.rc == 3 and raw_controls(r.err) == [] and shown(ESC) in r.err,
      "--trace: escaped", r)
# A name the tool prints in its own message: escaped there too, one line.
r = run(tsim, "attach", "no\x1b]0;x\x07such\ndev")
check(r.rc == 1 and raw_controls(r.err) == [] and len(r.err.splitlines()) == 1 and
      "'no\\x1b]0;x\\x07such\\ndev'" in r.err, "message: the argument escaped", r)
r, doc = run_json(tsim, "attach", "no\x1bsuch", rc=1)
check("'no\x1bsuch'" in doc.get("error", ""), "JSON error: the argument exact", r)
r = run(tsim, "attach", ESC, ESC)
check(r.rc == 2 and raw_controls(r.err) == [] and shown(ESC) in r.err,
      "given twice: escaped", r)
r = run(tsim, "migrate", ESC, "--memory", "4M", "--dma-rate", "16")
check(r.rc == 0 and raw_controls(r.out) == [] and shown(ESC) in r.out,
      "migrate text: escaped", r)

done()
