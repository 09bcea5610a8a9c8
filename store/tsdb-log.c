/* SPDX-License-Identifier: MIT */
/* The log of unsealed points and the seal that turns it into chunks. A flush appends one small row
 * per series to a table without index, so it dirties a page or two whatever the number of series;
 * a seal, once an hour, writes each series' hour as one chunk with its rollups (sealing every
 * minute instead wrote 30 times the bytes, docs/store.md). Each series' first and last logged
 * timestamps live in the writer's memory, not in the file: one page less to write per flush. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tsdb-internal.h"

/* Series ids are rowids handed out from 1; one beyond this is not ours to index an array by. */
#define MAX_SERIES_ID (INT64_C(1) << 24)

struct tsdb_log_bound tsdb_log_bound(const struct tsdb *t, int64_t series) {
        if (series < 0 || (uint64_t) series >= t->n_bound)
                return (struct tsdb_log_bound){ -1, -1 };
        return t->bound[series];
}

/* A copy of t's bounds with room for series up to max_id. */
static struct tsdb_log_bound *bounds_copy(const struct tsdb *t, int64_t max_id, size_t *ret_n) {
        size_t n = (size_t) max_id + 1 > t->n_bound ? (size_t) max_id + 1 : t->n_bound;
        struct tsdb_log_bound *b = malloc(n * sizeof(*b));
        if (!b)
                return NULL;
        if (t->n_bound)
                memcpy(b, t->bound, t->n_bound * sizeof(*b));
        for (size_t i = t->n_bound; i < n; i++)
                b[i] = (struct tsdb_log_bound){ -1, -1 };
        *ret_n = n;
        return b;
}

static void bounds_swap(struct tsdb *t, struct tsdb_log_bound *b, size_t n) {
        free(t->bound);
        t->bound = b;
        t->n_bound = n;
}

/* The bounds of what the log holds now, into a new array. */
static int read_bounds(sqlite3 *db, struct tsdb_log_bound **ret, size_t *ret_n) {
        sqlite3_stmt *st;
        struct tsdb_log_bound *b = NULL;
        size_t n = 0;
        int r = tsdb_prepare(db, "SELECT series, min(t0), max(t_last) FROM log GROUP BY series ORDER BY series DESC",
                             &st);
        while (r == 0) {
                int rc = sqlite3_step(st);
                if (rc != SQLITE_ROW) {
                        r = tsdb_errno(rc);
                        break;
                }
                int64_t id = sqlite3_column_int64(st, 0);
                if (id < 0 || id >= MAX_SERIES_ID) {
                        r = -EBADMSG;
                        break;
                }
                if (!b) { /* the largest id comes first */
                        n = (size_t) id + 1;
                        b = malloc(n * sizeof(*b));
                        if (!b) {
                                r = -ENOMEM;
                                break;
                        }
                        for (size_t i = 0; i < n; i++)
                                b[i] = (struct tsdb_log_bound){ -1, -1 };
                }
                b[id] = (struct tsdb_log_bound){ sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2) };
        }
        sqlite3_finalize(st);
        if (r < 0) {
                free(b);
                return r;
        }
        *ret = b;
        *ret_n = n;
        return 0;
}

int tsdb_load_bounds(struct tsdb *t) {
        struct tsdb_log_bound *b;
        size_t n;
        int r = read_bounds(t->db, &b, &n);
        if (r == 0)
                bounds_swap(t, b, n);
        return r;
}

/* After the series' last logged point, or when it has none after its last chunk. */
static int log_one(struct tsdb *t, struct tsdb_log_bound *b, const struct tsdb_chunk_in *c) {
        int r = tsdb_series_exists(t->db, c->series);
        int64_t end = b[c->series].t_last;
        if (r == 0 && b[c->series].t0 < 0)
                r = tsdb_chunk_end(t->db, c->series, INT64_MAX, &end);
        if (r == 0 && end >= c->p[0].t_ms)
                r = -EEXIST;
        if (r == 0)
                r = tsdb_insert_blob(t->db, "log", c->series, c->p, c->n);
        if (r == 0) {
                if (b[c->series].t0 < 0)
                        b[c->series].t0 = c->p[0].t_ms;
                b[c->series].t_last = c->p[c->n - 1].t_ms;
        }
        return r;
}

