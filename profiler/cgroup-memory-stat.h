/* SPDX-License-Identifier: MIT */
/* Parsers of the cgroup v2 memory controller's files (Documentation/admin-guide/cgroup-v2.rst):
 * memory.stat and memory.events are "key value" tables; memory.max, memory.high and memory.current
 * hold a byte count or "max". Reclaim counters (pgscan, pgsteal) are in pages and count the reclaim
 * done in the cgroup for any reason: its own limit (direct, by the task that charges) or the host's
 * (kswapd). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct CgroupMemStat {
        uint64_t pgscan, pgsteal;                  /* all reclaim, pages */
        uint64_t pgscan_kswapd, pgscan_direct;     /* 0 on kernels without the split (before 5.8) */
        uint64_t pgsteal_kswapd, pgsteal_direct;
        uint64_t refault_anon, refault_file;       /* workingset_refault_*; older kernels: refault_file */
        uint64_t pgpgout;                          /* cgroup v1: pages uncharged (evicted or freed) */
} CgroupMemStat;

/* -EBADMSG when pgscan or pgsteal is missing or a known key has a malformed value. */
int cgroup_mem_stat_parse(const char *text, size_t len, CgroupMemStat *ret);
/* cgroup v1 memory.stat (Documentation/admin-guide/cgroup-v1/memory.rst), which has no reclaim
 * counters: pgpgout and the refaults. -EBADMSG when pgpgout is missing or a known key is malformed. */
int cgroup_mem_stat_v1_parse(const char *text, size_t len, CgroupMemStat *ret);

typedef struct CgroupMemEvents {
        uint64_t low, high, max, oom, oom_kill;
} CgroupMemEvents;

/* -EBADMSG when high, max or oom is missing or a known key has a malformed value. */
int cgroup_mem_events_parse(const char *text, size_t len, CgroupMemEvents *ret);
/* cgroup v1 memory.oom_control: only oom_kill (since 4.13) counts; -EBADMSG when under_oom is
 * missing or a known key is malformed. */
int cgroup_mem_oom_control_parse(const char *text, size_t len, CgroupMemEvents *ret);

#define CGROUP_MEM_UNLIMITED UINT64_MAX
/* memory.max / memory.high / memory.current: bytes, or "max" (CGROUP_MEM_UNLIMITED); -EBADMSG for
 * anything else (a second word, a sign, a number beyond 64 bits). */
int cgroup_mem_value_parse(const char *text, size_t len, uint64_t *ret);
