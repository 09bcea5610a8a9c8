/* SPDX-License-Identifier: MIT */
/* The dashboard's panels and the series each one draws (names as the collectors emit them,
 * docs/monitor.md). A table, so that a panel is one entry. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "dashboard-doc.h"
#include "macro.h"

#define PATTERNS(...) ((const char *const[]) { __VA_ARGS__, NULL })

const DashboardPanel dashboard_panels[] = {
        { "cpu", "CPU busy, user, system and iowait", "%", "the store has no CPU series",
          PATTERNS("cpu.utilization_pct", "cpu.user_pct", "cpu.system_pct", "cpu.iowait_pct") },
        { "cpu-per-cpu", "CPU busy per CPU", "%", "the store has no per-CPU series",
          PATTERNS("cpu.per_cpu.*.utilization_pct") },
        { "memory", "memory available and swap used", "bytes", "the store has no memory series",
          PATTERNS("memory.available_bytes", "memory.swap_used_bytes") },
        { "psi", "pressure stall (some) of CPU, memory and disk", "%",
          "no pressure stall information (PSI) on this host",
          PATTERNS("cpu.psi_some_pct", "memory.psi_some_pct", "disk.psi_some_pct") },
        { "disk-latency", "disk read and write latency per device", "ms", "the store has no disk latency series",
          PATTERNS("disk.devices.*.r_await_ms", "disk.devices.*.w_await_ms") },
        { "disk-util", "disk utilization per device", "%", "the store has no disk utilization series",
          PATTERNS("disk.devices.*.util_pct") },
        { "net-throughput", "network received and sent per interface, bytes per second", "bytes",
          "the store has no network throughput series",
          PATTERNS("network.interfaces.*.rx_bytes_per_s", "network.interfaces.*.tx_bytes_per_s") },
        { "net-drops", "network drops per interface and TCP listen overflows, per second", "/s",
          "the store has no drop or overflow series",
          PATTERNS("network.interfaces.*.rx_drops_per_s", "network.interfaces.*.tx_drops_per_s",
                   "network.tcp.listen_overflows_per_s") },
        { "app-rate", "application requests per second, per endpoint", "/s",
          "no application metrics (docs/monitor.md, Application metrics)", PATTERNS("app.*.requests_per_s") },
        { "app-errors", "application errors, per endpoint", "%", "no application metrics",
          PATTERNS("app.*.errors_pct") },
        { "app-latency", "application P50, P95 and P99 per endpoint", "ms", "no application metrics",
          PATTERNS("app.*.latency_p50_ms", "app.*.latency_p95_ms", "app.*.latency_p99_ms") },
        { "db", "database transactions per second and connections", "", "no database configured (monitor.conf db)",
          PATTERNS("db.xact_commit_per_s", "db.xact_rollback_per_s", "db.connections") },
};
const size_t dashboard_n_panels = ELEMENTSOF(dashboard_panels);

const DashboardSpan dashboard_spans[] = {
        { "5m", 5 * TSDB_MINUTE_MS }, { "15m", 15 * TSDB_MINUTE_MS }, { "1h", TSDB_HOUR_MS },
        { "6h", 6 * TSDB_HOUR_MS },   { "24h", TSDB_DAY_MS },         { "2d", 2 * TSDB_DAY_MS },
        { "7d", 7 * TSDB_DAY_MS },    { "30d", 30 * TSDB_DAY_MS },
};
const size_t dashboard_n_spans = ELEMENTSOF(dashboard_spans);

int dashboard_span(const char *name, int64_t *ret_ms) {
        for (size_t i = 0; name && i < dashboard_n_spans; i++)
                if (strcmp(dashboard_spans[i].name, name) == 0) {
                        *ret_ms = dashboard_spans[i].ms;
                        return 0;
                }
        return -EINVAL;
}

bool dashboard_match(const char *pattern, const char *name) {
        const char *star = strchr(pattern, '*');
        if (!star)
                return strcmp(pattern, name) == 0;
        size_t pre = (size_t) (star - pattern), post = strlen(star + 1), n = strlen(name);
        return n > pre + post && strncmp(name, pattern, pre) == 0 && strcmp(name + n - post, star + 1) == 0;
}