int tsdb_log(struct tsdb *t, const struct tsdb_chunk_in *c, size_t n) {
        int r = tsdb_check_batch(c, n);
        if (r < 0)
                return r;
        int64_t max_id = 0;
        for (size_t i = 0; i < n; i++) {
                if (c[i].series <= 0 || c[i].series >= MAX_SERIES_ID)
                        return -ENOENT;
                max_id = c[i].series > max_id ? c[i].series : max_id;
        }
        /* The bounds change in a copy, kept only when the flush commits. */
        size_t n_b;
        struct tsdb_log_bound *b = bounds_copy(t, max_id, &n_b);
        if (!b)
                return -ENOMEM;
        r = tsdb_begin(t->db);
        if (r == 0) {
                for (size_t i = 0; i < n && r == 0; i++)
                        r = log_one(t, b, &c[i]);
                r = tsdb_end(t->db, r);
        }
        if (r == 0)
                bounds_swap(t, b, n_b);
        else
                free(b);
        return r;
}

/* One series' points on their way from the log rows to chunks. */
struct sealing {
        struct tsdb *t;
        int64_t series;
        struct store_point *p;
        size_t n;
        int64_t points;
};

static int sealing_flush(struct sealing *s) {
        if (s->n == 0)
                return 0;
        int r = tsdb_append_one(s->t, &(const struct tsdb_chunk_in){ s->series, s->p, s->n }, false);
        s->points += (int64_t) s->n;
        s->n = 0;
        return r;
}

/* The points of one log row after those gathered: a new series or a full chunk seals what is there. */
static int sealing_add(struct sealing *s, int64_t series, const struct store_point *p, size_t n) {
        int r = 0;
        if (s->n > 0 && (series != s->series || s->n + n > CHUNK_MAX_POINTS))
                r = sealing_flush(s);
        if (r < 0)
                return r;
        if (s->n > 0 && p[0].t_ms <= s->p[s->n - 1].t_ms)
                return -EBADMSG; /* log rows of a series overlap: a damaged file */
        if (!s->p && !(s->p = malloc(CHUNK_MAX_POINTS * sizeof(*s->p))))
                return -ENOMEM;
        s->series = series;
        memcpy(s->p + s->n, p, n * sizeof(*p));
        s->n += n;
        return 0;
}

static int seal_rows(struct sealing *s, int64_t before) {
        sqlite3_stmt *st;
        int r = tsdb_prepare(s->t->db,
                             "SELECT n, codec, blob, t0, t_last, series FROM log WHERE t_last < ?1 ORDER BY series, t0",
                             &st);
        if (r == 0)
                r = tsdb_errno(sqlite3_bind_int64(st, 1, before));
        while (r == 0) {
                int rc = sqlite3_step(st);
                if (rc != SQLITE_ROW) {
                        r = tsdb_errno(rc);
                        break;
                }
                struct store_point *p;
                size_t n;
                r = tsdb_row_points(st, &p, &n);
                if (r == 0) {
                        r = sealing_add(s, sqlite3_column_int64(st, 5), p, n);
                        free(p);
                }
        }
        sqlite3_finalize(st);
        return r < 0 ? r : sealing_flush(s);
}

int tsdb_seal(struct tsdb *t, int64_t before_ms, int64_t *ret_points) {
        struct sealing s = { .t = t };
        struct tsdb_log_bound *b = NULL;
        size_t n_b = 0;
        sqlite3_stmt *st = NULL;
        int r = tsdb_begin(t->db);
        if (r < 0)
                return r;
        r = seal_rows(&s, before_ms);
        free(s.p);
        if (r == 0)
                r = tsdb_prepare(t->db, "DELETE FROM log WHERE t_last < ?1", &st);
        if (r == 0)
                r = tsdb_errno(sqlite3_bind_int64(st, 1, before_ms));
        if (r == 0)
                r = tsdb_errno(sqlite3_step(st));
        sqlite3_finalize(st);
        if (r == 0)
                r = read_bounds(t->db, &b, &n_b);
        r = tsdb_end(t->db, r);
        if (r == 0) {
                bounds_swap(t, b, n_b);
                if (ret_points)
                        *ret_points = s.points;
        } else
                free(b);
        return r;
}
