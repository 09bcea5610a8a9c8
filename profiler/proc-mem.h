/* SPDX-License-Identifier: MIT */
/* Parsers of /proc/meminfo and /proc/vmstat: only the fields the memory collector uses, as arrays
 * indexed by the enums below so that a sample is one row of a CounterTable. */
#pragma once

#include <stddef.h>
#include <stdint.h>

enum {
        MEMINFO_TOTAL,            /* MemTotal */
        MEMINFO_FREE,             /* MemFree */
        MEMINFO_AVAILABLE,        /* MemAvailable (3.14+), else estimated, see meminfo_parse */
        MEMINFO_BUFFERS,
        MEMINFO_CACHED,
        MEMINFO_SWAP_TOTAL,
        MEMINFO_SWAP_FREE,
        MEMINFO_DIRTY,
        MEMINFO_WRITEBACK,
        MEMINFO_COMMITTED_AS,
        MEMINFO_COMMIT_LIMIT,
        _MEMINFO_MAX,
};

/* Values in bytes ("kB" in the file is 1024 bytes). Fields the kernel does not print read as 0. When
 * MemAvailable is missing (kernels before 3.14) it is estimated as MemFree + Buffers + Cached.
 * -EBADMSG when MemTotal or MemFree is missing, or a used field is not a number. */
int meminfo_parse(const char *text, size_t len, uint64_t ret[_MEMINFO_MAX]);

enum {
        VMSTAT_PSWPIN,
        VMSTAT_PSWPOUT,
        VMSTAT_PGMAJFAULT,
        VMSTAT_PGSCAN_DIRECT,     /* Σ pgscan_direct and pgscan_direct_<zone> (not pgscan_direct_throttle) */
        VMSTAT_PGSCAN_KSWAPD,     /* Σ pgscan_kswapd and pgscan_kswapd_<zone> */
        VMSTAT_ALLOCSTALL,        /* Σ allocstall and allocstall_<zone> */
        VMSTAT_REFAULT,           /* workingset_refault_anon + _file, or workingset_refault */
        VMSTAT_OOM_KILL,          /* 4.13+ */
        VMSTAT_PGFAULT,           /* every page fault, minor and major */
        _VMSTAT_MAX,
};

/* Counters the kernel does not print read as 0. -EBADMSG when none of them is present, or a used
 * field is not a number. */
int vmstat_parse(const char *text, size_t len, uint64_t ret[_VMSTAT_MAX]);
/* As vmstat_parse, and where the line of the last counter found ends (*ret_end) and how many counter
 * lines there were (*ret_lines): a later read of about that much of the file holds every counter when
 * it finds as many lines. */
int vmstat_parse_lines(const char *text, size_t len, uint64_t ret[_VMSTAT_MAX], size_t *ret_end, unsigned *ret_lines);
