/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>

#include "metric-sink.h"

int metric_point_path(const MetricPoint *p, char *buf, size_t size) {
        int k = snprintf(buf, size, "%s.%s%s%s", p->resource, p->object ? p->object : "", p->object ? "." : "",
                         p->name);
        if (k < 0 || (size_t) k >= size)
                return -ENAMETOOLONG;
        for (char *c = buf; *c; c++)
                if (*c == '/')
                        *c = '.';
        return 0;
}
