/* SPDX-License-Identifier: MIT */
/* What the monitor's HTTP API serves (docs/monitor.md, The HTTP API), built from a snapshot of the
 * daemon's state, so that tests and the bench render it without a daemon:
 *  - metrics_text(): GET /metrics, the Prometheus text exposition (0.0.4) of the last sample of
 *    every series in the RAM ring, named by render/prom-name.h as the profile's textfile names
 *    them, the monitor's own health families and the application metrics' latency histograms;
 *  - monitor_status_json(): GET /api/v1/status, a skytune.monitor-status/1 document. */
#pragma once

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "app-metrics.h"
#include "ring.h"

typedef struct MonitorStatus {
        int64_t start_ms;     /* wall clock, since the epoch */
        int64_t interval_ms;  /* between samples */
        int64_t last_tick_ms; /* the slot of the last sample; 0: none yet */
        int64_t stale_ms;     /* a collector whose every series is older than this at the last tick is down */
        uint64_t ticks, missed;
        const char *store;
        int64_t store_bytes; /* the file and its WAL; -1: unknown */
        const char *listen;  /* "127.0.0.1:9677" */
        MonitorRingStats ring;
        const AppMetrics *app; /* the latency histograms of /metrics; NULL: none */
} MonitorStatus;

/* The exposition into *ret (malloc'ed, *ret_len bytes, NUL-terminated): 0, or -ENOMEM. */
int metrics_text(const MonitorRing *r, const MonitorStatus *s, char **ret, size_t *ret_len);
/* The status document: NULL when out of memory. */
json_t *monitor_status_json(const MonitorStatus *s);
