#!/usr/bin/env python3
"""test-summary.py SUITE=LOG.json... - per-suite results of meson test runs, and the final line.

Each meson test counts as its TAP subtests when it printed TAP (the guest suites and most
host tests), else as one test. A test meson saw fail without any failing subtest (a crash, a
timeout) counts one failure more. Prints a line per suite, then `N passed, N failed`.
"""
import json
import re
import sys

suites = {}
for arg in sys.argv[1:]:
    suite, path = arg.split("=", 1)
    try:
        lines = open(path).read().splitlines()
    except OSError:
        continue
    for line in lines:
        t = json.loads(line)
        out = t.get("stdout") or ""
        ok = len(re.findall(r"^ok \d+", out, re.M))
        bad = len(re.findall(r"^not ok \d+", out, re.M))
        if ok + bad == 0:
            ok, bad = (1, 0) if t["result"] == "OK" else (0, 1)
        elif t["result"] not in ("OK", "EXPECTEDFAIL") and bad == 0:
            bad = 1
        s = suites.setdefault(suite, [0, 0, 0])
        s[0] += ok
        s[1] += bad
        s[2] += 1

passed = failed = 0
for name in sorted(suites):
    ok, bad, n = suites[name]
    print(f"  {name:16} {ok:6} passed {bad:4} failed   ({n} test programs)")
    passed += ok
    failed += bad
if not suites:
    failed = 1
    print("  no test results found")
print(f"{passed} passed, {failed} failed")
