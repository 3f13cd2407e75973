#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""iommufdctl migrate: the harvest loop converges and finds every page the simulated DMA wrote."""
import errno
import json
import os
import pty
import re
import resource
import select
import signal
import subprocess
import time

from toolcheck import SIM, TOOL, check, done, run, run_json

A, B = "0000:3b:00.0", "0000:af:00.0"   # dirty capable: dmar0 (VT-d), smmu0 (SMMUv3)
NODIRTY, MDEV = "0000:5e:00.0", "mdev0"
MiB = 1 << 20

# The loop: round 1 writes --dma-rate pages, each next round half; all found; converges.
args = [SIM, "migrate", A, B, "--memory", "64M", "--dma-rate", "4096", "--working-set", "32M",
        "--threshold", "16"]
r, doc = run_json(*args, rc=0)
rounds = doc.get("rounds", [])
s = doc.get("summary") or {}
check(doc.get("memory", {}).get("bytes") == 64 * MiB and doc["memory"]["pages"] == 16384 and
      doc["memory"]["page_size"] == 4096, "memory", r)
check(doc.get("dma", {}).get("source") == "simulator" and doc["dma"]["rate_pages"] == 4096 and
      doc["dma"]["working_set_bytes"] == 32 * MiB, "dma", r)
check(doc.get("migratable") is True, "migratable", r)
check([x["dma_writes"] for x in rounds] == [4096 >> i for i in range(len(rounds))],
      "the DMA halves each round", r)
for x in rounds:
    check(x["dirty_pages"] == x["written_pages"] and x["lost_pages"] == 0 and
          x["extra_pages"] == 0, "round %d: found exactly what was written" % x["round"], r)
    check(0 < x["written_pages"] <= x["dma_writes"] or x["dma_writes"] == 0,
          "round %d: distinct pages <= writes" % x["round"], r)
    check(x["dirty_bytes"] == 4096 * x["dirty_pages"], "round %d: bytes" % x["round"], r)
    check(x["round_ms"] >= x["read_ms"] >= 0 and x["dirty_rate_mib_s"] >= 0,
          "round %d: times and rate" % x["round"], r)
check([x["round"] for x in rounds] == list(range(1, len(rounds) + 1)), "rounds numbered", r)
check(rounds and rounds[-1]["dirty_pages"] < 16 and all(x["dirty_pages"] >= 16 for x in rounds[:-1]),
      "stops at the first round below the threshold", r)
check(s.get("converged") is True and s.get("interrupted") is False and
      s.get("rounds") == len(rounds), "summary: converged", r)
check(s.get("remaining_pages") == (rounds[-1]["dirty_pages"] if rounds else None),
      "summary: remaining pages", r)
check(s.get("total_dirty_pages") == sum(x["dirty_pages"] for x in rounds) ==
      s.get("total_written_pages") and s.get("lost_pages") == 0, "summary: totals", r)
check(doc.get("teardown", {}).get("clean") is True and doc["teardown"]["objects_left"] == 0,
      "clean teardown", r)
total = s.get("total_dirty_pages")

# The text output of the same run: a line per round, plain (not a terminal), and the summary.
r = run(*args)
check(r.rc == 0, "text: exit 0", r)
check("\r" not in r.out and "\033" not in r.out and "#" not in r.out,
      "text: plain lines when stdout is not a terminal", r)
round_lines = [l for l in r.out.splitlines() if re.match(r"^\s+\d+\s+\d+\s", l)]
check(len(round_lines) == len(rounds), "text: one line per round", r)
check([int(l.split()[1]) for l in round_lines] == [x["dirty_pages"] for x in rounds],
      "text: same pages as JSON (same seed)", r)
check("converged after %d rounds" % len(rounds) in r.out, "text: converged", r)
check("simulated DMA: %d pages written, %d found" % (total, total) in r.out and
      "LOST" not in r.out, "text: every written page found", r)

