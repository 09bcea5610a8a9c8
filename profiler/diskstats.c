/* SPDX-License-Identifier: MIT */
#include "diskstats.h"

#include <errno.h>

int diskstats_counters(Scan *s, uint64_t v[_DISK_MAX]) {
        for (int i = 0; i < _DISK_MAX; i++)
                if (scan_u64(s, &v[i]) < 0)
                        return -EBADMSG;
        return 0;
}

int diskstats_next(Scan *s, DiskStatLine *ret) {
        Scan line;
        while (scan_line(s, &line)) {
                Scan probe = line, w;
                if (!scan_word(&probe, &w))
                        continue;
                uint64_t major, minor;
                if (scan_u64(&line, &major) < 0 || scan_u64(&line, &minor) < 0 || major > UINT32_MAX ||
                    minor > UINT32_MAX || !scan_word(&line, &ret->name))
                        return -EBADMSG;
                if (diskstats_counters(&line, ret->v) < 0)
                        return -EBADMSG;
                ret->major = (unsigned) major;
                ret->minor = (unsigned) minor;
                return 1;
        }
        return 0;
}
