/* SPDX-License-Identifier: MIT */
/* The database's series from snapshots (db-figures.h). */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "db-figures.h"
#include "macro.h"

/* Server-wide connections; the counters of the DSN's database; the longest transaction and lock
 * wait of other backends (0 when none); the replication lag of a primary (its standbys' replay lag)
 * or of a standby (since the last replayed transaction), NULL on a server that is neither. */
const char db_figures_sql[] =
        "SELECT (SELECT sum(numbackends) FROM pg_stat_database)::int8 AS numbackends,"
        " current_setting('max_connections')::int8 AS max_connections,"
        " d.xact_commit, d.xact_rollback, d.blks_hit, d.blks_read, d.deadlocks, d.temp_bytes,"
        " d.tup_returned, d.tup_fetched, d.tup_inserted, d.tup_updated, d.tup_deleted,"
        " d.stats_reset::text AS stats_reset,"
        " coalesce((SELECT extract(epoch FROM max(clock_timestamp() - xact_start)) FROM pg_stat_activity"
        "  WHERE state <> 'idle' AND xact_start IS NOT NULL AND pid <> pg_backend_pid()), 0)::float8"
        "  AS longest_xact_s,"
        " coalesce((SELECT extract(epoch FROM max(clock_timestamp() - query_start)) FROM pg_stat_activity"
        "  WHERE wait_event_type = 'Lock'), 0)::float8 AS longest_lock_wait_s,"
        " CASE WHEN pg_is_in_recovery()"
        "  THEN extract(epoch FROM now() - pg_last_xact_replay_timestamp())"
        "  ELSE (SELECT extract(epoch FROM max(replay_lag)) FROM pg_stat_replication) END::float8"
        "  AS replication_lag_s"
        " FROM pg_stat_database d WHERE d.datname = current_database()";

static const struct {
        const char *key, *series, *unit;
} counters[] = {
        { "xact_commit", "db.xact_commit_per_s", "per_s" },   { "xact_rollback", "db.xact_rollback_per_s", "per_s" },
        { "deadlocks", "db.deadlocks_per_s", "per_s" },       { "temp_bytes", "db.temp_bytes_per_s", "bytes_per_s" },
        { "tup_returned", "db.tup_returned_per_s", "per_s" }, { "tup_fetched", "db.tup_fetched_per_s", "per_s" },
        { "tup_inserted", "db.tup_inserted_per_s", "per_s" }, { "tup_updated", "db.tup_updated_per_s", "per_s" },
        { "tup_deleted", "db.tup_deleted_per_s", "per_s" },
};

static const struct {
        const char *key, *series;
} gauges[] = {
        { "longest_xact_s", "db.longest_xact_s" },
        { "longest_lock_wait_s", "db.longest_lock_wait_s" },
        { "replication_lag_s", "db.replication_lag_s" },
};

static const char *const other_series[] = { "db.connections", "db.connections_max_pct", "db.cache_hit_pct",
                                            "monitor.db.up" };

/* A number of o (integer or real); false when absent or null. */
static bool number(const json_t *o, const char *key, double *ret) {
        const json_t *v = json_object_get(o, key);
        if (!json_is_number(v))
                return false;
        *ret = json_number_value(v);
        return isfinite(*ret);
}

/* The counter's growth from prev to cur: false when either lacks it or it went down (a reset). */
static bool delta(const json_t *prev, const json_t *cur, const char *key, double *ret) {
        double a, b;
        if (!number(prev, key, &a) || !number(cur, key, &b) || b < a)
                return false;
        *ret = b - a;
        return true;
}

/* Rates need two snapshots of the same statistics (no pg_stat_reset between) some time apart. */
static bool rates_apply(const json_t *prev, const json_t *cur, double *dt) {
        double t0, t1;
        if (!prev || !number(prev, "mono_s", &t0) || !number(cur, "mono_s", &t1) || !(t1 - t0 > 0.001))
                return false;
        *dt = t1 - t0;
        const char *r0 = json_string_value(json_object_get(prev, "stats_reset"));
        const char *r1 = json_string_value(json_object_get(cur, "stats_reset"));
        return r0 && r1 ? strcmp(r0, r1) == 0 : r0 == r1;
}

static int emit_rates(const json_t *prev, const json_t *cur, double dt, DbPointFn fn, void *userdata) {
        int k = 0;
        double d, hit, read;
        for (size_t i = 0; k >= 0 && i < ELEMENTSOF(counters); i++)
                if (delta(prev, cur, counters[i].key, &d))
                        k = fn(userdata, counters[i].series, counters[i].unit, d / dt);
        if (k >= 0 && delta(prev, cur, "blks_hit", &hit) && delta(prev, cur, "blks_read", &read) && hit + read > 0)
                k = fn(userdata, "db.cache_hit_pct", "pct", 100 * hit / (hit + read));
        return k;
}

int db_figures_emit(const json_t *prev, const json_t *cur, DbPointFn fn, void *userdata) {
        double v, max, dt;
        int k = 0;
        if (number(cur, "numbackends", &v)) {
                k = fn(userdata, "db.connections", "count", v);
                if (k >= 0 && number(cur, "max_connections", &max) && max > 0)
                        k = fn(userdata, "db.connections_max_pct", "pct", 100 * v / max);
        }
        for (size_t i = 0; k >= 0 && i < ELEMENTSOF(gauges); i++)
                if (number(cur, gauges[i].key, &v))
                        k = fn(userdata, gauges[i].series, "s", MAX(v, 0.0));
        if (k >= 0 && rates_apply(prev, cur, &dt))
                k = emit_rates(prev, cur, dt, fn, userdata);
        return k;
}

bool db_figures_is_series(const char *name) {
        if (strncmp(name, "db.", 3) != 0 && strncmp(name, "monitor.db.", 11) != 0)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(counters); i++)
                if (strcmp(name, counters[i].series) == 0)
                        return true;
        for (size_t i = 0; i < ELEMENTSOF(gauges); i++)
                if (strcmp(name, gauges[i].series) == 0)
                        return true;
        for (size_t i = 0; i < ELEMENTSOF(other_series); i++)
                if (strcmp(name, other_series[i]) == 0)
                        return true;
        return false;
}