# On a terminal: a bar per round showing the dirty set shrinking.
master, slave = pty.openpty()
env = dict(os.environ)
env.pop("IOMMUFD_TRACE", None)
p = subprocess.Popen([TOOL] + args, stdout=slave, stderr=subprocess.PIPE, env=env)
os.close(slave)
out = b""
while True:
    try:
        chunk = os.read(master, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
p.wait(timeout=60)
os.close(master)
text = out.decode(errors="replace")
bars = [len(m) for m in re.findall(r"#+", text)]
check(p.returncode == 0 and len(bars) == len(rounds), "terminal: a bar per round:\n" + text)
check(bars and bars[0] == 30 and bars == sorted(bars, reverse=True),
      "terminal: bars shrink from full width:\n" + text)

# Same seed, same pages; another seed, other pages.
r1, d1 = run_json(*(args + ["--seed", "7"]))
r2, d2 = run_json(*(args + ["--seed", "7"]))
r3, d3 = run_json(*(args + ["--seed", "8"]))
pages = lambda d: [x["dirty_pages"] for x in d.get("rounds", [])]
check(pages(d1) == pages(d2) and pages(d1) != pages(d3), "--seed reproducible", r3)

# No decay: never converges; the round limit ends it (still exit 0, converged false).
r, doc = run_json(SIM, "migrate", A, "--memory", "16M", "--dma-rate", "100", "--dma-decay", "100",
                  "--max-rounds", "3", "--threshold", "10", rc=0)
s = doc.get("summary") or {}
check(len(doc.get("rounds", [])) == 3 and s.get("converged") is False and
      s.get("lost_pages") == 0, "--max-rounds ends an unconverging loop", r)
r = run(SIM, "migrate", A, "--memory", "16M", "--dma-rate", "100", "--dma-decay", "100",
        "--max-rounds", "3", "--threshold", "10")
check(r.rc == 0 and "did not converge in 3 rounds" in r.out, "text: did not converge", r)

# Nothing written: converged after one empty round.
r, doc = run_json(SIM, "migrate", A, "--memory", "8M", "--dma-rate", "0", rc=0)
check([x["dirty_pages"] for x in doc.get("rounds", [])] == [0] and
      doc["summary"]["converged"] is True, "no DMA: one empty round", r)

# The default memory (256M) lands 2M-aligned in the allowed range; --iova puts it elsewhere.
r, doc = run_json(SIM, "migrate", A, "--dma-rate", "64", rc=0)
m = doc.get("memory") or {}
check(m.get("bytes") == 256 * MiB and m.get("iova", 1) % (2 * MiB) == 0, "default memory", r)
r, doc = run_json(SIM, "migrate", A, "--memory", "4M", "--iova", "0x40000000", rc=0)
check((doc.get("memory") or {}).get("iova") == 0x40000000, "--iova", r)
r, doc = run_json(SIM, "migrate", A, "--memory", "4M", "--iova", hex(1 << 60), rc=1)
check("map" in doc.get("error", "") and "allowed" in doc.get("error", ""),
      "an IOVA outside the allowed ranges: the library's reason", r)
# Not migratable: exit 3 before anything is mapped; the devices and the reason are named.
r, doc = run_json(SIM, "migrate", A, NODIRTY, MDEV, rc=3)
check(doc.get("rounds") == [] and doc.get("summary") is None and doc.get("memory") is None,
      "not migratable: the loop does not run", r)
check(doc.get("dirty_tracking", {}).get("not_covered") == [NODIRTY, MDEV], "names them", r)
# The document keeps its shape: the options as given (or their defaults), the same members
# as a run's (but the "error" an interrupted run adds), in the same order.
check(doc.get("threshold_pages") == 64 and doc.get("max_rounds") == 30 and
      doc.get("interval_ms") == 0, "not migratable: the options, defaults on the simulator", r)
r2, ran = run_json(SIM, "migrate", A, "--memory", "4M", "--dma-rate", "16", rc=0)
check(list(doc) == list(ran), "not migratable: the members of a run: %s, a run %s" %
      (list(doc), list(ran)), r)
r, doc = run_json(SIM, "migrate", NODIRTY, "--threshold", "5", "--max-rounds", "7",
                  "--interval", "250", rc=3)
check(doc.get("threshold_pages") == 5 and doc.get("max_rounds") == 7 and
      doc.get("interval_ms") == 250, "not migratable: the options as given", r)
check(doc.get("teardown", {}).get("clean") is True, "not migratable: clean teardown", r)
r = run(SIM, "migrate", A, NODIRTY)
check(r.rc == 3 and "not migratable" in r.out and "round" not in r.out, "text: exit 3", r)

# Interrupted: SIGINT (Ctrl-C) and SIGTERM stop the loop, also in the middle of a round's
# generated DMA, and the teardown runs (nothing left on the simulator); the exit status is
# 128 + the signal; what ran is reported, in text and in one JSON document.
def signal_when(args, ready, sig, on_stderr=False, wait_s=20):
    """Runs the tool; once a line of stdout (stderr) satisfies ready, sends sig. Returns
    (exit status or None if it did not end, stdout, stderr, whether ready was seen)."""
    env = dict(os.environ)
    env.pop("IOMMUFD_TRACE", None)
    p = subprocess.Popen([TOOL] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    bufs = {p.stdout.fileno(): b"", p.stderr.fileno(): b""}
    watch = p.stderr.fileno() if on_stderr else p.stdout.fileno()
    seen, done_at, deadline = False, None, time.monotonic() + wait_s
    open_fds = set(bufs)
    while open_fds and time.monotonic() < deadline:
        for fd in select.select(list(open_fds), [], [], 0.1)[0]:
            chunk = os.read(fd, 65536)
            if not chunk:
                open_fds.discard(fd)
            bufs[fd] += chunk
        if not seen and any(ready(l) for l in bufs[watch].decode(errors="replace").splitlines(True)
                            if l.endswith("\n")):
            seen = True
            p.send_signal(sig)
    if open_fds:  # still running: the signal was not obeyed
        p.kill()
    rc = p.wait()
    out, err = bufs[p.stdout.fileno()], bufs[p.stderr.fileno()]
    return ((None if open_fds else rc), out.decode(errors="replace"),
            err.decode(errors="replace"), seen)


names = {signal.SIGINT: "SIGINT", signal.SIGTERM: "SIGTERM"}
huge = [SIM, "migrate", A, B, "--memory", "64M", "--dma-rate", str(2**32 - 1), "--dma-decay",
        "100", "--max-rounds", "100000", "--threshold", "0"]
steady = [SIM, "migrate", A, "--memory", "64M", "--dma-rate", "2000", "--dma-decay", "100",
          "--max-rounds", "100000", "--threshold", "0"]
round_line = re.compile(r"^\s+\d+\s+\d+\s")
for sig in (signal.SIGINT, signal.SIGTERM):
    what = names[sig]
    # Within round 1's DMA (4 billion page writes): stops there, no round ran.
    rc, out, err, seen = signal_when(huge, lambda l: l.startswith("DMA:"), sig)
    res = "exit %s\n%s%s" % (rc, out, err)
    check(seen, "%s: the plan line came before the DMA: %s" % (what, res))
    check(rc == 128 + sig, "%s during the DMA: stops, exit %d: %s" % (what, 128 + sig, res))
    check("interrupted after 0 rounds" in out and "teardown: clean (no kernel object left)" in out,
          "%s during the DMA: summary and clean teardown: %s" % (what, res))
    check(("interrupted by " + what) in err and len(err.splitlines()) == 1,
          "%s during the DMA: one line on stderr says so: %s" % (what, res))
    # Between rounds: the rounds that ran are kept.
    rc, out, err, seen = signal_when(steady, lambda l: bool(round_line.match(l)), sig)
    res = "exit %s\n%s%s" % (rc, out, err)
    rounds_run = [l for l in out.splitlines() if round_line.match(l)]
    check(seen and rc == 128 + sig, "%s after round 1: exit %d: %s" % (what, 128 + sig, res))
    check(len(rounds_run) >= 1 and ("interrupted after %d round" % len(rounds_run)) in out and
          "LOST" not in out and "teardown: clean (no kernel object left)" in out,
          "%s after round 1: the rounds, the summary, a clean teardown: %s" % (what, res))

    # JSON: one document with the layout, the rounds that ran, the summary, and the error.
    tracking_on = []

    def first_read(line):
        # The loop's reads come after tracking is on; once one began, its round completes.
        if "dirty tracking on" in line:
            tracking_on.append(True)
        return bool(tracking_on) and "GET_DIRTY_BITMAP" in line

    # Between rounds (once a read began), and within round 1's DMA (once tracking is on).
    for args, ready, min_rounds in ((steady, first_read, 1),
                                    (huge, lambda l: "dirty tracking on" in l, 0)):
        tracking_on.clear()
        rc, out, err, seen = signal_when(args + ["--json", "--trace"], ready, sig,
                                         on_stderr=True)
        res = "exit %s\n%s%s" % (rc, out, err[-2000:])
        try:
            doc = json.loads(out)
        except ValueError as e:
            doc = {}
            check(False, "%s --json: stdout is one JSON document (%s): %s" % (what, e, res))
        s = doc.get("summary") or {}
        rounds = doc.get("rounds") or []
        check(seen and rc == 128 + sig and doc.get("exit_code") == 128 + sig,
              "%s --json: exit %d, exit_code member: %s" % (what, 128 + sig, res))
        check(doc.get("command") == "migrate" and doc.get("container") and
              [d["name"] for d in doc.get("devices", [])] == args[2:args.index("--memory")],
              "%s --json: the layout: %s" % (what, res))
        check((doc.get("memory") or {}).get("bytes") == 64 * MiB and doc.get("dma"),
              "%s --json: memory and dma: %s" % (what, res))
        check(len(rounds) >= min_rounds and s.get("rounds") == len(rounds) and
              s.get("interrupted") is True and s.get("converged") is False and
              s.get("lost_pages") == 0 and all(x["lost_pages"] == 0 for x in rounds),
              "%s --json: the rounds that ran (%d) and the summary: %s" %
              (what, len(rounds), res))
        check(("interrupted by " + what) in (doc.get("error") or ""),
              "%s --json: the error says so: %s" % (what, res))
        check((doc.get("teardown") or {}).get("clean") is True and
              doc["teardown"].get("objects_left") == 0,
              "%s --json: clean teardown: %s" % (what, res))

# Unknown device: exit 1 with a clear message.
r = run(SIM, "migrate", "nosuch0")
check(r.rc == 1 and "open device 'nosuch0'" in r.err, "unknown device", r)

# A failure of the tool's own (mmap, under an address-space limit) gives its own errno, not the
# message an earlier library failure left: attaching A after B leaves one (the SMMU's domain
# refused A) although the attach succeeds. Sanitizers reserve more address space than this.
if os.environ.get("SANITIZE", "none") == "none":
    def limit_as():
        resource.setrlimit(resource.RLIMIT_AS, (512 * MiB, 512 * MiB))

    p = subprocess.run([TOOL, SIM, "migrate", B, A, "--memory", "1G", "--json"],
                       capture_output=True, text=True, preexec_fn=limit_as, timeout=60)
    err = json.loads(p.stdout).get("error", "") if p.stdout.startswith("{") else ""
    check(p.returncode == 1 and err.startswith("mmap") and os.strerror(errno.ENOMEM) in err and
          "VFIO" not in err and "VFIO" not in p.stderr,
          "mmap failure: its own errno, no earlier library message: exit %d\n%s%s" %
          (p.returncode, p.stdout, p.stderr))

done()
