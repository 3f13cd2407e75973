# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the iommufdctl tests share: run the built tool, parse its JSON, collect failures."""
import json
import os
import subprocess
import sys

TOOL = os.environ["IOMMUFDCTL"]
TOPOLOGY = os.environ["TOPOLOGY"]
SIM = "--sim=" + TOPOLOGY

_failures = []


class Result:
    def __init__(self, args, proc):
        self.args = args
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def __str__(self):
        return "iommufdctl %s -> exit %d\n--- stdout\n%s--- stderr\n%s" % (
            " ".join(self.args), self.rc, self.out, self.err)


def run(*args, env=None, timeout=60):
    """Runs the tool with args; IOMMUFD_TRACE is cleared unless env sets it."""
    e = dict(os.environ)
    e.pop("IOMMUFD_TRACE", None)
    if env:
        e.update(env)
    proc = subprocess.run([TOOL] + list(args), capture_output=True, text=True,
                          env=e, timeout=timeout)
    return Result(list(args), proc)


def check(cond, what, result=None):
    if not cond:
        msg = "FAIL: " + what
        if result is not None:
            msg += "\n" + str(result)
        _failures.append(msg)
        print(msg, file=sys.stderr)
    return cond


def parse_json(result):
    """The tool's stdout as JSON; a failure (and None) if it is not exactly one document."""
    try:
        return json.loads(result.out)
    except ValueError as e:
        check(False, "stdout is not valid JSON (%s)" % e, result)
        return None


def run_json(*args, rc=0):
    r = run(*(list(args) + ["--json"]))
    check(r.rc == rc, "exit %d expected" % rc, r)
    doc = parse_json(r)
    if doc is not None:
        check(doc.get("exit_code", rc) == rc, "exit_code member says %s" % doc.get("exit_code"), r)
    return r, doc or {}


def shown(name):
    """A name as the tool shows it in text: control characters and C1 escaped, per byte."""
    out = ""
    for ch in name:
        o = ord(ch)
        if ch in "\n\t\r":
            out += {"\n": "\\n", "\t": "\\t", "\r": "\\r"}[ch]
        elif o < 0x20 or o == 0x7f or 0x80 <= o < 0xa0:
            out += "".join("\\x%02x" % b for b in ch.encode())
        elif 0xdc80 <= o <= 0xdcff:  # a byte that was not UTF-8 (os.fsdecode)
            out += "\\x%02x" % (o - 0xdc00)
        else:
            out += ch
    return out


def raw_controls(text):
    """The control characters in text other than the newlines ending its lines."""
    return [c for c in text if c != "\n" and (ord(c) < 0x20 or ord(c) == 0x7f or
                                             0x80 <= ord(c) < 0xa0)]


def done():
    if _failures:
        print("%d check(s) failed" % len(_failures), file=sys.stderr)
        sys.exit(1)
    print("all checks passed")
    sys.exit(0)
