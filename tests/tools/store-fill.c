/* SPDX-License-Identifier: MIT */
/* A store written the way skytune-monitor writes one, for the tests of `skytune monitor`:
 *
 *   store-fill FILE HOURS
 *
 * from 2026-12-04T00:00:00Z, HOURS hours at 1 s: cpu.busy (scale 2) = 10.00 + (i % 100) / 100 and
 * mem.used (scale 0) = 1048576 + i at second i, flushed to the log every 10 s and sealed every hour
 * but the last. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tsdb.h"

#define T0 INT64_C(1796342400000) /* 2026-12-04T00:00:00Z */

int main(int argc, char **argv) {
        if (argc != 3 || atoi(argv[2]) <= 0) {
                fprintf(stderr, "usage: store-fill FILE HOURS\n");
                return 2;
        }
        int hours = atoi(argv[2]);
        struct tsdb *t = NULL;
        int64_t cpu, mem;
        char *moved = NULL;
        int r = tsdb_open(argv[1], &t, &moved);
        if (r == 0)
                r = tsdb_series(t, "cpu.busy", 2, &cpu);
        if (r == 0)
                r = tsdb_series(t, "mem.used", 0, &mem);
        for (int64_t s0 = 0; r == 0 && s0 < hours * 3600; s0 += 10) {
                struct store_point c[10], m[10];
                for (int k = 0; k < 10; k++) {
                        int64_t i = s0 + k;
                        c[k] = (struct store_point){ T0 + 1000 * i, 1000 + i % 100 };
                        m[k] = (struct store_point){ T0 + 1000 * i, 1048576 + i };
                }
                const struct tsdb_chunk_in in[] = { { cpu, c, 10 }, { mem, m, 10 } };
                r = tsdb_log(t, in, 2);
                if (r == 0 && (s0 + 10) % 3600 == 0 && s0 + 10 < hours * 3600)
                        r = tsdb_seal(t, T0 + 1000 * (s0 + 10), NULL);
        }
        if (r < 0)
                fprintf(stderr, "store-fill: %s: %s\n", argv[1], strerror(-r));
        free(moved);
        tsdb_close(t);
        return r < 0 ? 1 : 0;
}
