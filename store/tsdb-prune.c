/* SPDX-License-Identifier: MIT */
/* Retention: each tier loses its rows older than its age limit, then its oldest rows until it fits
 * its byte budget; the freed pages go back to the file system by incremental vacuum. */
#include <errno.h>
#include <stdio.h>

#include "macro.h"
#include "tsdb-internal.h"

const struct tsdb_limits tsdb_limits_default = {
        .age_ms = { 2 * TSDB_DAY_MS, 30 * TSDB_DAY_MS, 730 * TSDB_DAY_MS },
        .bytes = { INT64_C(256) << 20, INT64_C(64) << 20, INT64_C(64) << 20 },
};

/* A row's cost beyond its blob: the keys and header of a chunk row, a whole rollup row (measured,
 * docs/store.md). */
#define CHUNK_ROW_BYTES 40
#define ROLLUP_ROW_BYTES 33

_Static_assert(TSDB_MINUTE_MS == 60000 && TSDB_HOUR_MS == 3600000, "the rollups' t_last below");

struct tier {
        const char *table, *t_first, *t_last, *cost, *points;
};

static const struct tier tiers[TSDB_TIERS] = {
        [TSDB_TIER_CHUNK] = { "chunk", "t0", "t_last", "length(blob) + " STRINGIFY(CHUNK_ROW_BYTES), "n" },
        /* A rollup row's last timestamp is the last ms of its bucket, not its start. */
        [TSDB_TIER_R1M] = { "r1m", "t", "t + 59999", STRINGIFY(ROLLUP_ROW_BYTES), "count" },
        [TSDB_TIER_R1H] = { "r1h", "t", "t + 3599999", STRINGIFY(ROLLUP_ROW_BYTES), "count" },
};

static int run_int(sqlite3 *db, const char *sql, int64_t arg, int64_t *ret) {
        sqlite3_stmt *st;
        int r = tsdb_prepare(db, sql, &st);
        if (r == 0)
                r = tsdb_errno(sqlite3_bind_int64(st, 1, arg));
        if (r == 0 && ret)
                r = tsdb_step_int(st, ret);
        else if (r == 0)
                r = tsdb_errno(sqlite3_step(st));
        sqlite3_finalize(st);
        return r;
}

static int delete_through(sqlite3 *db, const struct tier *tr, const char *column, int64_t t, int64_t *deleted) {
        char sql[128];
        snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE %s <= ?1", tr->table, column);
        int r = run_int(db, sql, t, NULL);
        if (r == 0)
                *deleted += sqlite3_changes64(db);
        return r;
}

/* The first timestamp at which the oldest rows add up to at least excess bytes. */
static int bytes_cutoff(sqlite3 *db, const struct tier *tr, int64_t excess, int64_t *ret) {
        char sql[160];
        snprintf(sql, sizeof(sql), "SELECT %s, %s FROM %s ORDER BY %s", tr->t_first, tr->cost, tr->table, tr->t_first);
        sqlite3_stmt *st;
        int r = tsdb_prepare(db, sql, &st);
        int64_t sum = 0;
        while (r == 0 && sum < excess) {
                int rc = sqlite3_step(st);
                if (rc != SQLITE_ROW) {
                        r = tsdb_errno(rc);
                        break;
                }
                *ret = sqlite3_column_int64(st, 0);
                sum += sqlite3_column_int64(st, 1);
        }
        sqlite3_finalize(st);
        return r;
}

static int prune_tier(sqlite3 *db, const struct tier *tr, int64_t now, int64_t age, int64_t cap, int64_t *deleted) {
        int r = 0;
        int64_t before;
        /* now is the caller's: now - age may leave int64. Nothing is stored before 0. */
        if (age > 0 && !__builtin_sub_overflow(now, age, &before) && before > 0)
                r = delete_through(db, tr, tr->t_last, before - 1, deleted);
        if (r < 0 || cap <= 0)
                return r;
        char sql[128];
        int64_t total = 0, cutoff = -1;
        snprintf(sql, sizeof(sql), "SELECT coalesce(sum(%s), 0) FROM %s WHERE ?1 = ?1", tr->cost, tr->table);
        r = run_int(db, sql, 0, &total);
        if (r == 0 && total > cap)
                r = bytes_cutoff(db, tr, total - cap, &cutoff);
        if (r == 0 && cutoff >= 0)
                r = delete_through(db, tr, tr->t_first, cutoff, deleted);
        return r;
}

int tsdb_prune(struct tsdb *t, int64_t now_ms, const struct tsdb_limits *limits, int64_t ret_deleted[TSDB_TIERS]) {
        if (!limits)
                limits = &tsdb_limits_default;
        int64_t deleted[TSDB_TIERS] = { 0 };
        int r = tsdb_begin(t->db);
        if (r < 0)
                return r;
        for (int i = 0; i < TSDB_TIERS && r == 0; i++)
                r = prune_tier(t->db, &tiers[i], now_ms, limits->age_ms[i], limits->bytes[i], &deleted[i]);
        r = tsdb_end(t->db, r);
        if (r == 0)
                r = tsdb_exec(t->db, "PRAGMA incremental_vacuum");
        if (r == 0 && ret_deleted)
                for (int i = 0; i < TSDB_TIERS; i++)
                        ret_deleted[i] = deleted[i];
        return r;
}

int tsdb_stats(struct tsdb *t, struct tsdb_tier_stats ret[TSDB_TIERS]) {
        for (int i = 0; i < TSDB_TIERS; i++) {
                char sql[256];
                snprintf(sql, sizeof(sql),
                         "SELECT count(*), coalesce(sum(%s), 0), coalesce(sum(%s), 0), coalesce(sum(%s), 0) FROM %s",
                         tiers[i].cost, i == TSDB_TIER_CHUNK ? "length(blob)" : "0", tiers[i].points, tiers[i].table);
                sqlite3_stmt *st;
                int r = tsdb_prepare(t->db, sql, &st);
                int rc = r == 0 ? sqlite3_step(st) : SQLITE_OK;
                if (r == 0 && rc != SQLITE_ROW)
                        r = rc == SQLITE_DONE ? -EIO : tsdb_errno(rc);
                if (r == 0)
                        ret[i] = (struct tsdb_tier_stats){ sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                                                           sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3) };
                sqlite3_finalize(st);
                if (r < 0)
                        return r;
        }
        return 0;
}

int tsdb_checkpoint(struct tsdb *t) {
        return tsdb_errno(sqlite3_wal_checkpoint_v2(t->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL));
}
