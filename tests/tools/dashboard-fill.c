/* SPDX-License-Identifier: MIT */
/* A store with every series the dashboard draws, for its tests and figures:
 *
 *   dashboard-fill FILE HOURS EVERY_S [t0=MS] [nodb]
 *
 * from T0 (2026-12-04T00:00:00Z, or MS since the epoch: a history that ends now), HOURS hours with
 * a sample every EVERY_S seconds (1: as the monitor writes; 60: 30 days in seconds of work, the
 * rollups filled as from 1 s samples), stored as sealed chunks of an hour. Series k's scaled value
 * at second i is (k + 1) * 1000 + (i / EVERY_S) % 600 * (k % 4 + 1) * 2 (times 2^20 for a series
 * of scale 0, bytes), so a test can say what any bucket holds; "nodb" leaves the "db." series out.
 * Beside them the alert "cpu_busy": firing at T0 + 20 min, resolved at T0 + 30 min, and its kept
 * state (resolved since then). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert-state.h"
#include "tsdb.h"

static int64_t T0 = INT64_C(1796342400000); /* 2026-12-04T00:00:00Z */

static const struct {
        const char *name;
        int scale;
} series[] = {
        { "cpu.utilization_pct", 2 },
        { "cpu.user_pct", 2 },
        { "cpu.system_pct", 2 },
        { "cpu.iowait_pct", 2 },
        { "cpu.per_cpu.cpu0.utilization_pct", 2 },
        { "cpu.per_cpu.cpu1.utilization_pct", 2 },
        { "memory.available_bytes", 0 },
        { "memory.swap_used_bytes", 0 },
        { "cpu.psi_some_pct", 2 },
        { "memory.psi_some_pct", 2 },
        { "disk.psi_some_pct", 2 },
        { "disk.devices.vda.r_await_ms", 3 },
        { "disk.devices.vda.w_await_ms", 3 },
        { "disk.devices.vda.util_pct", 2 },
        { "network.interfaces.eth0.rx_bytes_per_s", 0 },
        { "network.interfaces.eth0.tx_bytes_per_s", 0 },
        { "network.interfaces.eth0.rx_drops_per_s", 2 },
        { "network.interfaces.eth0.tx_drops_per_s", 2 },
        { "network.tcp.listen_overflows_per_s", 2 },
        { "app.api.users.GET.requests_per_s", 2 },
        { "app.api.users.GET.errors_pct", 2 },
        { "app.api.users.GET.latency_p50_ms", 3 },
        { "app.api.users.GET.latency_p95_ms", 3 },
        { "app.api.users.GET.latency_p99_ms", 3 },
        { "db.xact_commit_per_s", 2 },
        { "db.connections", 0 },
};
#define N (sizeof(series) / sizeof(series[0]))

static int alert(struct tsdb *t) {
        const struct tsdb_event fire = { T0 + 20 * 60000, "cpu_busy", "firing", "warn", 91.5 };
        const struct tsdb_event done = { T0 + 30 * 60000, "cpu_busy", "resolved", "warn", 12.25 };
        int r = tsdb_event_add(t, &fire);
        if (r == 0)
                r = tsdb_event_add(t, &done);
        AlertState s;
        alert_state_init(&s);
        s.phase = ALERT_RESOLVED;
        s.since_ms = done.t_ms;
        s.value = done.value;
        json_t *j = r == 0 ? alert_state_to_json(&s, 0) : NULL;
        char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
        if (r == 0)
                r = text ? tsdb_state_put(t, "alert/cpu_busy", text) : -12;
        free(text);
        json_decref(j);
        return r;
}

int main(int argc, char **argv) {
        bool nodb = false, bad = argc < 4;
        for (int a = 4; a < argc; a++)
                if (strcmp(argv[a], "nodb") == 0)
                        nodb = true;
                else if (strncmp(argv[a], "t0=", 3) == 0 && atoll(argv[a] + 3) > 0)
                        T0 = atoll(argv[a] + 3);
                else
                        bad = true;
        if (bad || atoi(argv[2]) <= 0 || atoi(argv[3]) <= 0 || 3600 % atoi(argv[3]) != 0) {
                fprintf(stderr, "usage: dashboard-fill FILE HOURS EVERY_S [t0=MS] [nodb] (EVERY_S dividing 3600)\n");
                return 2;
        }
        int hours = atoi(argv[2]), every = atoi(argv[3]);
        size_t n_series = nodb ? N - 2 : N, per_hour = (size_t) (3600 / every);
        struct tsdb *t = NULL;
        char *moved = NULL;
        int64_t id[N];
        int r = tsdb_open(argv[1], &t, &moved);
        for (size_t k = 0; r == 0 && k < n_series; k++)
                r = tsdb_series(t, series[k].name, series[k].scale, &id[k]);
        struct store_point *p = calloc(n_series * per_hour, sizeof(*p));
        struct tsdb_chunk_in *in = calloc(n_series, sizeof(*in));
        if (!p || !in)
                r = -12;
        for (int h = 0; r == 0 && h < hours; h++) {
                for (size_t k = 0; k < n_series; k++) {
                        for (size_t j = 0; j < per_hour; j++) {
                                int64_t i = (int64_t) h * 3600 + (int64_t) j * every;
                                int64_t v = (int64_t) (k + 1) * 1000 + (i / every) % 600 * (int64_t) (k % 4 + 1) * 2;
                                p[k * per_hour + j] =
                                        (struct store_point) { T0 + 1000 * i, series[k].scale ? v : v << 20 };
                        }
                        in[k] = (struct tsdb_chunk_in) { id[k], p + k * per_hour, per_hour };
                }
                r = tsdb_append_chunks(t, in, n_series);
        }
        if (r == 0)
                r = alert(t);
        if (r < 0)
                fprintf(stderr, "dashboard-fill: %s: %s\n", argv[1], strerror(-r));
        free(p);
        free(in);
        free(moved);
        tsdb_close(t);
        return r < 0 ? 1 : 0;
}
