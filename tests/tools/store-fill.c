/* SPDX-License-Identifier: MIT */
/* A store written the way skytune-monitor writes one, for the tests of `skytune monitor`:
 *
 *   store-fill FILE HOURS
 *
 *   store-fill FILE HOURS app
 *
 * from 2026-12-04T00:00:00Z, HOURS hours at 1 s: cpu.busy (scale 2) = 10.00 + (i % 100) / 100 and
 * mem.used (scale 0) = 1048576 + i at second i, flushed to the log every 10 s and sealed every hour
 * but the last. With "app", instead: cpu.utilization_pct as cpu.busy, and the application series
 * of endpoint "api.users", method GET (docs/monitor.md), odd seconds against even ones:
 * requests_per_s 30 / 10, errors_pct 10 / 0, latency_mean_ms 40 / 20, latency_p50_ms 35 / 15,
 * latency_p95_ms 50 + i % 7, latency_p99_ms 100 + i % 11. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tsdb.h"

#define T0 INT64_C(1796342400000) /* 2026-12-04T00:00:00Z */

static const struct {
        const char *name;
        int scale;
} app_series[] = {
        { "cpu.utilization_pct", 2 },
        { "app.api.users.GET.requests_per_s", 2 },
        { "app.api.users.GET.errors_pct", 2 },
        { "app.api.users.GET.latency_mean_ms", 3 },
        { "app.api.users.GET.latency_p50_ms", 3 },
        { "app.api.users.GET.latency_p95_ms", 3 },
        { "app.api.users.GET.latency_p99_ms", 3 },
};
#define APP_N (sizeof(app_series) / sizeof(app_series[0]))

/* Series k's scaled value at second i. */
static int64_t app_value(size_t k, int64_t i) {
        bool odd = i % 2;
        switch (k) {
        case 0: return 1000 + i % 100;
        case 1: return odd ? 3000 : 1000;
        case 2: return odd ? 1000 : 0;
        case 3: return odd ? 40000 : 20000;
        case 4: return odd ? 35000 : 15000;
        case 5: return 50000 + 1000 * (i % 7);
        default: return 100000 + 1000 * (i % 11);
        }
}

static int fill_app(struct tsdb *t, int hours) {
        int64_t id[APP_N];
        int r = 0;
        for (size_t k = 0; r == 0 && k < APP_N; k++)
                r = tsdb_series(t, app_series[k].name, app_series[k].scale, &id[k]);
        for (int64_t s0 = 0; r == 0 && s0 < hours * 3600; s0 += 10) {
                struct store_point p[APP_N][10];
                struct tsdb_chunk_in in[APP_N];
                for (size_t k = 0; k < APP_N; k++) {
                        for (int j = 0; j < 10; j++)
                                p[k][j] = (struct store_point) { T0 + 1000 * (s0 + j), app_value(k, s0 + j) };
                        in[k] = (struct tsdb_chunk_in) { id[k], p[k], 10 };
                }
                r = tsdb_log(t, in, APP_N);
                if (r == 0 && (s0 + 10) % 3600 == 0 && s0 + 10 < hours * 3600)
                        r = tsdb_seal(t, T0 + 1000 * (s0 + 10), NULL);
        }
        return r;
}

int main(int argc, char **argv) {
        if ((argc != 3 && (argc != 4 || strcmp(argv[3], "app") != 0)) || atoi(argv[2]) <= 0) {
                fprintf(stderr, "usage: store-fill FILE HOURS [app]\n");
                return 2;
        }
        int hours = atoi(argv[2]);
        struct tsdb *t = NULL;
        int64_t cpu = 0, mem = 0;
        char *moved = NULL;
        int r = tsdb_open(argv[1], &t, &moved);
        if (r == 0 && argc == 4) {
                r = fill_app(t, hours);
                hours = 0;
        }
        if (r == 0 && hours > 0)
                r = tsdb_series(t, "cpu.busy", 2, &cpu);
        if (r == 0 && hours > 0)
                r = tsdb_series(t, "mem.used", 0, &mem);
        for (int64_t s0 = 0; r == 0 && s0 < hours * 3600; s0 += 10) {
                struct store_point c[10], m[10];
                for (int k = 0; k < 10; k++) {
                        int64_t i = s0 + k;
                        c[k] = (struct store_point) { T0 + 1000 * i, 1000 + i % 100 };
                        m[k] = (struct store_point) { T0 + 1000 * i, 1048576 + i };
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
