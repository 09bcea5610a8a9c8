/* SPDX-License-Identifier: MIT */
/* Writing the store: series, and a sealed chunk together with its share of the rollups, in one
 * transaction (a crash leaves either all of it or none). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tsdb-internal.h"

int tsdb_series(struct tsdb *t, const char *name, int scale, int64_t *ret_id) {
        if (!name || !*name || scale < 0 || scale > 18)
                return -EINVAL;
        sqlite3_stmt *st;
        int r = tsdb_prepare(t->db, "INSERT INTO series(name, scale) VALUES (?1, ?2) ON CONFLICT(name) DO NOTHING",
                             &st);
        if (r == 0)
                r = tsdb_errno(sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC));
        if (r == 0)
                r = tsdb_errno(sqlite3_bind_int(st, 2, scale));
        if (r == 0)
                r = tsdb_errno(sqlite3_step(st));
        sqlite3_finalize(st);
        if (r < 0)
                return r;
        int got;
        r = tsdb_series_find(t, name, ret_id, &got);
        return r == 0 && got != scale ? -EEXIST : r;
}

/* A stored chunk of the series overlaps [t0, t_last]: chunks never overlap each other, so the one
 * that starts last at or before t_last is the only one to look at. */
static int check_overlap(sqlite3 *db, int64_t series, int64_t t0, int64_t t_last) {
        int64_t end;
        int r = tsdb_chunk_end(db, series, t_last, &end);
        return r < 0 ? r : end >= t0 ? -EEXIST : 0;
}

int tsdb_chunk_end(sqlite3 *db, int64_t series, int64_t at_or_before, int64_t *ret) {
        sqlite3_stmt *st;
        int r = tsdb_prepare(db, "SELECT t_last FROM chunk WHERE series = ?1 AND t0 <= ?2 ORDER BY t0 DESC LIMIT 1",
                             &st);
        if (r == 0)
                r = tsdb_bind2(st, series, at_or_before);
        if (r == 0) {
                r = tsdb_step_int(st, ret);
                if (r == -ENOENT) {
                        *ret = -1;
                        r = 0;
                }
        }
        sqlite3_finalize(st);
        return r;
}

int tsdb_series_exists(struct tsdb *t, int64_t series) {
        sqlite3_stmt *st;
        int64_t one;
        int r = tsdb_kept(t, TSDB_KEPT_SERIES_EXISTS, &st);
        if (r < 0)
                return r;
        r = tsdb_errno(sqlite3_bind_int64(st, 1, series));
        if (r == 0)
                r = tsdb_step_int(st, &one);
        tsdb_kept_done(st);
        return r;
}

