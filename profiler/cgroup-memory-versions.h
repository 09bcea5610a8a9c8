/* SPDX-License-Identifier: MIT */
/* What the cgroup memory collector reads in cgroup v2 and in the v1 memory controller (hybrid and
 * legacy hosts), as table entries: file names, parsers, the names of the limits, and which
 * counters exist. v1 has no reclaim counter per cgroup (its pgpgout counts uncharge events, one per
 * page or large folio, not pages): there the finding (cgroup-memory-limit-hits in
 * rules/findings.conf) is on memory.failcnt, the limit hits that v2 counts as max events. */
#pragma once

#include <stdbool.h>

#include "cgroup-memory-pick.h"
#include "cgroup-memory-stat.h"

enum { F_STAT, F_EVENTS, F_CURRENT, F_MAX, F_HIGH, F_FAILCNT, _F_COUNT };

enum {
        C_SCAN, C_STEAL, C_KSWAPD, C_DIRECT, C_PGOUT, C_REF_ANON, C_REF_FILE,
        C_LOW, C_HIGH, C_MAX, C_OOM, C_OOM_KILL, _C_COUNT
};
#define C_BIT(c) (1u << (c))

typedef struct CgMemVersion {
        const char *name;                  /* "cgroup v2" */
        CgMemFiles files;
        const char *file[_F_COUNT];        /* NULL: not in this version */
        int (*parse_stat)(const char *text, size_t len, CgroupMemStat *ret);
        int (*parse_events)(const char *text, size_t len, CgroupMemEvents *ret);
        const char *max_knob, *high_knob;
        unsigned counters;                 /* C_BIT()s of the counters it has */
} CgMemVersion;

extern const CgMemVersion cgmem_v2, cgmem_v1;
