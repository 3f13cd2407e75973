#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""iommufdctl devices: every device of the topology, sorted, in text and in JSON, with what
its IOMMU and kernel offer (dirty tracking, nest parents, PASIDs, the driver's vIOMMUs, the
kernel's vIOMMU objects)."""
import json
import os
import re
import subprocess

from toolcheck import (SIM, TOOL, TOPOLOGY, check, done, parse_json, raw_controls, run, run_json,
                       shown)

HERE = os.path.dirname(os.path.abspath(__file__))
topo = json.load(open(TOPOLOGY))
iommus = {i["name"]: i for i in topo["iommus"]}
# The drivers whose domains may be nest parents unless a topology says otherwise
# (docs/simulator.md); SMMUv3's nest parents (stage 2) track no dirty bits.
NESTING_DRIVERS = ("intel-vtd", "arm-smmu-v3", "iommufd-selftest")
CAP_KEYS = ("dirty_tracking", "nest_parent", "nest_parent_dirty_tracking", "viommu", "pasid_bits",
            "pasid_exec", "pasid_priv", "hw_info_type", "hw_capabilities")
# The drivers that make vIOMMUs of their own type (over a nest parent); VT-d nests without.
VIOMMU_DRIVERS = ("arm-smmu-v3", "iommufd-selftest")
VIOMMU_LINES = {True: "(vIOMMU objects: yes, the kernel has IOMMU_VIOMMU_ALLOC)",
                False: "(vIOMMU objects: no, the kernel has no IOMMU_VIOMMU_ALLOC)"}


def expected_caps(t, iommus, kernel_viommu=True):
    """What the tool must say of topology device t: the keys of CAP_KEYS."""
    if t.get("emulated"):
        return {"dirty_tracking": False, "nest_parent": False,
                "nest_parent_dirty_tracking": False, "viommu": False, "pasid_bits": 0,
                "pasid_exec": False,
                "pasid_priv": False, "hw_info_type": 0, "hw_capabilities": 0}
    i = iommus[t["iommu"]]
    dirty = i.get("dirty_tracking", False)
    nest = i.get("nesting", i["driver"] in NESTING_DRIVERS)
    types = {"intel-vtd": 1, "arm-smmu-v3": 2, "iommufd-selftest": 0xfeedbeef}
    caps = (1 if dirty else 0) | (2 if t.get("pasid_exec") else 0) | \
        (4 if t.get("pasid_priv") else 0)
    return {"dirty_tracking": dirty, "nest_parent": nest,
            "nest_parent_dirty_tracking": nest and dirty and i["driver"] != "arm-smmu-v3",
            "viommu": kernel_viommu and nest and i["driver"] in VIOMMU_DRIVERS,
            "pasid_bits": t.get("pasid_bits", 0), "pasid_exec": t.get("pasid_exec", False),
            "pasid_priv": t.get("pasid_priv", False),
            "hw_info_type": types.get(i["driver"], 0), "hw_capabilities": caps}


def table_cells(d):
    """The DIRTY, NEST, PASID and VIOMMU cells of JSON device d's row: an emulated device's
    DIRTY says why it is no, NEST says where nest parents do not track dirty pages."""
    if d["emulated"]:
        return ["no (emulated)", "-", "-", "-"]
    nest = "no"
    if d["nest_parent"]:
        nest = "yes (no dirty)" if d["dirty_tracking"] and not d["nest_parent_dirty_tracking"] \
            else "yes"
    return ["yes" if d["dirty_tracking"] else "no", nest,
            str(d["pasid_bits"]) if d["pasid_bits"] else "no",
            "yes" if d["viommu"] else "no"]


def parse_table(r, n):
    """The header's column names, n rows of cells (each from its column's start in the header
    to two spaces: a cell may hold one), and the lines after them. Checks that every cell
    starts right at its column."""
    lines = r.out.splitlines()
    starts = [m.start() for m in re.finditer(r"\S+", lines[0])] if lines else []
    rows = []
    for line in lines[1:1 + n]:
        check(all(line[s - 1:s] in ("", " ") and line[s:s + 1] not in ("", " ")
                  for s in starts), "row aligned with the header: %r" % line, r)
        rows.append([line[s:].split("  ")[0] for s in starts])
    return (lines[0].split() if lines else []), rows, lines[1 + n:]


SUMMARY = "live migration with IOMMU dirty tracking: "


def summary_line(devs):
    """What the line after the table must say of JSON devices devs (as attach judges them)."""
    why = []
    for d in devs:
        if d.get("error"):
            why.append((d["name"], "could not be asked"))
        elif d["emulated"]:
            why.append((d["name"], "emulated"))
        elif not d["dirty_tracking"]:
            why.append((d["name"], "no dirty tracking"))
    if not why:
        return SUMMARY + "all %d device%s" % (len(devs), "" if len(devs) == 1 else "s")
    line = SUMMARY + "%d of %d device%s; not: " % (len(devs) - len(why), len(devs),
                                                   "" if len(devs) == 1 else "s")
    line += ", ".join("%s (%s)" % (shown(n), w) for n, w in why[:8])
    return line + (" and %d more" % (len(why) - 8) if len(why) > 8 else "")

# JSON: one entry per topology device, sorted by name, fields as the topology says.
r, doc = run_json(SIM, "devices")
check(doc.get("command") == "devices" and doc.get("simulated") is True, "command, simulated", r)
devs = doc.get("devices", [])
names = [d.get("name") for d in devs]
check(names == sorted(d["name"] for d in topo["devices"]), "every device, sorted by name", r)
for d in devs:
    t = next((x for x in topo["devices"] if x["name"] == d.get("name")), None)
    if not check(t is not None, "known device %s" % d.get("name"), r):
        continue
    check(d.get("error") is None, "%s opened" % d["name"], r)
    check(d.get("cdev", "").startswith("/dev/vfio/devices/vfio"), "%s cdev" % d["name"], r)
    want = expected_caps(t, iommus)
    got = {k: d.get(k) for k in CAP_KEYS}
    check(got == want, "%s: %s, want %s" % (d["name"], got, want), r)
    if t.get("emulated"):
        check(d.get("emulated") is True and d.get("dirty_tracking") is False and
              d.get("iommu") == "" and d.get("driver") == "",
              "emulated %s: no IOMMU, no dirty tracking" % d["name"], r)
    else:
        i = iommus[t["iommu"]]
        check(d.get("emulated") is False, "%s physical" % d["name"], r)
        check(d.get("iommu") == i["name"] and d.get("driver") == i["driver"],
              "%s IOMMU %s (%s)" % (d["name"], i["name"], i["driver"]), r)
        check(d.get("dirty_tracking") is i.get("dirty_tracking", False),
              "%s dirty tracking as its IOMMU" % d["name"], r)

check(doc.get("kernel_viommu") is True, "the default kernel (7.3) has vIOMMU objects", r)

# Text: a header, one row per device in the same order with the same facts, and the kernel's
# vIOMMU objects.
r = run(SIM, "devices")
check(r.rc == 0, "devices exits 0", r)
lines = r.out.splitlines()
head, rows, rest = parse_table(r, len(devs))
check(head == ["NAME", "CDEV", "IOMMU", "DRIVER", "EMULATED", "DIRTY", "NEST", "PASID",
               "VIOMMU"], "header", r)
check([row[0] for row in rows] == names, "rows sorted by name", r)
for row, d in zip(rows, devs):
    want = [d["name"], d["cdev"], d["iommu"] or "-", d["driver"] or "-",
            "yes" if d["emulated"] else "no"] + table_cells(d)
    check(row == want, "row %s == %s" % (row, want), r)
# After the table: which devices could be live-migrated (the emulated one and the one without
# dirty tracking not, as attach says), then the kernel's vIOMMU objects.
check(rest == [SUMMARY + "3 of 5 devices; not: 0000:5e:00.0 (no dirty tracking), "
               "mdev0 (emulated)", VIOMMU_LINES[True]],
      "the live-migration line, then the kernel's vIOMMU objects: %s" % rest, r)
check(rest and rest[0] == summary_line(devs), "the live-migration line from the JSON's facts", r)
check(not any(l.endswith(" ") for l in lines), "no line ends in a space", r)
check(r.err == "", "nothing on stderr with --sim", r)
lm = doc.get("live_migration") or {}
check(lm.get("migratable") == ["0000:3b:00.0", "0000:3b:00.1", "0000:af:00.0"] and
      lm.get("not_migratable") == [{"name": "0000:5e:00.0", "reason": "no dirty tracking"},
                                   {"name": "mdev0", "reason": "emulated"}],
      "JSON live_migration: %s" % lm, r)

# The line says what attach finds: the devices it names are those attach (and migrate) does
# not cover. NEST "yes (no dirty)" are those attach --nest-parent does not cover, though
# DIRTY says yes.
r2, att = run_json(SIM, "attach", *names, rc=3)
check(att.get("dirty_tracking", {}).get("not_covered") ==
      [x["name"] for x in lm.get("not_migratable", [])], "the line agrees with attach", r2)
nest_yes = [d["name"] for d, row in zip(devs, rows) if row[6].startswith("yes")]
r2, att = run_json(SIM, "attach", "--nest-parent", *nest_yes, rc=3)
check([d["name"] for d, row in zip(devs, rows) if row[6] == "yes (no dirty)" or row[5] == "no"
       and row[6] == "yes"] == att.get("dirty_tracking", {}).get("not_covered"),
      "NEST \"yes (no dirty)\": what attach --nest-parent does not cover", r2)

# Every driver the simulator models, on each kernel it imitates, as the kernel answers: VT-d
# with and without nesting (QEMU's has none), SMMUv3 (no dirty-tracking nest parent),
# another driver (no nesting), the selftest mock (7.x only beside VT-d), PASID devices.
def host(kernel):
    t = {"kernel": kernel,
         "iommus": [{"name": "dmar0", "driver": "intel-vtd", "dirty_tracking": True},
                    {"name": "dmar1", "driver": "intel-vtd", "nesting": False},
                    {"name": "smmu0", "driver": "arm-smmu-v3", "dirty_tracking": True},
                    {"name": "amd0", "driver": "amd-iommu", "dirty_tracking": True}],
         "devices": [{"name": "vtd", "iommu": "dmar0"},
                     {"name": "vtd-pasid", "iommu": "dmar0", "pasid_bits": 20,
                      "pasid_exec": True},
                     {"name": "qemu-vtd", "iommu": "dmar1"},
                     {"name": "smmu", "iommu": "smmu0", "pasid_bits": 16, "pasid_priv": True},
                     {"name": "amd", "iommu": "amd0"},
                     {"name": "mdev", "emulated": True}]}
    if kernel != "6.12":
        t["iommus"].append({"name": "mock", "driver": "iommufd-selftest",
                            "dirty_tracking": True})
        t["devices"].append({"name": "mock-d", "iommu": "mock"})
    return t


for kernel, viommu in (("6.12", False), ("7.3", True)):
    t = host(kernel)
    arg = "--sim=" + json.dumps(t)
    r, kdoc = run_json(arg, "devices")
    kdevs = kdoc.get("devices", []) if kdoc else []
    by_name = {d["name"]: d for d in t["devices"]}
    kiommus = {i["name"]: i for i in t["iommus"]}
    check(sorted(d.get("name") for d in kdevs) == sorted(by_name), "%s: every device" % kernel,
          r)
    for d in kdevs:
        want = expected_caps(by_name[d["name"]], kiommus, viommu)
        got = {k: d.get(k) for k in CAP_KEYS}
        check(got == want, "%s %s: %s, want %s" % (kernel, d["name"], got, want), r)
    check(kdoc.get("kernel_viommu") is viommu, "%s: kernel_viommu %s" % (kernel, viommu), r)
    r = run(arg, "devices")
    head, krows, rest = parse_table(r, len(kdevs))
    cells = {row[0]: row[5:] for row in krows}
    for d in kdevs:
        check(cells.get(d["name"]) == table_cells(d),
              "%s %s: cells %s" % (kernel, d["name"], cells.get(d["name"])), r)
    check(rest == [summary_line(kdevs), VIOMMU_LINES[viommu]],
          "%s: the live-migration line and the vIOMMU line: %s" % (kernel, rest), r)
# The cells at a glance: QEMU's VT-d offers nothing of it, a PASID device its width, SMMUv3
# and the mock their vIOMMUs.
check(cells.get("qemu-vtd") == ["no", "no", "no", "no"] and
      cells.get("vtd-pasid") == ["yes", "yes", "20", "no"] and
      cells.get("smmu") == ["yes", "yes (no dirty)", "16", "yes"] and
      cells.get("mock-d") == ["yes", "yes", "no", "yes"] and
      cells.get("amd") == ["yes", "no", "no", "no"] and
      cells.get("mdev") == ["no (emulated)", "-", "-", "-"], "7.3 cells: %s" % cells, r)
check(rest[0] == SUMMARY + "5 of 7 devices; not: mdev (emulated), qemu-vtd (no dirty tracking)",
      "7.3: the live-migration line: %s" % rest[0], r)

# Past eight devices not covered, the line counts the rest.
many = {"iommus": [{"name": "d", "driver": "intel-vtd"}],
        "devices": [{"name": "dev%02d" % i, "iommu": "d"} for i in range(11)]}
r = run("--sim=" + json.dumps(many), "devices")
lines = r.out.splitlines()
check(r.rc == 0 and lines[-2] == SUMMARY + "0 of 11 devices; not: " +
      ", ".join("dev%02d (no dirty tracking)" % i for i in range(8)) + " and 3 more",
      "the line: eight names, then a count", r)
# Every device covered: all of them.
r = run(SIM, "devices", "--dirty-tracking")
check(r.out.splitlines()[-2] == SUMMARY + "all 3 devices", "--dirty-tracking: all", r)

# Names that need escaping survive JSON exactly; the output is strict JSON.
tricky_path = os.path.join(HERE, "tricky.json")
tricky = json.load(open(tricky_path))
r = run("--sim=" + tricky_path, "devices", "--json")
check(r.rc == 0, "tricky names: exit 0", r)
try:
    tdoc = json.loads(r.out, strict=True)
except ValueError as e:
    tdoc = None
    check(False, "tricky names: strict JSON (%s)" % e, r)
if tdoc:
    got = sorted(d["name"] for d in tdoc["devices"])
    check(got == sorted(d["name"] for d in tricky["devices"]), "tricky names round-trip", r)
    check(all(d["iommu"] in [""] + [i["name"] for i in tricky["iommus"]]
              for d in tdoc["devices"]), "tricky IOMMU names exact", r)
    check("\\u0001" in r.out and "\\t" in r.out and '\\"quoted\\"' in r.out and
          "\\u001b" in r.out and "\\n" in r.out, "control characters and quotes escaped", r)

# In text the same names are escaped (\n, \t, \x1b...): one row per device, no control
# character reaches the terminal (an ESC would be a terminal command), nothing else changed.
tnames = sorted((d["name"] for d in tricky["devices"]), key=lambda n: n.encode())
r = run("--sim=" + tricky_path, "devices")
lines = r.out.splitlines()
check(r.rc == 0 and len(lines) == 3 + len(tnames), "tricky names: one row per device", r)
check(lines[-2] == summary_line(sorted(tdoc["devices"], key=lambda d: d["name"].encode()))
      if tdoc else False, "tricky names: escaped in the live-migration line", r)
head, trows, rest = parse_table(r, len(tnames))
check(raw_controls(r.out) == [], "tricky names: no raw control character in the table", r)
check(all(l.startswith(shown(n) + " ") for l, n in zip(lines[1:], tnames)),
      "tricky names: each row starts with its name, escaped", r)
check("dmar\\x1b]0;title\\x07" in r.out and "intel-vtd\\r" in r.out,
      "tricky IOMMU and driver names escaped", r)
check("gerät-ünïcode-€" in r.out and 'dev "quoted" back\\slash\\ttab' in r.out,
      "printable names unchanged", r)
r = run("--sim=" + tricky_path, "devices", "--names")
check(r.rc == 0 and r.out.splitlines() == [shown(n) for n in tnames],
      "--names: one escaped name a line", r)
r = run("--sim=" + tricky_path, "--trace", "devices", "--names")
check(r.rc == 0 and raw_controls(r.err) == [] and shown(tnames[0]) in r.err,
      "--trace: names escaped in the trace lines", r)

# A name that is not UTF-8 (sysfs names are bytes): still valid JSON, the bad bytes U+FFFD.
not_utf8 = os.fsdecode(b'{"iommus": [], "devices": [{"name": "bad\xffname\xc3", "emulated": true},'
                      b' {"name": "caf\xc3\xa9", "emulated": true}]}')
try:
    r = run("--sim=" + not_utf8, "devices", "--json")
    names = sorted(d["name"] for d in json.loads(r.out)["devices"])
    check(r.rc == 0 and names == ["bad\ufffdname\ufffd", "caf\u00e9"], "not UTF-8: replaced", r)
except (UnicodeDecodeError, ValueError) as e:
    check(False, "not UTF-8: stdout is not UTF-8 JSON (%s)" % e)
# In text, the bytes that are not UTF-8 are shown as \xNN.
p = subprocess.run([TOOL, "--sim=" + not_utf8, "devices", "--names"], capture_output=True)
check(p.returncode == 0 and p.stdout == b"bad\\xffname\\xc3\ncaf\xc3\xa9\n",
      "not UTF-8 in text: escaped, stdout UTF-8: %r" % p.stdout)

# A host without devices.
empty = '{"iommus": [], "devices": []}'
r = run("--sim=" + empty, "devices")
check(r.rc == 0 and "vIOMMU" not in r.out and
      r.out.splitlines()[-1] == '(no devices in the simulated topology: its "devices" lists '
      'them, see iommufd_sim_new(3))', "no devices: says so, with advice for the simulator", r)
check("vfio-pci" not in r.out, "no devices on the simulator: no advice for real hardware", r)
# None left by --dirty-tracking: says that, not that there are none.
r = run("--sim=" + json.dumps({"iommus": [{"name": "d", "driver": "intel-vtd"}],
                               "devices": [{"name": "x", "iommu": "d"}]}),
        "devices", "--dirty-tracking")
check(r.rc == 0 and r.out.splitlines()[1:] == ["(no device whose IOMMU tracks dirty pages)",
                                               VIOMMU_LINES[True]],
      "--dirty-tracking leaves none: says so", r)
r, doc = run_json("--sim=" + empty, "devices")
check(doc.get("devices") == [], "no devices: empty array", r)
# Nothing asked, nothing known of the kernel.
check("kernel_viommu" in doc and doc["kernel_viommu"] is None, "no devices: kernel_viommu null",
      r)

# Tracing: a line per kernel call on stderr with --trace or IOMMUFD_TRACE=1, none without.
r = run(SIM, "devices", "--trace")
check(r.rc == 0 and "iommufd: " in r.err and "BIND_IOMMUFD" in r.err, "--trace lines", r)
r = run(SIM, "devices", env={"IOMMUFD_TRACE": "1"})
check(r.rc == 0 and "BIND_IOMMUFD" in r.err, "IOMMUFD_TRACE=1 lines", r)
r = run(SIM, "devices", "--json", "--trace")
check(parse_json(r) is not None and "BIND_IOMMUFD" in r.err, "--trace keeps stdout JSON", r)
for env in (None, {"IOMMUFD_TRACE": "0"}):
    r = run(SIM, "devices", env=env)
    check(r.rc == 0 and r.err == "", "no trace without --trace (%s)" % env, r)
# The trace shows the library's decisions too.
r = run(SIM, "attach", "0000:3b:00.0", env={"IOMMUFD_TRACE": "1"})
check(r.rc == 0 and "iommufd: container ioas" in r.err and "gets a new dirty-tracking hwpt" in r.err,
      "IOMMUFD_TRACE=1: decisions", r)

# --names: the usable devices' names, one per line, sorted; --dirty-tracking keeps those whose
# IOMMU tracks dirty pages, in the table and the JSON too.
r, full = run_json(SIM, "devices")
all_names = [d["name"] for d in full["devices"]]
dirty_names = [d["name"] for d in full["devices"] if d["dirty_tracking"]]
check(0 < len(dirty_names) < len(all_names), "the topology mixes dirty and non-dirty devices", r)
r = run(SIM, "devices", "--names")
check(r.rc == 0 and r.out.splitlines() == all_names, "--names: every usable device, one a line", r)
r = run(SIM, "devices", "--names", "--dirty-tracking")
check(r.rc == 0 and r.out.splitlines() == dirty_names, "--names --dirty-tracking", r)
r, ddoc = run_json(SIM, "devices", "--dirty-tracking")
check([d.get("name") for d in ddoc.get("devices", [])] == dirty_names,
      "--dirty-tracking filters the JSON", r)
r = run(SIM, "devices", "--dirty-tracking")
check([l.split()[0] for l in r.out.splitlines()[1:-2]] == dirty_names,
      "--dirty-tracking filters the table", r)
check(r.out.splitlines()[-1] == VIOMMU_LINES[True], "--dirty-tracking: the vIOMMU line", r)
r = run(SIM, "devices", "--names", "--json")
check(r.rc == 2 and r.out == "" and "exclude" in r.err, "--names with --json: usage error", r)

# Without --sim where /dev/iommu is absent: the built-in host, with a note on stderr.
if not os.path.exists("/dev/iommu"):
    r = run("devices", "--json")
    doc = parse_json(r)
    check(r.rc == 0 and doc is not None and doc.get("simulated") is True and
          len(doc.get("devices", [])) > 0, "built-in host when /dev/iommu is absent", r)
    check("/dev/iommu is absent" in r.err and "simulator" in r.err, "says so on stderr", r)

done()
