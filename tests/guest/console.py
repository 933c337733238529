#!/usr/bin/env python3
"""console.py - the default boot lands a user in an interactive shell.

Boots QEMU virt without init= (so /sbin/init runs: a banner, then /bin/sh on the console),
types commands on the serial console once the prompt appears, and checks what comes back:
echo, a program, line editing with backspace, a redirection read back, ^D-less `exit N` and
QEMU's exit status N (init ends with the shell's status, and the machine with init's). TAP.
"""
import os
import select
import subprocess
import sys
import time


def main():
    kernel, initrd = sys.argv[1], sys.argv[2]
    cmd = ["qemu-system-riscv64", "-machine", "virt", "-cpu", "rv64", "-m", "512M",
           "-nographic", "-bios", "default", "-kernel", kernel, "-initrd", initrd]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    out = b""
    deadline = time.time() + 120

    def wait_for(text):
        nonlocal out
        while text not in out and time.time() < deadline:
            r, _, _ = select.select([p.stdout], [], [], 1.0)
            if r:
                chunk = os.read(p.stdout.fileno(), 4096)
                if not chunk:
                    break
                out += chunk
        return text in out

    def type_line(line):
        for c in line:  # a character at a time, as a person types
            p.stdin.write(c.encode())
            p.stdin.flush()
            time.sleep(0.01)

    results = []

    def case(name, ok):
        results.append(ok)
        print(f"{'ok' if ok else 'not ok'} {len(results)} - {name}", flush=True)

    case("the banner and the prompt", wait_for(b"Samara") and wait_for(b"samara$ "))
    mark = len(out)
    type_line("echo hello from the console\r")
    case("echo", wait_for(b"hello from the console\r\n"))
    type_line("echo typo\x7f\x7f\x7f\x7fright\r")
    case("backspace edits the line", wait_for(b"\nright\r\n"))
    type_line("echo kept > /tmp/console-test; cat /tmp/console-test\r")
    case("redirection, then cat", wait_for(b"\nkept\r\n"))
    type_line("ls /sbin\r")
    case("a program from the disk", wait_for(b"init"))
    type_line("exit 5\r")
    try:
        rc = p.wait(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = None
    out += p.stdout.read() or b""
    case("exit 5 powers off with status 5", rc == 5)
    if not all(results):
        for line in out[mark:].decode("utf-8", "replace").splitlines()[-15:]:
            print("# " + line)
    print(f"1..{len(results)}")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
