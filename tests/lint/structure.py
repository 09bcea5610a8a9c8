#!/usr/bin/env python3
"""Structure rules of issue 13, checked on the source tree and a build of it:

  includes    no file of the tree (tests and benchmarks too) #includes a .c file; the one exception
              is a .c that CMake generates from a NAME.c.in of the tree (a build product)
  cycles      no call cycle between two or more files of one library or program: from `nm` of the
              build's objects, file a calls file b when a leaves undefined a global function that b
              defines; a cycle a -> b -> a is reported with the symbols of each step. A reference
              to a data symbol (a backend's table entry) is not a call: tables are how backends
              register, and the table's user reaches them only through the table.
  duplicates  no block of 6 or more consecutive identical lines twice in production code (every
              library and program folder; tests/ and bench/ are not production code and are left
              out: fixtures and test cases repeat on purpose). Lines are compared with their
              whitespace stripped; blank lines, lines of braces only, `break;`, `return 0;`,
              `#include` lines and comment lines are skipped (they repeat in any C file).

Usage: structure.py SRC BUILD [--check includes|cycles|duplicates ...]
Exits 1 and prints each violation when one is found, 0 when none; 2 on a usage error (no objects
under BUILD: build it first)."""
import hashlib
import os
import re
import subprocess
import sys
from collections import defaultdict

# Production code: the library and program folders (as tests/lint/size-limits.py).
PRODUCTION = ("common", "rules", "profiler", "loadgen", "load", "probes", "optimizer", "helper", "client",
              "render", "store", "monitor", "db", "cli")
SKIP_DIRS = {".git", ".ci"}
SOURCE_EXT = (".c", ".h", ".c.in", ".h.in", ".cc")
BLOCK = 6

# Blocks of duplicates allowed on purpose: (file, other file, first line of the block as compared,
# reason). Keep it empty when possible; every entry says why the two places cannot share code.
ALLOWED_DUPLICATES = [
]

# Call cycles allowed for now: (frozenset of the files of the cycle, reason).
ALLOWED_CYCLES = [
]


def walk(src, top_dirs=None):
    """Relative paths of the tree's C sources (below top_dirs when given), sorted."""
    out = []
    for root, dirs, files in os.walk(src):
        rel_root = os.path.relpath(root, src)
        first = rel_root.split(os.sep)[0]
        if rel_root == ".":
            dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith("build")
                       and (top_dirs is None or d in top_dirs)]
        elif first in SKIP_DIRS:
            continue
        dirs.sort()
        for f in sorted(files):
            if f.endswith(SOURCE_EXT):
                out.append(os.path.normpath(os.path.join(rel_root, f)))
    return out


def read_lines(src, rel):
    with open(os.path.join(src, rel), encoding="utf-8", errors="replace") as fh:
        return fh.read().split("\n")


# ---- includes ----

INCLUDE_C = re.compile(r'^\s*#\s*include\s*[<"]([^">]+\.c)[">]')


def check_includes(src):
    generated = {os.path.basename(p)[:-len(".in")] for p in walk(src) if p.endswith(".c.in")}
    bad = []
    for rel in walk(src):
        for n, line in enumerate(read_lines(src, rel), 1):
            m = INCLUDE_C.match(line)
            if m and os.path.basename(m.group(1)) not in generated:
                bad.append(f"{rel}:{n}: #include of the .c file {m.group(1)}: link the library that "
                           "compiles it (its header is the interface) instead")
    return bad


# ---- cycles ----

FUNC_TYPES = set("TW")          # defined in text (W: weak), as nm prints them


def nm_symbols(objs):
    """{object: (defined global functions, undefined symbols)}, from one nm run over them all."""
    out = subprocess.run(["nm", "-g", "-A"] + objs, capture_output=True, text=True, check=True).stdout
    syms = {o: (set(), set()) for o in objs}
    for line in out.splitlines():
        path, sep, rest = line.rpartition(".o:")
        parts = rest.split()
        if not sep or path + ".o" not in syms:
            continue
        funcs, undef = syms[path + ".o"]
        if len(parts) == 2 and parts[0] == "U":
            undef.add(parts[1])
        elif len(parts) == 3 and parts[1] in FUNC_TYPES:
            funcs.add(parts[2])
    return syms


def targets(build):
    """{target directory: [(source name, object path)]} of the production folders' targets."""
    found = defaultdict(list)
    for root, dirs, files in os.walk(build):
        dirs.sort()
        rel = os.path.relpath(root, build).split(os.sep)
        if rel[0] not in PRODUCTION or "CMakeFiles" not in rel:
            continue
        i = rel.index("CMakeFiles")
        if len(rel) <= i + 1 or not rel[i + 1].endswith(".dir"):
            continue
        target = "/".join(rel[:i + 2])
        inner = rel[i + 2:]
        # Only the objects the target links now: a build dir keeps those of files that moved away.
        link = os.path.join(build, *rel[:i + 2], "link.txt")
        linked = open(link, encoding="utf-8").read() if os.path.exists(link) else None
        for f in sorted(files):
            obj = "/".join(rel[i:] + [f])
            if f.endswith(".c.o") and (linked is None or obj in linked):
                name = "/".join(rel[:i] + [p for p in inner if p != "__"] + [f[:-2]])
                found[target].append((name, os.path.join(root, f)))
    return found


