#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Compile layout.c (the public structs' offsets, asserted) for arches this machine need not run:
32-bit ones where size_t is 4 bytes and uint64_t aligns to 4 (i386) or to 8 (arm), and 64-bit
ones. Freestanding, so that no target's C library is needed. Skipped (77) without clang."""
import shutil
import subprocess
import sys

TARGETS = ["x86_64-linux-gnu", "aarch64-linux-gnu", "i386-linux-gnu", "arm-linux-gnueabihf",
           "riscv32-linux-gnu", "powerpc-linux-gnu"]


def main():
    source, *include_dirs = sys.argv[1:]
    clang = shutil.which("clang")
    if not clang:
        print("SKIP: no clang to compile for other arches")
        return 77
    failed = 0
    for target in TARGETS:
        cmd = [clang, "--target=" + target, "-ffreestanding", "-std=c11", "-fsyntax-only",
               *("-I" + d for d in include_dirs), source]
        run = subprocess.run(cmd, capture_output=True, text=True)
        if run.returncode:
            failed += 1
            print("FAIL %s:\n%s" % (target, run.stderr))
        else:
            print("ok %s" % target)
    print("%d passed, %d failed" % (len(TARGETS) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
