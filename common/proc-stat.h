/* SPDX-License-Identifier: MIT */
/* Parser of /proc/stat. */
#pragma once

#include <stddef.h>
#include <stdint.h>

enum {
        CPU_USER, CPU_NICE, CPU_SYSTEM, CPU_IDLE, CPU_IOWAIT, CPU_IRQ, CPU_SOFTIRQ, CPU_STEAL,
        CPU_TICK_FIELDS_SUMMED,          /* guest and guest_nice are already inside user and nice */
};

#define PROC_STAT_MAX_CPUS 512

typedef struct CpuTicks {
        uint64_t t[CPU_TICK_FIELDS_SUMMED];
} CpuTicks;

typedef struct ProcStat {
        CpuTicks total;
        unsigned ncpu;                       /* cpuN lines seen (online CPUs), at most PROC_STAT_MAX_CPUS */
        unsigned cpu_id[PROC_STAT_MAX_CPUS];
        CpuTicks cpu[PROC_STAT_MAX_CPUS];
        uint64_t ctxt, processes, procs_running, procs_blocked;
} ProcStat;

/* -EBADMSG when the "cpu" total line or a counter is missing or malformed. Older kernels print fewer
 * tick columns (no steal before 2.6.11): missing columns read as 0. */
int proc_stat_parse(const char *text, size_t len, ProcStat *ret);
