/* SPDX-License-Identifier: MIT */
#include "netdev.h"

#include <errno.h>
#include <string.h>

int netdev_next(Scan *s, NetDevLine *ret) {
        Scan line;
        while (scan_line(s, &line)) {
                const char *colon = memchr(line.p, ':', scan_len(line));
                if (!colon)
                        continue;
                Scan name = scan_trim((Scan) { .p = line.p, .end = colon });
                if (scan_len(name) == 0)
                        return -EBADMSG;
                Scan rest = { .p = colon + 1, .end = line.end };
                for (int i = 0; i < _NETDEV_MAX; i++)
                        if (scan_u64(&rest, &ret->v[i]) < 0)
                                return -EBADMSG;
                ret->name = name;
                return 1;
        }
        return 0;
}
