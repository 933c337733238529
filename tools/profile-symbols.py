#!/usr/bin/env python3
"""profile-symbols.py - turn profile-blocks' per-block counts into a per-function table.

Used by tools/profile. Supervisor-mode blocks are the kernel's; machine-mode ones are the
firmware's (OpenSBI). User-mode addresses are ambiguous, since every program is linked at
0x10000: a block belongs to the user program whose code at that address holds the block's
first instruction (its encoding is in the log). Where several programs hold the same bytes
there (the same library function at the same place), the function is named once with all
of them.

    profile-symbols.py COUNTS PER KERNEL_ELF USER_ELF... > table
"""
import bisect
import struct
import subprocess
import sys
from collections import Counter


def symbols(elf):
    out = subprocess.run(["riscv64-unknown-elf-nm", "-n", "--defined-only", elf],
                         capture_output=True, text=True, check=True).stdout
    addrs, names = [], []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] in "tTwW":
            addrs.append(int(parts[0], 16))
            names.append(parts[2])
    return addrs, names


def segments(elf):
    """The loadable segments of an ELF64 file: (vaddr, bytes)."""
    data = open(elf, "rb").read()
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    segs = []
    for i in range(phnum):
        p_type, _, p_offset, p_vaddr, _, p_filesz = struct.unpack_from(
            "<IIQQQQ", data, phoff + i * phentsize)
        if p_type == 1:
            segs.append((p_vaddr, data[p_offset:p_offset + p_filesz]))
    return segs


class Image:
    def __init__(self, elf):
        self.name = elf.rsplit("/", 1)[-1].replace(".elf", "")
        self.addrs, self.names = symbols(elf)
        self.segs = segments(elf)

    def function(self, pc):
        i = bisect.bisect_right(self.addrs, pc) - 1
        return self.names[i] if i >= 0 else "?"

    def holds(self, pc, enc):
        want = bytes.fromhex(enc)[::-1]  # the log prints the encoding as a number
        for base, data in self.segs:
            if base <= pc and pc + len(want) <= base + len(data):
                return data[pc - base:pc - base + len(want)] == want
        return False


def main():
    counts, per = sys.argv[1], float(sys.argv[2])
    kernel = Image(sys.argv[3])
    users = [Image(e) for e in sys.argv[4:]]
    by_fn, total, windows = Counter(), 0, 1
    for line in open(counts):
        f = line.split()
        if f[0] == "windows":
            windows = int(f[1])
            continue
        priv, pc, insns, runs, enc = int(f[0]), int(f[1], 16), int(f[2]), int(f[3]), f[4]
        n = insns * runs
        total += n
        if priv == 1:
            key = "kernel: " + kernel.function(pc)
        elif priv == 3:
            key = "firmware (M-mode)"
        else:
            owners = [u for u in users if u.holds(pc, enc)]
            if not owners:
                key = "user: ? (0x%x)" % pc
            else:
                key = "%s: %s" % ("|".join(sorted({u.name for u in owners})),
                                  owners[0].function(pc))
        by_fn[key] += n
    print("%-56s %14s" % ("function", "instructions" + (" / %g" % per if per != 1 else "")))
    for key, n in by_fn.most_common():
        if n / per >= 0.5:
            print("%-56s %14.1f" % (key, n / per))
    print("%-56s %14.1f" % ("total (%d window%s)" % (windows, "" if windows == 1 else "s"),
                            total / per))


main()
