#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes the seed corpus of fuzz_api (fuzz/corpus/api/seed-*): call sequences in the
target's encoding, each named for what it does. Run from anywhere; it rewrites only
the seed-* files (inputs found by fuzzing are kept beside them)."""
import os

OPS = dict(open=0, close=1, new=2, free=3, attach=4, detach=5, map=6, unmap=7, track=8,
           dma=9, read=10, read_bad=11, unmap_all=12, detach_pt=15)
DEV = dict(a0=0, a1=1, b0=2, s0=3, s1=4, mock=5, mdev=6)  # as in fuzz_api.c
DIRTY, NEST = 1, 2
ERRS = dict(EIO=0, ENOMEM=1, ENXIO=2)


def op(name, *args, fail=None):
    """One operation; fail=(k, err): its k-th kernel call (1..16) fails with err."""
    if fail is None:
        return bytes([OPS[name]] + list(args))
    k, err = fail
    return bytes([0xe0 | OPS[name], ERRS[err] << 4 | (k - 1)] + list(args))


def open_(d, how=0, **kw):
    return op("open", DEV[d], how, **kw)


def close(d, **kw):
    return op("close", DEV[d], **kw)


def new(c, flags, **kw):
    return op("new", c, flags, **kw)


def free(c, **kw):
    return op("free", c, **kw)


def attach(c, d, **kw):
    return op("attach", c, DEV[d], **kw)


def detach(c, d, **kw):
    return op("detach", c, DEV[d], **kw)


def map_(c, first, n, ro=False, **kw):
    return op("map", c, first, (n - 1) | (0x80 if ro else 0), **kw)


def unmap(c, first, n, **kw):
    return op("unmap", c, first, n - 1, **kw)


def unmap_all(c, **kw):
    return op("unmap_all", c, **kw)


def track(c, on, **kw):
    return op("track", c | (0x80 if on else 0), **kw)


def dma(d, first, n):
    return op("dma", DEV[d], first + 4, n - 1)


def read(c, start, npages, pshift=0, noclear=False, form=0, **kw):
    """form 0: read_dirty, 1: read_dirty_bitmap with opts, 2: with NULL opts."""
    return op("read", c, start + 4, (npages - 1) | (0x80 if noclear else 0),
              pshift + 3 * form, **kw)


def read_bad(c, variant):
    return op("read_bad", c, variant)


def seq(*parts, order=(0, 0)):
    return bytes(order) + b"".join(parts)


def setup(c, flags, devs, pages=(0, 16)):
    out = [new(c, flags), map_(c, pages[0], pages[1])]
    for d in devs:
        out += [open_(d), attach(c, d)]
    return out


S = {}
S["migrate-round"] = seq(*setup(0, DIRTY, ["a0", "s0", "mock"]), track(0, True),
                         dma("a0", 2, 3), dma("s0", 8, 1), dma("mock", 12, 2),
                         read(0, 0, 16), read(0, 0, 16), track(0, False))
S["noclear-then-clear"] = seq(*setup(0, DIRTY, ["a0"]), track(0, True), dma("a0", 0, 4),
                              read(0, 0, 16, noclear=True), read(0, 0, 16, form=1),
                              read(0, 0, 16, form=2))
S["big-pages"] = seq(*setup(0, DIRTY, ["a0", "a1"]), map_(0, 16, 16), track(0, True),
                     dma("a1", 5, 1), dma("a0", 20, 9), read(0, 0, 8, pshift=2),
                     read(0, 0, 16, pshift=1, noclear=True), read(0, 0, 32))
S["hot-unplug"] = seq(*setup(0, DIRTY, ["a0", "s0"]), track(0, True), dma("s0", 3, 2),
                      detach(0, "s0"), read(0, 0, 16), attach(0, "s0"), dma("s0", 4, 1),
                      close("s0"), read(0, 0, 16))
S["hot-plug-while-tracking"] = seq(*setup(0, DIRTY, ["a0"]), track(0, True), open_("mock"),
                                   attach(0, "mock"), read(0, 0, 16), dma("mock", 1, 1),
                                   read(0, 0, 16))
S["unmap-while-tracking"] = seq(*setup(0, DIRTY, ["a0"]), map_(0, 16, 8), track(0, True),
                                dma("a0", 14, 6), unmap(0, 16, 8), unmap(0, 0, 8),
                                read(0, 0, 32), unmap_all(0), read(0, 0, 32))
S["stop-keeps-bits"] = seq(*setup(0, DIRTY, ["s0"]), track(0, True), dma("s0", 0, 2),
                           track(0, False), dma("s0", 4, 2), read(0, 0, 16), read(0, 0, 16),
                           track(0, True), read(0, 0, 16))
S["readonly-faults"] = seq(new(0, DIRTY), map_(0, 0, 4, ro=True), map_(0, 4, 4),
                           open_("a0"), attach(0, "a0"), track(0, True), dma("a0", 2, 4),
                           dma("a0", -2, 3), dma("a0", 60, 8), read(0, -4, 16))
S["nest-parent"] = seq(*setup(0, DIRTY | NEST, ["a0", "s0", "s1", "mock"]), track(0, True),
                       dma("s0", 0, 16), dma("a0", 0, 1), read(0, 0, 16))
S["plain-container"] = seq(*setup(1, 0, ["a0", "b0", "mdev"]), track(1, True), dma("mdev", 0, 4),
                           read(1, 0, 16), read_bad(1, 0))
S["two-containers"] = seq(*setup(0, DIRTY, ["a0"]), *setup(1, DIRTY, ["a1"], pages=(8, 8)),
                          attach(1, "a0"), track(0, True), track(1, True), dma("a0", 1, 1),
                          dma("a1", 9, 1), read(0, 0, 16), read(1, 0, 16), free(0),
                          attach(1, "a0"), read(1, 0, 16))
S["three-containers"] = seq(*setup(0, DIRTY, ["a0"]), *setup(1, NEST, ["s0"]),
                            *setup(2, DIRTY | NEST, ["mock", "b0"]), track(2, True),
                            dma("mock", 0, 16), free(1), free(0), read(2, 0, 16), free(2))
S["bad-reads"] = seq(*setup(0, DIRTY, ["a0"]), track(0, True), dma("a0", 0, 1),
                     *[read_bad(0, v) for v in range(12)], read(0, 0, 16))
S["map-rules"] = seq(new(0, DIRTY), map_(0, 0, 8), map_(0, 4, 8), map_(0, 8, 8, ro=True),
                     unmap(0, 2, 4), unmap(0, 0, 16), unmap(0, 40, 1), unmap_all(0),
                     unmap_all(0))
S["device-rules"] = seq(open_("a0"), open_("a0", 1), open_("mdev", 2), open_("s0", 1),
                        new(0, 0), new(1, DIRTY), attach(0, "a0"), attach(1, "a0"),
                        detach(1, "a0"), detach(0, "a0"), detach(0, "a0"), close("a0"),
                        open_("a0", 2), dma("b0", 0, 1), dma("a0", 0, 1))
S["bad-flags"] = seq(new(0, 0x80 | 0x04), new(0, 0x80 | 0x7c), new(0, 3), track(0, True),
                     read_bad(0, 6), free(0))
S["free-with-devices"] = seq(*setup(0, DIRTY, ["a0", "a1", "s0", "mdev"]), track(0, True),
                             dma("a1", 0, 16), free(0), dma("a1", 0, 1))
S["close-first"] = seq(*setup(0, DIRTY, ["a0", "mock"]), track(0, True), dma("a0", 0, 2),
                       close("a0"), close("mock"), read(0, 0, 16), order=(0x12, 0x34))
S["fault-attach"] = seq(new(0, DIRTY), map_(0, 0, 16), open_("a0"),
                        *[attach(0, "a0", fail=(k, "EIO")) for k in range(1, 8)],
                        track(0, True), open_("s0"), attach(0, "s0", fail=(3, "ENOMEM")),
                        attach(0, "s0", fail=(4, "ENOMEM")), attach(0, "s0"), dma("s0", 0, 1),
                        read(0, 0, 16))
S["fault-detach"] = seq(*setup(0, DIRTY, ["a0", "s0"]), track(0, True), dma("a0", 0, 3),
                        *[detach(0, "a0", fail=(k, "EIO")) for k in range(1, 6)],
                        read(0, 0, 16))
S["fault-read"] = seq(*setup(0, DIRTY, ["a0", "s0"]), track(0, True), dma("a0", 0, 3),
                      dma("s0", 5, 1), *[read(0, 0, 4, pshift=2, fail=(k, "EIO"))
                                         for k in range(1, 6)], read(0, 0, 16))
S["fault-track"] = seq(*setup(0, DIRTY, ["a0", "s0", "mock"]),
                       *[track(0, True, fail=(k, "ENXIO")) for k in range(1, 4)],
                       track(0, True), dma("mock", 0, 1),
                       *[track(0, False, fail=(k, "EIO")) for k in range(1, 6)],
                       track(0, False), read(0, 0, 16))
S["fault-unmap"] = seq(*setup(0, DIRTY, ["a0"]), map_(0, 16, 4), track(0, True),
                       dma("a0", 16, 4), unmap(0, 16, 4, fail=(1, "EIO")),
                       unmap(0, 16, 4, fail=(2, "EIO")), unmap(0, 16, 4), read(0, 0, 32),
                       unmap_all(0, fail=(1, "ENOMEM")))
S["fault-map-open-new"] = seq(new(0, DIRTY, fail=(1, "EIO")), new(0, DIRTY),
                              open_("a0", fail=(1, "EIO")), open_("a0"), attach(0, "a0"),
                              map_(0, 0, 4, fail=(1, "EIO")), map_(0, 0, 4, fail=(2, "EIO")),
                              map_(0, 0, 4))
S["fault-free"] = seq(*setup(0, DIRTY, ["a0", "s0"]), track(0, True), free(0, fail=(1, "EIO")),
                      *setup(1, DIRTY, ["a1"]), attach(1, "a0"), dma("a0", 0, 1),
                      free(1, fail=(3, "EIO")))
S["fault-free-recover"] = seq(*setup(0, DIRTY, ["a0"]), free(0, fail=(1, "EIO")),
                              new(1, DIRTY), attach(1, "a0"), op("detach_pt", DEV["a0"]),
                              op("detach_pt", DEV["a0"]), attach(1, "a0"), map_(1, 0, 4),
                              dma("a0", 0, 4))
S["fault-close"] = seq(*setup(0, DIRTY, ["a0", "s0"]), track(0, True), dma("s0", 0, 2),
                       close("s0", fail=(1, "EIO")), close("a0", fail=(2, "EIO")),
                       read(0, 0, 16))
S["dma-edges"] = seq(*setup(0, 0, ["mdev", "b0"]), dma("mdev", 0, 16), dma("mdev", 15, 2),
                     dma("b0", 0, 16), op("dma", DEV["b0"], 0x80, 0x80),
                     op("dma", DEV["b0"], 0, 0x80), dma("s1", 0, 1))
S["empty"] = seq()

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "api")
os.makedirs(here, exist_ok=True)
for f in os.listdir(here):
    if f.startswith("seed-"):
        os.unlink(os.path.join(here, f))
for name, data in S.items():
    with open(os.path.join(here, "seed-" + name), "wb") as f:
        f.write(data)
print("%d seeds in %s" % (len(S), here))
