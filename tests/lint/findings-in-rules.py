#!/usr/bin/env python3
"""Findings are rules (issue 13, point 6): every finding of a profile is a row of rules/findings.conf,
so no collector makes one in C. Production code names no finding maker (report_finding, the C call
the collectors used), and no collector source builds a "findings" entry of its own; the only code
that turns rule hits into findings is profiler/report.c. Usage: findings-in-rules.py SRC."""
import os
import re
import sys

DIRS = ("common", "rules", "profiler", "loadgen", "load", "probes", "optimizer", "helper", "client", "render",
        "store", "monitor", "db", "cli")
MAKER = re.compile(r"\breport_finding\w*\s*\(")
FINDINGS = re.compile(r'"findings"')


def main():
    src = sys.argv[1]
    bad = []
    for d in DIRS:
        for root, _, files in os.walk(os.path.join(src, d)):
            for f in sorted(files):
                if not f.endswith((".c", ".h")):
                    continue
                path = os.path.join(root, f)
                rel = os.path.relpath(path, src)
                with open(path, encoding="utf-8", errors="replace") as fh:
                    for n, line in enumerate(fh, 1):
                        if MAKER.search(line):
                            bad.append(f"{rel}:{n}: makes a finding in C: write it as a rule in rules/findings.conf "
                                       "and emit the metrics it reads")
                        if rel.startswith("profiler/collect-") and FINDINGS.search(line):
                            bad.append(f"{rel}:{n}: a collector writes findings: emit metrics, the rule table "
                                       "(rules/findings.conf) makes the findings")
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
