/* SPDX-License-Identifier: MIT */
#include "cgroup-cpu-stat.h"

#include <errno.h>

#include "textscan.h"

int cgroup_cpu_stat_parse(const char *text, size_t len, CgroupCpuStat *ret) {
        Scan s = scan_init(text, len), line, key;
        unsigned seen = 0;
        *ret = (CgroupCpuStat) {};
        while (scan_line(&s, &line)) {
                if (!scan_word(&line, &key))
                        continue;
                uint64_t *dst = NULL;
                unsigned bit = 0;
                if (scan_eq(key, "usage_usec"))
                        dst = &ret->usage_usec, bit = 1;
                else if (scan_eq(key, "nr_periods"))
                        dst = &ret->nr_periods, bit = 2;
                else if (scan_eq(key, "nr_throttled"))
                        dst = &ret->nr_throttled, bit = 4;
                else if (scan_eq(key, "throttled_usec"))
                        dst = &ret->throttled_usec, bit = 8;
                if (!dst)
                        continue;
                if (scan_u64(&line, dst) < 0)
                        return -EBADMSG;
                seen |= bit;
        }
        ret->has_bandwidth = (seen & 14) == 14;
        return seen & 1 ? 0 : -EBADMSG;
}
