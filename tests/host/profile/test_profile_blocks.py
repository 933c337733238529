#!/usr/bin/env python3
"""test_profile_blocks.py - tools/profile-blocks.c on a hand-made log of QEMU's format.

The log has a kernel block, two user blocks of different programs at the same address (only
one holds the window's marker encoding), a block retranslated at a reused host address, and
executions before, inside and after two windows. Each check prints a TAP line.
"""
import os
import subprocess
import sys
import tempfile


def block(host, priv, insns):
    """An "IN:" entry for a block and its first Trace line (QEMU logs both at translation)."""
    lines = ["----------------", "IN: ", "Priv: %d; Virt: 0" % priv]
    for addr, enc in insns:
        lines.append("0x%016x:  %-8s          nop" % (addr, enc))
    lines.append("")
    lines.append(trace(host, insns[0][0]))
    return lines


def trace(host, pc):
    return "Trace 0: 0x%x [0000000000000000/%016x/00209003/ff020200] " % (host, pc)


def run(exe, log, *args):
    out = subprocess.run([exe, log, *args], capture_output=True, text=True, check=True).stdout
    rows = {}
    windows = None
    for line in out.splitlines():
        f = line.split()
        if f[0] == "windows":
            windows = int(f[1])
        else:
            rows[(int(f[0]), int(f[1], 16), f[4])] = (int(f[2]), int(f[3]))
    return rows, windows


def main():
    exe = sys.argv[1]
    kernel = [(0xffffffff80200000, "00000013"), (0xffffffff80200004, "00000013")]
    prog_a = [(0x10100, "c0102673"), (0x10104, "0001"), (0x10106, "00000013")]  # from marker
    prog_b = [(0x10100, "00000013"), (0x10104, "00000013")]  # same address, other program
    loop = [(0x10200, "00000013"), (0x10204, "00000013"), (0x10208, "fe0008e3")]
    end = [(0x10300, "c01027f3")]  # to marker
    log = []
    log += block(0x7f0000001000, 1, kernel)        # run 1: before any window
    log += block(0x7f0000002000, 0, prog_b)        # same address as the marker: not it
    log += block(0x7f0000003000, 0, loop)          # run 1, outside
    log += block(0x7f0000004000, 0, prog_a)        # window 1 opens
    log += [trace(0x7f0000003000, 0x10200)] * 3    # loop x3 inside
    log += [trace(0x7f0000001000, kernel[0][0])] * 2  # kernel x2 inside
    log += [trace(0x7f0000002000, 0x10100)]        # prog_b inside: counted, no marker
    log += block(0x7f0000005000, 0, end)           # window 1 closes
    log += [trace(0x7f0000003000, 0x10200)] * 5    # outside
    # The loop's host address is reused by a new translation of other code.
    other = [(0x10400, "00000013")]
    log += block(0x7f0000003000, 0, other)         # outside
    log += [trace(0x7f0000004000, 0x10100)]        # window 2 opens
    log += [trace(0x7f0000003000, 0x10400)] * 4    # the new block x4 inside
    log += [trace(0x7f0000005000, 0x10300)]        # window 2 closes
    log += [trace(0x7f0000001000, kernel[0][0])] * 7  # outside
    with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as f:
        f.write("\n".join(log) + "\n")
        path = f.name
    checks = []
    try:
        rows, windows = run(exe, path)
        # Whole run: every execution, each block's instructions.
        checks.append(("whole run: kernel block ran 1+2+7 times",
                       rows.get((1, kernel[0][0], "00000013")) == (2, 10)))
        checks.append(("whole run: the loop's 3 instructions, 1+3+5 runs",
                       rows.get((0, 0x10200, "00000013")) == (3, 9)))
        checks.append(("whole run: a block retranslated at a reused host address is new",
                       rows.get((0, 0x10400, "00000013")) == (1, 5)))
        checks.append(("whole run: one window", windows == 1))
        rows, windows = run(exe, path, "10100", "c0102673", "10300", "c01027f3")
        checks.append(("window: two windows", windows == 2))
        checks.append(("window: loop counted 3 times inside only",
                       rows.get((0, 0x10200, "00000013")) == (3, 3)))
        checks.append(("window: kernel counted 2 times inside only",
                       rows.get((1, kernel[0][0], "00000013")) == (2, 2)))
        checks.append(("window: the other program at the marker's address is no marker",
                       rows.get((0, 0x10100, "00000013")) == (2, 1)))
        checks.append(("window: the new block counted in the second window",
                       rows.get((0, 0x10400, "00000013")) == (1, 4)))
        checks.append(("window: marker blocks are left out",
                       (0, 0x10100, "c0102673") not in rows and (0, 0x10300, "c01027f3") not in rows))
    finally:
        os.unlink(path)
    print("1..%d" % len(checks))
    for i, (name, ok) in enumerate(checks, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
    return 0 if all(ok for _, ok in checks) else 1


sys.exit(main())
