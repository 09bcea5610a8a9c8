/* SPDX-License-Identifier: MIT */
/* The database's series (docs/monitor.md, Database metrics) from snapshots of the server's figures
 * (db-sampler.h takes them): gauges from one snapshot, rates from the counters' deltas between two.
 * No server needed: a snapshot is a JSON object, so tests feed their own. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

/* The query a snapshot comes from: one row whose columns are the object's keys. The sampler adds
 * "mono_s" (when it was taken, CLOCK_MONOTONIC seconds). */
extern const char db_figures_sql[];

typedef int (*DbPointFn)(void *userdata, const char *name, const char *unit, double value);

/* The points of cur: db.connections, db.connections_max_pct, the lag and wait gauges present in
 * it, and, with prev (NULL: the first snapshot, no rates), the rates over the time between them.
 * A counter that went down (pg_stat_reset, a new stats_reset) gives no rate, never a negative one;
 * cache_hit_pct needs blocks read or hit in the interval. Stops at fn's first error. */
int db_figures_emit(const json_t *prev, const json_t *cur, DbPointFn fn, void *userdata);
/* Whether name is one of the series above, or monitor.db.up (the alert rules' catalogue). */
bool db_figures_is_series(const char *name);
