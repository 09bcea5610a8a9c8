/* SPDX-License-Identifier: MIT */
/* Reading the store: buckets of step ms from the coarsest tier that answers exactly (r1h, r1m) or
 * from the chunks overlapping the range. */
#include <errno.h>
#include <stdlib.h>

#include "tsdb-internal.h"

struct acc {
        int64_t from, step;
        bool open;
        struct tsdb_bucket b;
        tsdb_bucket_fn fn;
        void *userdata;
};

static int acc_flush(struct acc *a) {
        if (!a->open)
                return 0;
        a->open = false;
        a->b.avg = (double) a->b.sum / (double) a->b.count;
        /* Only a negative return stops the query; a positive one would end each_row's loop silently. */
        int r = a->fn(&a->b, a->userdata);
        return r < 0 ? r : 0;
}

/* One sample or rollup row at t (from <= t < to). */
static int acc_add(struct acc *a, int64_t t, int64_t min, int64_t max, int64_t sum, int64_t count) {
        /* In uint64_t: t - from overflows int64 when from is far below 0; the key is within [from, t]. */
        uint64_t off = ((uint64_t) t - (uint64_t) a->from) / (uint64_t) a->step * (uint64_t) a->step;
        int64_t key = (int64_t) ((uint64_t) a->from + off);
        if (a->open && key == a->b.t) {
                if (__builtin_add_overflow(a->b.sum, sum, &a->b.sum) ||
                    __builtin_add_overflow(a->b.count, count, &a->b.count))
                        return -ERANGE;
                a->b.min = min < a->b.min ? min : a->b.min;
                a->b.max = max > a->b.max ? max : a->b.max;
                return 0;
        }
        int r = acc_flush(a);
        a->b = (struct tsdb_bucket) { .t = key, .min = min, .max = max, .sum = sum, .count = count };
        a->open = true;
        return r;
}

static int bind3(sqlite3_stmt *st, int64_t series, int64_t from, int64_t to) {
        int r = tsdb_errno(sqlite3_bind_int64(st, 1, series));
        if (r == 0)
                r = tsdb_errno(sqlite3_bind_int64(st, 2, from));
        if (r == 0)
                r = tsdb_errno(sqlite3_bind_int64(st, 3, to));
        return r;
}

typedef int (*row_fn)(sqlite3_stmt *st, int64_t from, int64_t to, struct acc *a);

/* Runs sql (bound to series, from, to) and hands each row to fn. */
static int each_row(sqlite3 *db, const char *sql, int64_t series, int64_t from, int64_t to, row_fn fn, struct acc *a) {
        sqlite3_stmt *st;
        int r = tsdb_prepare(db, sql, &st);
        if (r == 0)
                r = bind3(st, series, from, to);
        while (r == 0) {
                int rc = sqlite3_step(st);
                if (rc != SQLITE_ROW) {
                        r = tsdb_errno(rc);
                        break;
                }
                r = fn(st, from, to, a);
        }
        sqlite3_finalize(st);
        return r;
}

static int add_rollup_row(sqlite3_stmt *st, int64_t from, int64_t to, struct acc *a) {
        return acc_add(a, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
                       sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4));
}

/* The points of a chunk row selected as (n, codec, blob, t0, t_last): -EBADMSG when the blob does
 * not decode to n points from t0 to t_last (points outside them would come out of order, and the
 * overlap checks trust t0 and t_last). */
static int row_points(sqlite3_stmt *st, struct store_point **ret, size_t *ret_n) {
        if (sqlite3_column_int64(st, 1) != CHUNK_CODEC_DELTA_ZLIB)
                return -EBADMSG;
        struct store_point *p;
        size_t n;
        const uint8_t *blob = sqlite3_column_blob(st, 2);
        int r = chunk_decode(blob, (size_t) sqlite3_column_bytes(st, 2), &p, &n);
        if (r < 0)
                return r;
        if (n == 0 || (int64_t) n != sqlite3_column_int64(st, 0) || p[0].t_ms != sqlite3_column_int64(st, 3) ||
            p[n - 1].t_ms != sqlite3_column_int64(st, 4)) {
                free(p);
                return -EBADMSG;
        }
        *ret = p;
        *ret_n = n;
        return 0;
}

/* One stored chunk. */
static int add_chunk(sqlite3_stmt *st, int64_t from, int64_t to, struct acc *a) {
        struct store_point *p;
        size_t n;
        int r = row_points(st, &p, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && r == 0; i++)
                if (p[i].t_ms >= from && p[i].t_ms < to)
                        r = acc_add(a, p[i].t_ms, p[i].v, p[i].v, p[i].v, 1);
        free(p);
        return r;
}

/* The chunks that overlap [from, to): those starting before to and ending at or after from; the
 * lower bound on t0 (the last chunk starting at or before from) lets the primary key do the work. */
static const char chunks_sql[] =
        "SELECT n, codec, blob, t0, t_last FROM chunk WHERE series = ?1 AND t0 < ?3 AND t_last >= ?2"
        " AND t0 >= coalesce((SELECT max(t0) FROM chunk WHERE series = ?1 AND t0 <= ?2), 0) ORDER BY t0";

struct log_query {
        struct acc *a;
        int64_t series, from, to;
};

static int add_part(int64_t series, const struct store_point *p, size_t n, void *userdata) {
        struct log_query *q = userdata;
        (void) series;
        int r = 0;
        for (size_t i = 0; i < n && r == 0; i++)
                if (p[i].t_ms >= q->from && p[i].t_ms < q->to)
                        r = acc_add(q->a, p[i].t_ms, p[i].v, p[i].v, p[i].v, 1);
        return r;
}

