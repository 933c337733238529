#!/usr/bin/env python3
"""bad-boot.py - a malformed boot image or device tree stops boot with a message and an
exit code, never a hang or a crash.

Boots QEMU virt with broken inputs made here from the real ones and checks, for each, the
console message that names the problem and QEMU's exit status (the kernel halts through the
test device: 3 for a bad device tree, 4 for a bad initrd or pager ELF). TAP output.
"""
import os
import random
import shutil
import subprocess
import sys
import tempfile


def boot(kernel, initrd, dtb=None, timeout=30):
    cmd = ["qemu-system-riscv64", "-machine", "virt", "-cpu", "rv64", "-m", "256M",
           "-nographic", "-bios", "default", "-kernel", kernel, "-initrd", initrd]
    if dtb:
        cmd += ["-dtb", dtb]
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
        return p.returncode, p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        return None, (e.stdout or b"").decode("utf-8", "replace")


def cpio(root, out):
    names = []
    for d, _, files in os.walk(root):
        for f in files:
            names.append(os.path.relpath(os.path.join(d, f), root))
    data = "\n".join(sorted(names)) + "\n"
    subprocess.run(["cpio", "--quiet", "-o", "-H", "newc", "-R", "0:0"], cwd=root,
                   input=data.encode(), stdout=open(out, "wb"), check=True)


def main():
    kernel, initrd = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp()
    results = []

    def case(name, rc, out, want_rc, want_text):
        ok = rc == want_rc and want_text in out
        if not ok:
            for line in out.splitlines()[-6:]:
                print("# " + line)
            print(f"# exit status {rc}, expected {want_rc} and {want_text!r}")
        results.append(ok)
        print(f"{'ok' if ok else 'not ok'} {len(results)} - {name}", flush=True)

    rnd = random.Random(7)
    garbage = os.path.join(tmp, "garbage.cpio")
    with open(garbage, "wb") as f:
        f.write(bytes(rnd.randrange(256) for _ in range(8192)))
    rc, out = boot(kernel, garbage)
    case("random bytes as the initrd", rc, out, 4, "cannot start the pager: initrd")

    truncated = os.path.join(tmp, "truncated.cpio")
    with open(initrd, "rb") as f:
        data = f.read()
    with open(truncated, "wb") as f:
        f.write(data[:200])
    rc, out = boot(kernel, truncated)
    case("an initrd cut short", rc, out, 4, "cannot start the pager: initrd")

    root = os.path.join(tmp, "root")
    os.makedirs(os.path.join(root, "bin"))
    with open(os.path.join(root, "bin", "nothing"), "w") as f:
        f.write("no pager here\n")
    nopager = os.path.join(tmp, "nopager.cpio")
    cpio(root, nopager)
    rc, out = boot(kernel, nopager)
    case("an initrd without a pager", rc, out, 4, "cannot start the pager: initrd")

    with open(os.path.join(root, "pager"), "wb") as f:
        f.write(b"\x7fELF\x02\x01\x01" + bytes(200))
    badelf = os.path.join(tmp, "badelf.cpio")
    cpio(root, badelf)
    rc, out = boot(kernel, badelf)
    case("a pager that is not a valid ELF", rc, out, 4, "cannot start the pager: pager ELF")

    # QEMU itself checks the tree's structure (libfdt), so the broken trees here are
    # well-formed but wrong: a zero timebase, a memory node whose reg is cut short.
    dtb = os.path.join(tmp, "virt.dtb")
    subprocess.run(["qemu-system-riscv64", "-machine", "virt,dumpdtb=" + dtb, "-m", "256M",
                    "-nographic"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    dts = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", dtb], stdout=subprocess.PIPE,
                         check=True).stdout.decode()

    def broken(name, old, new):
        text = dts.replace(old, new, 1)
        path = os.path.join(tmp, name + ".dtb")
        subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", path], input=text.encode(),
                       check=True)
        return path, text != dts

    bad, changed = broken("timebase", "timebase-frequency = <0x989680>",
                          "timebase-frequency = <0x00>")
    rc, out = boot(kernel, initrd, dtb=bad) if changed else (None, "the tree had no timebase")
    case("a device tree with a zero timebase", rc, out, 3, "boot failed: device tree")

    bad, changed = broken("memreg", "reg = <0x00 0x80000000 0x00 0x10000000>",
                          "reg = <0x00 0x80000000>")
    rc, out = boot(kernel, initrd, dtb=bad) if changed else (None, "the tree had no memory reg")
    case("a device tree whose memory reg is cut short", rc, out, 3, "boot failed: device tree")

    print(f"1..{len(results)}")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