def strongly_connected(nodes, edges):
    """Tarjan's components of the graph, each a list of nodes."""
    index, low, stack, on, comps = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            comps.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return comps


def check_cycles(build):
    found = targets(build)
    if not found:
        return None
    bad, seen, scanned = [], set(), set()
    for target, objs in sorted(found.items()):
        scanned.update(name for name, _ in objs)
        defs, undef = {}, {}
        syms = nm_symbols([obj for _, obj in objs])
        for name, obj in objs:
            defs[name], undef[name] = syms[obj]
        by_symbol = {s: name for name in defs for s in defs[name]}
        calls = defaultdict(lambda: defaultdict(set))     # caller -> callee -> symbols
        for name in undef:
            for s in undef[name]:
                callee = by_symbol.get(s)
                if callee and callee != name:
                    calls[name][callee].add(s)
        edges = {n: set(calls[n]) for n in defs}
        for comp in strongly_connected(defs, edges):
            seen.add(frozenset(comp))
            if len(comp) < 2 or frozenset(comp) in (files for files, _ in ALLOWED_CYCLES):
                continue
            steps = [f"  {a} -> {b}: {', '.join(sorted(calls[a][b]))}"
                     for a in comp for b in sorted(calls[a]) if b in comp]
            bad.append(f"{target}: call cycle between {', '.join(comp)}: move what both need into "
                       "one of them or into a third file\n" + "\n".join(steps))
    bad += [f"structure.py: the allowed cycle {', '.join(sorted(files))} is gone: remove its entry"
            for files, _ in ALLOWED_CYCLES if files not in seen and files <= scanned]
    return bad


# ---- duplicates ----

BRACES = re.compile(r"^[{}()\[\];,]*$")
COMMENT = re.compile(r"^(?://|/\*|\*(?:\s|/|$))")     # "*ret = x;" is code, "* text" a comment


def significant(lines):
    """(line number, text without whitespace) of the lines that count."""
    out = []
    for n, line in enumerate(lines, 1):
        t = "".join(line.split())
        if not t or BRACES.match(t) or t in ("break;", "return0;") or t.startswith("#include") \
                or COMMENT.match(line.strip()):
            continue
        out.append((n, t))
    return out


def check_duplicates(src):
    files = {rel: significant(read_lines(src, rel)) for rel in walk(src, PRODUCTION)
             if rel.split(os.sep)[0] in PRODUCTION}
    windows = defaultdict(list)
    for rel, sig in files.items():
        for i in range(len(sig) - BLOCK + 1):
            key = hashlib.sha1("\n".join(t for _, t in sig[i:i + BLOCK]).encode()).digest()
            windows[key].append((rel, i))
    covered, bad = set(), []
    for key in sorted(windows, key=lambda k: windows[k][0]):
        places = windows[key]
        if len(places) < 2:
            continue
        for a in range(len(places)):
            for b in range(a + 1, len(places)):
                (fa, ia), (fb, ib) = places[a], places[b]
                if fa == fb and abs(ia - ib) < BLOCK:
                    continue            # one run of repeated lines overlapping itself
                if (fa, ia, fb, ib) in covered:
                    continue
                sa, sb = files[fa], files[fb]
                n = BLOCK
                while ia + n < len(sa) and ib + n < len(sb) and sa[ia + n][1] == sb[ib + n][1] \
                        and not (fa == fb and ia + n == ib):
                    n += 1
                for k in range(n - BLOCK + 1):
                    covered.add((fa, ia + k, fb, ib + k))
                first = sa[ia][1]
                if any({fa, fb} == {x, y} and first == line for x, y, line, _ in ALLOWED_DUPLICATES):
                    continue
                bad.append(f"{fa}:{sa[ia][0]}-{sa[ia + n - 1][0]} and {fb}:{sb[ib][0]}-{sb[ib + n - 1][0]}: "
                           f"{n} identical lines (from \"{first[:60]}\"): share them (a helper, a table)")
    return bad


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    checks = [argv[i + 1] for i, a in enumerate(argv) if a == "--check" and i + 1 < len(argv)]
    args = [a for a in args if a not in checks]
    if len(args) < 1 or (not checks or "cycles" in checks) and len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    src = args[0]
    checks = checks or ["includes", "cycles", "duplicates"]
    bad = []
    for check in checks:
        if check == "includes":
            bad += check_includes(src)
        elif check == "duplicates":
            bad += check_duplicates(src)
        elif check == "cycles":
            found = check_cycles(args[1])
            if found is None:
                print(f"structure: no object files of the production folders under {args[1]}: build it first",
                      file=sys.stderr)
                return 2
            bad += found
        else:
            print(f"structure: unknown check '{check}'", file=sys.stderr)
            return 2
    for b in bad:
        print(b)
    if bad:
        print(f"structure: {len(bad)} violation(s) of {', '.join(checks)}", file=sys.stderr)
        return 1
    print(f"structure: {', '.join(checks)}: no violation")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
