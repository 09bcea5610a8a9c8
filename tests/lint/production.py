"""The production sources the lint checks read: every .c and .h of the libraries and programs."""
import os

DIRS = ("common", "rules", "profiler", "loadgen", "load", "probes", "optimizer", "helper", "client", "render",
        "store", "monitor", "db", "cli")


def sources(src):
    """(path relative to src, path) of each production source, in a stable order."""
    for d in DIRS:
        for root, dirs, files in os.walk(os.path.join(src, d)):
            dirs.sort()
            for f in sorted(files):
                if f.endswith((".c", ".h")):
                    path = os.path.join(root, f)
                    yield os.path.relpath(path, src), path