static int insert_chunk(sqlite3 *db, int64_t series, const struct store_point *p, size_t n) {
        uint8_t *blob;
        size_t len;
        int r = chunk_encode(p, n, &blob, &len);
        if (r < 0)
                return r;
        sqlite3_stmt *st;
        r = tsdb_prepare(db, "INSERT INTO chunk(series, t0, t_last, n, codec, blob) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                         &st);
        if (r == 0)
                r = tsdb_bind2(st, series, p[0].t_ms);
        if (r == 0)
                r = tsdb_errno(sqlite3_bind_int64(st, 3, p[n - 1].t_ms));
        if (r == 0)
                r = tsdb_errno(sqlite3_bind_int64(st, 4, (int64_t) n));
        if (r == 0)
                r = tsdb_errno(sqlite3_bind_int(st, 5, CHUNK_CODEC_DELTA_ZLIB));
        if (r == 0)
                r = tsdb_errno(sqlite3_bind_blob64(st, 6, blob, len, SQLITE_STATIC));
        if (r == 0)
                r = tsdb_errno(sqlite3_step(st));
        sqlite3_finalize(st);
        free(blob);
        return r;
}

struct agg {
        int64_t t, min, max, sum, count;
};

/* Adds b into a: -ERANGE when the sum or the count leaves int64. */
static int agg_merge(struct agg *a, const struct agg *b) {
        if (__builtin_add_overflow(a->sum, b->sum, &a->sum) || __builtin_add_overflow(a->count, b->count, &a->count))
                return -ERANGE;
        a->min = b->min < a->min ? b->min : a->min;
        a->max = b->max > a->max ? b->max : a->max;
        return 0;
}

struct rollup {
        sqlite3_stmt *get, *put;
        int64_t series;
};

/* Merges one bucket into the stored row of its table (there may be one from a neighbouring chunk). */
static int rollup_put(struct rollup *ru, struct agg *a) {
        int r = tsdb_bind2(ru->get, ru->series, a->t);
        if (r < 0)
                return r;
        int rc = sqlite3_step(ru->get);
        if (rc == SQLITE_ROW) {
                struct agg old = { a->t, sqlite3_column_int64(ru->get, 0), sqlite3_column_int64(ru->get, 1),
                                   sqlite3_column_int64(ru->get, 2), sqlite3_column_int64(ru->get, 3) };
                r = agg_merge(a, &old);
        } else if (rc != SQLITE_DONE)
                r = tsdb_errno(rc);
        if (r == 0)
                r = tsdb_bind2(ru->put, ru->series, a->t);
        const int64_t col[] = { a->min, a->max, a->sum, a->count };
        for (int i = 0; r == 0 && i < 4; i++)
                r = tsdb_errno(sqlite3_bind_int64(ru->put, 3 + i, col[i]));
        if (r == 0)
                r = tsdb_errno(sqlite3_step(ru->put));
        return r;
}

static int rollup_points(struct rollup *ru, int64_t width, const struct store_point *p, size_t n) {
        struct agg a = { 0 };
        int r = 0;
        for (size_t i = 0; i < n && r == 0; i++) {
                struct agg one = { p[i].t_ms - p[i].t_ms % width, p[i].v, p[i].v, p[i].v, 1 };
                if (i > 0 && one.t == a.t) {
                        r = agg_merge(&a, &one);
                        continue;
                }
                if (i > 0)
                        r = rollup_put(ru, &a);
                a = one;
        }
        return r == 0 && n > 0 ? rollup_put(ru, &a) : r;
}

static int rollup(sqlite3 *db, const char *table, int64_t width, int64_t series, const struct store_point *p,
                  size_t n) {
        char get[160], put[160];
        snprintf(get, sizeof(get), "SELECT min, max, sum, count FROM %s WHERE series = ?1 AND t = ?2", table);
        snprintf(put, sizeof(put), "INSERT OR REPLACE INTO %s VALUES (?1, ?2, ?3, ?4, ?5, ?6)", table);
        struct rollup ru = { .series = series };
        int r = tsdb_prepare(db, get, &ru.get);
        if (r == 0)
                r = tsdb_prepare(db, put, &ru.put);
        if (r == 0)
                r = rollup_points(&ru, width, p, n);
        sqlite3_finalize(ru.get);
        sqlite3_finalize(ru.put);
        return r;
}

static int check_points(const struct store_point *p, size_t n) {
        if (!p || n == 0 || n > CHUNK_MAX_POINTS || p[0].t_ms < 0)
                return -EINVAL;
        for (size_t i = 1; i < n; i++)
                if (p[i].t_ms <= p[i - 1].t_ms)
                        return -EINVAL;
        return 0;
}

int tsdb_check_batch(const struct tsdb_chunk_in *c, size_t n) {
        if (!c || n == 0)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                int r = check_points(c[i].p, c[i].n);
                if (r < 0)
                        return r;
        }
        return 0;
}

int tsdb_append_one(struct tsdb *t, const struct tsdb_chunk_in *c, bool log_check) {
        int r = tsdb_series_exists(t, c->series);
        /* The log's points come after every chunk of their series (queries read them last). */
        struct tsdb_log_bound b = tsdb_log_bound(t, c->series);
        if (r == 0 && log_check && b.t0 >= 0 && b.t0 <= c->p[c->n - 1].t_ms)
                r = -EEXIST;
        if (r == 0)
                r = check_overlap(t->db, c->series, c->p[0].t_ms, c->p[c->n - 1].t_ms);
        if (r == 0)
                r = insert_chunk(t->db, c->series, c->p, c->n);
        if (r == 0)
                r = rollup(t->db, "r1m", TSDB_MINUTE_MS, c->series, c->p, c->n);
        if (r == 0)
                r = rollup(t->db, "r1h", TSDB_HOUR_MS, c->series, c->p, c->n);
        return r;
}

int tsdb_append_chunks(struct tsdb *t, const struct tsdb_chunk_in *c, size_t n) {
        int r = tsdb_check_batch(c, n);
        if (r == 0)
                r = tsdb_begin(t->db);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && r == 0; i++)
                r = tsdb_append_one(t, &c[i], true);
        return tsdb_end(t->db, r);
}

int tsdb_append_chunk(struct tsdb *t, int64_t series, const struct store_point *p, size_t n) {
        return tsdb_append_chunks(t, &(const struct tsdb_chunk_in) { series, p, n }, 1);
}