/* The unsealed points: the log has no index (a flush must stay cheap) and holds an hour or so; each
 * row's other series are skipped by their length. */
static int log_row(const uint8_t *blob, size_t len, void *userdata) {
        struct log_query *q = userdata;
        return flush_decode(blob, len, q->series, add_part, q);
}

static int query_log(sqlite3 *db, int64_t series, int64_t from, int64_t to, struct acc *a) {
        struct log_query q = { a, series, from, to };
        sqlite3_stmt *st;
        /* No series has such an id; to flush_decode it would mean every series. */
        if (series <= 0)
                return 0;
        int r = tsdb_prepare(db, "SELECT codec, blob FROM log WHERE t0 < ?2 AND t_last >= ?1 ORDER BY id", &st);
        if (r == 0)
                r = tsdb_bind2(st, from, to);
        return tsdb_each_log_blob(st, r, log_row, &q);
}

static bool aligned(int64_t from, int64_t to, int64_t step, int64_t unit) {
        return step % unit == 0 && from % unit == 0 && to % unit == 0;
}

enum tsdb_tier tsdb_query_tier(int64_t from, int64_t to, int64_t step, unsigned flags) {
        if (flags & TSDB_QUERY_CHUNKS)
                return TSDB_TIER_CHUNK;
        if (aligned(from, to, step, TSDB_HOUR_MS))
                return TSDB_TIER_R1H;
        return aligned(from, to, step, TSDB_MINUTE_MS) ? TSDB_TIER_R1M : TSDB_TIER_CHUNK;
}

int tsdb_query(struct tsdb *t, int64_t series, int64_t from, int64_t to, int64_t step, unsigned flags,
               tsdb_bucket_fn fn, void *userdata) {
        if (step <= 0 || !fn)
                return -EINVAL;
        /* No clamping of a negative from: the buckets are from + k * step, and the tier is chosen by it. */
        if (to <= from)
                return 0;
        struct acc a = { .from = from, .step = step, .fn = fn, .userdata = userdata };
        static const char r1h[] = "SELECT t, min, max, sum, count FROM r1h WHERE series = ?1 AND t >= ?2 AND t < ?3"
                                  " ORDER BY t";
        static const char r1m[] = "SELECT t, min, max, sum, count FROM r1m WHERE series = ?1 AND t >= ?2 AND t < ?3"
                                  " ORDER BY t";
        int r;
        enum tsdb_tier tier = tsdb_query_tier(from, to, step, flags);
        if (tier == TSDB_TIER_R1H)
                r = each_row(t->db, r1h, series, from, to, add_rollup_row, &a);
        else if (tier == TSDB_TIER_R1M)
                r = each_row(t->db, r1m, series, from, to, add_rollup_row, &a);
        else
                r = each_row(t->db, chunks_sql, series, from, to, add_chunk, &a);
        /* The log's points come after every chunk and rollup of the series: buckets stay in order. */
        if (r == 0)
                r = query_log(t->db, series, from, to, &a);
        return r < 0 ? r : acc_flush(&a);
}

struct array {
        struct tsdb_bucket *b;
        size_t n, cap;
};

static int array_add(const struct tsdb_bucket *b, void *userdata) {
        struct array *arr = userdata;
        if (arr->n == arr->cap) {
                size_t cap = arr->cap ? 2 * arr->cap : 64;
                struct tsdb_bucket *more = realloc(arr->b, cap * sizeof(*more));
                if (!more)
                        return -ENOMEM;
                arr->b = more;
                arr->cap = cap;
        }
        arr->b[arr->n++] = *b;
        return 0;
}

int tsdb_query_array(struct tsdb *t, int64_t series, int64_t from, int64_t to, int64_t step, unsigned flags,
                     struct tsdb_bucket **ret, size_t *ret_n) {
        struct array arr = { 0 };
        int r = tsdb_query(t, series, from, to, step, flags, array_add, &arr);
        if (r < 0) {
                free(arr.b);
                return r;
        }
        *ret = arr.b;
        *ret_n = arr.n;
        return 0;
}

int tsdb_series_find(struct tsdb *t, const char *name, int64_t *ret_id, int *ret_scale) {
        if (!name)
                return -EINVAL;
        sqlite3_stmt *st;
        int r = tsdb_prepare(t->db, "SELECT id, scale FROM series WHERE name = ?1", &st);
        if (r == 0)
                r = tsdb_errno(sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC));
        if (r == 0) {
                int rc = sqlite3_step(st);
                r = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : tsdb_errno(rc);
        }
        if (r == 0) {
                *ret_id = sqlite3_column_int64(st, 0);
                *ret_scale = sqlite3_column_int(st, 1);
        }
        sqlite3_finalize(st);
        return r;
}

int tsdb_series_each(struct tsdb *t, tsdb_series_fn fn, void *userdata) {
        if (!fn)
                return -EINVAL;
        sqlite3_stmt *st;
        int r = tsdb_prepare(t->db, "SELECT id, name, scale FROM series ORDER BY name", &st);
        while (r == 0) {
                int rc = sqlite3_step(st);
                if (rc != SQLITE_ROW) {
                        r = tsdb_errno(rc);
                        break;
                }
                const unsigned char *name = sqlite3_column_text(st, 1);
                r = name ? fn(sqlite3_column_int64(st, 0), (const char *) name, sqlite3_column_int(st, 2), userdata)
                         : -EBADMSG;
        }
        sqlite3_finalize(st);
        return r;
}
