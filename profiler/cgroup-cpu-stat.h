/* SPDX-License-Identifier: MIT */
/* Parser of a cgroup v2 cpu.stat (Documentation/admin-guide/cgroup-v2.rst): "key value" lines. The
 * bandwidth keys (nr_periods, nr_throttled, throttled_usec) are present where the cpu controller is
 * enabled; nr_periods only advances while a quota (cpu.max other than "max") is set. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct CgroupCpuStat {
        uint64_t usage_usec, nr_periods, nr_throttled, throttled_usec;
        bool has_bandwidth;          /* all three bandwidth keys present */
} CgroupCpuStat;

/* -EBADMSG when usage_usec is missing or a known key has a malformed value. */
int cgroup_cpu_stat_parse(const char *text, size_t len, CgroupCpuStat *ret);
