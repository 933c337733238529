#!/usr/bin/env python3
"""run-guest.py - boot Samara under QEMU with a test program as init, and report TAP.

Meson runs this for each guest suite. The guest prints TAP (tests/guest/ktest); this runner
passes its results through, numbered afresh, turns every other console line (OpenSBI's banner,
kernel and pager messages) into a TAP comment, and adds its own checks: the system booted in
the expected paging mode, every planned test reported, and the halt status agrees. A guest
that hangs is killed after --timeout seconds and every missing test reads as failed. The runner
always exits 0 (meson treats a non-zero exit of a TAP test as an error, not a failure).
"""
import argparse
import re
import subprocess
import sys
import threading
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--machine", required=True)
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--initrd", required=True)
    ap.add_argument("--append", default="")
    ap.add_argument("--paging", choices=["Sv39", "Sv48"], required=True)
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--mem", default=None)
    args = ap.parse_args()

    cmd = ["qemu-system-riscv64", "-machine", args.machine, "-nographic", "-bios", "default",
           "-kernel", args.kernel, "-initrd", args.initrd, "-append", args.append]
    if args.machine == "virt":
        cmd += ["-cpu", "rv64", "-m", args.mem or "512M", "-smp", "1"]
    else:
        cmd += ["-m", args.mem or "128M", "-smp", "2", "-no-reboot"]

    results = []      # (ok, description)
    plan = None
    paging = None
    halt = None
    print("# " + " ".join(cmd), flush=True)
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    timed_out = [False]

    def kill():
        timed_out[0] = True
        proc.kill()

    timer = threading.Timer(args.timeout, kill)
    timer.start()
    start = time.time()
    for raw in proc.stdout:
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        m = re.match(r"^(ok|not ok) \d+ - (.*)$", line)
        if m:
            results.append((m.group(1) == "ok", m.group(2)))
            print(f"{m.group(1)} {len(results)} - {m.group(2)}", flush=True)
            continue
        m = re.match(r"^1\.\.(\d+)$", line)
        if m:
            plan = int(m.group(1))
            continue
        if line.startswith("TAP version"):
            continue
        m = re.search(r"samara: hart \d+, (Sv\d+) paging", line)
        if m:
            paging = m.group(1)
        m = re.search(r"samara: halt, status (\d+)", line)
        if m:
            halt = int(m.group(1))
        print("# " + line if not line.startswith("#") else line, flush=True)
    proc.wait()
    timer.cancel()
    elapsed = time.time() - start

    def add(ok, desc):
        results.append((ok, desc))
        print(f"{'ok' if ok else 'not ok'} {len(results)} - {desc}", flush=True)

    guest_reported = len(results)
    if plan is not None:
        for i in range(guest_reported, plan):
            add(False, f"guest test {i + 1} of {plan} never reported")
    add(not timed_out[0], f"guest finished within {args.timeout} s ({elapsed:.1f} s)")
    add(paging == args.paging, f"booted with {args.paging} paging (saw {paging})")
    add(plan is not None and plan > 0, f"guest printed a test plan ({plan})")
    all_ok = all(ok for ok, _ in results[:guest_reported])
    add(halt is not None and (halt == 0) == all_ok,
        f"halt status ({halt}) agrees with the results")
    print(f"1..{len(results)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
