/* SPDX-License-Identifier: MIT */
/* Which cgroups the cgroup memory collector watches: the busiest few (those under pressure or near
 * their own memory limit first, then the largest by memory.current) among the top-level cgroups and
 * the children of the top-level slices, plus the cgroup of every --target. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysroot.h"

/* The files that differ between cgroup v2 and the v1 memory controller. */
typedef struct CgMemFiles {
        const char *current, *max, *high;  /* high NULL where there is none (v1) */
        bool v1;                           /* /proc/PID/cgroup: the "N:memory:" line, not "0::" */
} CgMemFiles;

typedef struct CgMemCandidate {
        char *path;              /* relative to the cgroup2 mount: "system.slice/nginx.service" */
        uint64_t current, limit; /* bytes; limit is min(memory.max, memory.high), UINT64_MAX for none */
        double pressure;         /* memory.pressure some avg10, percent */
} CgMemCandidate;

typedef struct CgMemCandidates {
        CgMemCandidate *v;
        size_t n, cap;
} CgMemCandidates;

/* The cgroups under the cgroup2 mount cgroot (relative to the sysroot) that have the memory controller
 * (a memory.current, memory.usage_in_bytes in v1), busiest first. Only -ENOMEM is an error. */
int cgroup_memory_candidates(const Sysroot *root, const char *cgroot, const CgMemFiles *f, CgMemCandidates *ret);
void cgroup_memory_candidates_free(CgMemCandidates *c);

/* The cgroup of a --target: a cgroup path ("batch.slice/job.scope"), a unit name found among the
 * candidates' depth (nginx.service), NAME.service, or the cgroup of the first process whose comm is
 * name. *ret is malloc'ed and relative to cgroot; -ENOENT when nothing matches, -ENOMEM. */
int cgroup_memory_resolve(const Sysroot *root, const char *cgroot, const CgMemFiles *f, const char *name, char **ret);
