#!/usr/bin/env python3
"""Findings are rules (issue 13, point 6): every finding of a profile is a row of rules/findings.conf,
so no collector makes one in C. Production code names no finding maker (report_finding, the C call
the collectors used), and no collector source builds a "findings" entry of its own; the only code
that turns rule hits into findings is profiler/report.c. Usage: findings-in-rules.py SRC."""
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from production import sources  # noqa: E402

MAKER = re.compile(r"\breport_finding\w*\s*\(")
FINDINGS = re.compile(r'"findings"')


def main():
    src = sys.argv[1]
    bad = []
    for rel, path in sources(src):
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
