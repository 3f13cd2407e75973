#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The header, the version maps and the built libraries agree on what is exported.

  symbols.py --header iommufd.h [--private-header transport.h] --lib MAP SO [--lib MAP SO...]
             [--imports-private-only SO]

- Every map names its symbols one by one (no patterns), one node per release, each release
  node inheriting the one before; `local: *;` once, in the first node. A node whose name ends
  in _PRIVATE holds what the project's libraries share among themselves and nothing else.
- Every IOMMUFD_API function of the header is in exactly one map's release nodes, and every
  name there is declared in the header.
- Every name of a private node is declared IOFD_PRIVATE in the private header, and only there.
- Each library exports exactly its map's names (nm -D --defined-only), each in its node.
- --imports-private-only: what that library takes from the others is private names only.
Prints one line per problem and a count; exits 1 on any.
"""
import argparse
import re
import subprocess
import sys

problems = []


def problem(msg):
    problems.append(msg)
    print("not ok: " + msg)


def strip_comments(text):
    return re.sub(r"/\*.*?\*/", " ", text, flags=re.S)


def parse_map(path):
    """[(node, parent or None, [global names], has_local_star)] in file order."""
    text = strip_comments(open(path).read())
    nodes = []
    pos = 0
    node_re = re.compile(r"\s*([A-Za-z_][\w.]*)\s*\{(.*?)\}\s*([A-Za-z_][\w.]*)?\s*;", re.S)
    while True:
        rest = text[pos:]
        if not rest.strip():
            break
        m = node_re.match(text, pos)
        if not m:
            problem("%s: cannot read the map from: %r" % (path, rest.strip()[:60]))
            break
        name, body, parent = m.group(1), m.group(2), m.group(3)
        pos = m.end()
        names, local_star, section = [], False, "global"
        for tok in re.findall(r"global\s*:|local\s*:|[^\s;:]+\s*;", body):
            if tok.startswith("global"):
                section = "global"
            elif tok.startswith("local"):
                section = "local"
            else:
                sym = tok.rstrip(";").strip()
                if section == "local":
                    if sym == "*":
                        local_star = True
                    else:
                        problem("%s: node %s: local name %s (only `local: *;` is used)"
                                % (path, name, sym))
                else:
                    names.append(sym)
        nodes.append((name, parent, names, local_star))
    return nodes


def check_map(path, nodes):
    """The layout rules; returns {name: node} of every listed symbol."""
    where = {}
    release = [n for n in nodes if not n[0].endswith("_PRIVATE")]
    if not release:
        problem("%s: no release node" % path)
    prev = None
    for i, (node, parent, names, local_star) in enumerate(nodes):
        private = node.endswith("_PRIVATE")
        if not re.fullmatch(r"LIBIOMMUFD(_[A-Z]+)?_(\d+\.\d+|PRIVATE)", node):
            problem("%s: node %s is not named LIBIOMMUFD[_PART]_MAJOR.MINOR or _PRIVATE"
                    % (path, node))
        if local_star != (i == 0):
            problem("%s: node %s: `local: *;` belongs in the first node only" % (path, node))
        if private:
            if parent:
                problem("%s: private node %s inherits %s: it belongs to no release"
                        % (path, node, parent))
        else:
            if parent != prev:
                problem("%s: node %s inherits %s, not the release before it (%s)"
                        % (path, node, parent, prev))
            prev = node
        for sym in names:
            if re.search(r"[*?\[\]]", sym):
                problem("%s: node %s exports by pattern (%s): name every symbol"
                        % (path, node, sym))
            elif sym in where:
                problem("%s: %s is in two nodes, %s and %s" % (path, sym, where[sym], node))
            else:
                where[sym] = node
    return where


def declared(path, marker):
    text = strip_comments(open(path).read()).replace("\\\n", " ")
    text = re.sub(r"^\s*#.*$", "", text, flags=re.M)  # macros, e.g. IOMMUFD_API's own
    return set(re.findall(r"\b%s\s[^;(]*?\b([A-Za-z_]\w*)\s*\(" % marker, text, re.S))


def nm(so, *flags):
    out = subprocess.run(["nm", "-D", "--with-symbol-versions"] + list(flags) + [so],
                         capture_output=True, text=True, check=True).stdout
    return out.splitlines()


def exported(so):
    """{name: version} of what the library defines, but the version definitions themselves."""
    syms = {}
    for line in nm(so, "--defined-only"):
        parts = line.split()
        if len(parts) < 3:
            continue
        kind, sym = parts[1], parts[2]
        name, _, version = sym.partition("@")
        version = version.lstrip("@")
        if kind == "A" and not version:  # a version definition (nm shows it as a symbol)
            continue
        syms[name] = version
    return syms


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--header", required=True)
    ap.add_argument("--private-header")
    ap.add_argument("--lib", nargs=2, action="append", metavar=("MAP", "SO"), required=True)
    ap.add_argument("--imports-private-only", action="append", default=[], metavar="SO")
    args = ap.parse_args()

    public = declared(args.header, "IOMMUFD_API")
    if len(public) < 40:
        problem("found only %d IOMMUFD_API functions in %s" % (len(public), args.header))
    private_decl = declared(args.private_header, "IOFD_PRIVATE") if args.private_header else set()

    in_release, in_private = {}, {}
    for mapfile, so in args.lib:
        where = check_map(mapfile, parse_map(mapfile))
        for sym, node in where.items():
            target = in_private if node.endswith("_PRIVATE") else in_release
            if sym in target:
                problem("%s is in two maps (%s, %s)" % (sym, target[sym][0], mapfile))
            target[sym] = (mapfile, node)

        exp = exported(so)
        for sym, node in sorted(where.items()):
            if sym not in exp:
                problem("%s: %s is in %s (%s) but not exported" % (so, sym, mapfile, node))
            elif exp[sym] != node:
                problem("%s: %s is exported in version %s, the map says %s"
                        % (so, sym, exp[sym] or "(none)", node))
        for sym in sorted(set(exp) - set(where)):
            problem("%s exports %s, which %s does not name" % (so, sym, mapfile))
        if set(exp) == set(where):
            print("ok: %s exports the %d names of %s" % (so, len(where), mapfile))

    for sym in sorted(public - set(in_release)):
        problem("%s is declared IOMMUFD_API but in no map's release node" % sym)
    for sym in sorted(set(in_release) - public):
        problem("%s (%s, %s) is not declared IOMMUFD_API in %s"
                % ((sym,) + in_release[sym] + (args.header,)))
    for sym in sorted(set(in_private) - private_decl):
        problem("%s (%s, %s) is not declared IOFD_PRIVATE in %s"
                % ((sym,) + in_private[sym] + (args.private_header,)))
    for sym in sorted(private_decl - set(in_private)):
        problem("%s is declared IOFD_PRIVATE but in no map's private node" % sym)
    for sym in sorted(set(in_private) & public):
        problem("%s is private but declared in the public header" % sym)

    for so in args.imports_private_only:
        for line in nm(so, "--undefined-only"):
            parts = line.split()
            sym = parts[-1]
            name, _, version = sym.partition("@")
            version = version.lstrip("@")
            if name in in_release or (version.startswith("LIBIOMMUFD") and
                                      not version.endswith("_PRIVATE")):
                problem("%s uses %s: it may take only private names from the others"
                        % (so, sym))

    print("%d problems" % len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
