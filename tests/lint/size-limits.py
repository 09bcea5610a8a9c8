#!/usr/bin/env python3
"""Production code size limits (issue 13): no file over 600 lines, no function over 80 lines.
A function is a definition opening at column 0 with '{' at the end of its head and closing with '}'
at column 0, as the project's style writes them. Usage: size-limits.py SRC [--report]."""
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from production import sources  # noqa: E402

MAX_FILE, MAX_FUNC = 600, 80
SKIP = ("typedef", "struct", "enum", "union", "#")


def functions(lines):
    """(name, first line, length) of each definition: a head that starts at column 0 (possibly over
    several lines) and ends in '{', up to the '}' at column 0."""
    i = 0
    while i < len(lines):
        line = lines[i]
        if not re.match(r"^[A-Za-z_]", line) or "(" not in line or line.startswith(SKIP):
            i += 1
            continue
        j = i
        while j < len(lines) and not lines[j].rstrip().endswith(("{", ";")) and j - i < 8:
            j += 1
        if j >= len(lines) or not lines[j].rstrip().endswith("{") or "=" in lines[i].split("(")[0]:
            i = j + 1
            continue
        name = lines[i].split("(")[0].split()[-1].lstrip("*")
        k = j + 1
        while k < len(lines) and not lines[k].startswith("}"):
            k += 1
        yield name, i + 1, k - i + 1
        i = k + 1


def main():
    src, report = sys.argv[1], "--report" in sys.argv
    bad = []
    for rel, path in sources(src):
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().split("\n")
        n = len(lines) - (lines[-1] == "")
        if n > MAX_FILE:
            bad.append(f"{rel}: {n} lines (limit {MAX_FILE}): split it by what its parts do")
        for name, at, length in functions(lines):
            if length > MAX_FUNC:
                bad.append(f"{rel}:{at}: {name}() is {length} lines (limit {MAX_FUNC}): split it")
    for b in bad:
        print(b)
    if not bad:
        print("size limits: every production file <= %d lines, every function <= %d" % (MAX_FILE, MAX_FUNC))
    return 0 if report or not bad else 1


sys.exit(main())
