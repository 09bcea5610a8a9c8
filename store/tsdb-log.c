/* SPDX-License-Identifier: MIT */
/* The log of unsealed points and the seal that turns it into chunks. A flush appends one row (every
 * series' points in a CHUNK_CODEC_FLUSH blob) to a table without index, so it dirties a page or two
 * whatever the number of series; a seal, once an hour, writes each series' hour as one chunk with
 * its rollups (sealing every minute instead wrote 37 times the bytes, docs/store.md). Each series'
 * first and last logged timestamps live in the writer's memory, not in the file: one page less to
 * write per flush. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tsdb-internal.h"

/* Series ids are rowids handed out from 1; one beyond this is not ours to index an array by. */
#define MAX_SERIES_ID (INT64_C(1) << 24)

/* No point logged, for series from to n - 1. */
static void bounds_clear(struct tsdb_log_bound *b, size_t from, size_t n) {
        for (size_t i = from; i < n; i++)
                b[i] = (struct tsdb_log_bound) { -1, -1 };
}

/* A copy of t's bounds with room for series up to max_id. */
static struct tsdb_log_bound *bounds_copy(const struct tsdb *t, int64_t max_id, size_t *ret_n) {
        size_t n = (size_t) max_id + 1 > t->n_bound ? (size_t) max_id + 1 : t->n_bound;
        struct tsdb_log_bound *b = malloc(n * sizeof(*b));
        if (!b)
                return NULL;
        if (t->n_bound)
                memcpy(b, t->bound, t->n_bound * sizeof(*b));
        bounds_clear(b, t->n_bound, n);
        *ret_n = n;
        return b;
}

static void bounds_swap(struct tsdb *t, struct tsdb_log_bound *b, size_t n) {
        free(t->bound);
        t->bound = b;
        t->n_bound = n;
}

struct bounds {
        struct tsdb_log_bound *b;
        size_t n;
        int64_t max_id; /* the file's largest series id */
};

/* One series' part of a log row, rows in order: the bounds grow, and must go forward. */
static int bound_part(int64_t series, const struct store_point *p, size_t n, void *userdata) {
        struct bounds *bs = userdata;
        /* Before the array grows to it: an id of a damaged blob must not size an allocation. */
        if (series >= MAX_SERIES_ID || series > bs->max_id)
                return -EBADMSG;
        if ((size_t) series >= bs->n) {
                size_t cap = (size_t) series + 1 > 2 * bs->n ? (size_t) series + 1 : 2 * bs->n;
                struct tsdb_log_bound *more = realloc(bs->b, cap * sizeof(*more));
                if (!more)
                        return -ENOMEM;
                bounds_clear(more, bs->n, cap);
                bs->b = more;
                bs->n = cap;
        }
        struct tsdb_log_bound *b = &bs->b[series];
        if (b->t0 >= 0 && p[0].t_ms <= b->t_last)
                return -EBADMSG; /* a series' log rows overlap: a damaged file */
        if (b->t0 < 0)
                b->t0 = p[0].t_ms;
        b->t_last = p[n - 1].t_ms;
        return 0;
}

static int bounds_row(const uint8_t *blob, size_t len, void *userdata) {
        return flush_decode(blob, len, 0, bound_part, userdata);
}

/* The bounds of what the log holds now, into a new array. */
static int read_bounds(sqlite3 *db, struct tsdb_log_bound **ret, size_t *ret_n) {
        sqlite3_stmt *st;
        struct bounds bs = { 0 };
        int r = tsdb_query_int(db, "SELECT coalesce(max(id), 0) FROM series", &bs.max_id);
        if (r < 0)
                return r;
        r = tsdb_prepare(db, "SELECT codec, blob FROM log ORDER BY id", &st);
        r = tsdb_each_log_blob(st, r, bounds_row, &bs);
        if (r < 0) {
                free(bs.b);
                return r;
        }
        *ret = bs.b;
        *ret_n = bs.n;
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

/* The series of every part exist: -ENOENT. */
static int parts_exist(struct tsdb *t, const struct flush_part *f, size_t n) {
        int r = 0;
        for (size_t i = 0; i < n && r == 0; i++)
                r = tsdb_series_exists(t, f[i].series);
        return r;
}

/* After the series' last logged point, or when it has none after its last chunk. */
static int log_after(struct tsdb *t, struct tsdb_log_bound *b, const struct flush_part *f) {
        int64_t end = b[f->series].t_last;
        int r = 0;
        if (b[f->series].t0 < 0)
                r = tsdb_chunk_end(t->db, f->series, INT64_MAX, &end);
        if (r == 0 && end >= f->p[0].t_ms)
                r = -EEXIST;
        if (r == 0) {
                if (b[f->series].t0 < 0)
                        b[f->series].t0 = f->p[0].t_ms;
                b[f->series].t_last = f->p[f->n - 1].t_ms;
        }
        return r;
}

static int insert_flush(struct tsdb *t, const struct flush_part *parts, size_t n) {
        int64_t t0 = INT64_MAX, t_last = 0;
        for (size_t i = 0; i < n; i++) {
                t0 = parts[i].p[0].t_ms < t0 ? parts[i].p[0].t_ms : t0;
                t_last = parts[i].p[parts[i].n - 1].t_ms > t_last ? parts[i].p[parts[i].n - 1].t_ms : t_last;
        }
        uint8_t *blob;
        size_t len;
        int r = flush_encode(parts, n, &blob, &len);
        if (r < 0)
                return r;
        sqlite3_stmt *st = NULL;
        r = tsdb_kept(t, TSDB_KEPT_LOG_INSERT, &st);
        if (r == 0)
                r = tsdb_bind2(st, t0, t_last);
        if (r == 0)
                r = tsdb_errno(sqlite3_bind_int(st, 3, CHUNK_CODEC_FLUSH));
        if (r == 0)
                r = tsdb_errno(sqlite3_bind_blob64(st, 4, blob, len, SQLITE_STATIC));
        if (r == 0)
                r = tsdb_errno(sqlite3_step(st));
        tsdb_kept_done(st); /* before the blob it points to goes */
        free(blob);
        return r;
}

static int by_series(const void *a, const void *b) {
        const struct flush_part *x = a, *y = b;
        return (x->series > y->series) - (x->series < y->series);
}

/* The flush's parts in series order, each id a series' that can index the bounds: -ENOENT. */
static struct flush_part *sorted_parts(const struct tsdb_chunk_in *c, size_t n, int64_t *ret_max, int *ret_r) {
        struct flush_part *f = malloc(n * sizeof(*f));
        *ret_r = f ? 0 : -ENOMEM;
        for (size_t i = 0; f && i < n; i++) {
                if (c[i].series <= 0 || c[i].series >= MAX_SERIES_ID)
                        *ret_r = -ENOENT;
                f[i] = (struct flush_part) { c[i].series, c[i].p, c[i].n };
        }
        if (*ret_r == 0) {
                qsort(f, n, sizeof(*f), by_series);
                for (size_t i = 1; i < n; i++)
                        if (f[i].series == f[i - 1].series)
                                *ret_r = -EINVAL; /* one part a series in a flush */
                *ret_max = f[n - 1].series;
        }
        if (*ret_r < 0) {
                free(f);
                return NULL;
        }
        return f;
}

int tsdb_log(struct tsdb *t, const struct tsdb_chunk_in *c, size_t n) {
        int r = tsdb_check_batch(c, n);
        if (r == 0 && n > FLUSH_MAX_PARTS)
                r = -EINVAL;
        if (r < 0)
                return r;
        int64_t max_id = 0;
        struct flush_part *f = sorted_parts(c, n, &max_id, &r);
        if (!f)
                return r;
        /* The bounds change in a copy, kept only when the flush commits; sized by ids known to exist. */
        size_t n_b = 0;
        struct tsdb_log_bound *b = NULL;
        r = tsdb_kept_run(t, TSDB_KEPT_BEGIN);
        if (r == 0) {
                r = parts_exist(t, f, n);
                if (r == 0 && !(b = bounds_copy(t, max_id, &n_b)))
                        r = -ENOMEM;
                for (size_t i = 0; i < n && r == 0; i++)
                        r = log_after(t, b, &f[i]);
                if (r == 0)
                        r = insert_flush(t, f, n);
                r = tsdb_kept_end(t, r);
        }
        free(f);
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
        int r = tsdb_append_one(s->t, &(const struct tsdb_chunk_in) { s->series, s->p, s->n }, false);
        s->points += (int64_t) s->n;
        s->n = 0;
        return r;
}

/* The series' part of one log row after what is gathered; a full chunk seals what is there. */
static int sealing_add(int64_t series, const struct store_point *p, size_t n, void *userdata) {
        struct sealing *s = userdata;
        int r = s->n + n > CHUNK_MAX_POINTS ? sealing_flush(s) : 0;
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

struct rows {
        uint8_t **blob;
        size_t *len, n, cap;
};

static void rows_free(struct rows *rs) {
        for (size_t i = 0; i < rs->n; i++)
                free(rs->blob[i]);
        free(rs->blob);
        free(rs->len);
}

/* The last id of the rows to seal: those before the first row that does not end before before. Not
 * every row that ends before it: a later row may end early (one series' points) after an earlier one
 * holding that series' earlier points ends late (another's), and sealing it alone would put a chunk
 * after logged points. INT64_MIN when none. */
static int seal_end(sqlite3 *db, int64_t before, int64_t *ret) {
        sqlite3_stmt *st;
        int r = tsdb_prepare(db, "SELECT (SELECT min(id) FROM log WHERE t_last >= ?1), (SELECT max(id) FROM log)", &st);
        if (r == 0)
                r = tsdb_errno(sqlite3_bind_int64(st, 1, before));
        if (r == 0) {
                int rc = sqlite3_step(st);
                r = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -EIO : tsdb_errno(rc);
        }
        if (r == 0) {
                if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
                        int64_t first = sqlite3_column_int64(st, 0);
                        *ret = first == INT64_MIN ? INT64_MIN : first - 1;
                } else
                        *ret = sqlite3_column_type(st, 1) != SQLITE_NULL ? sqlite3_column_int64(st, 1) : INT64_MIN;
        }
        sqlite3_finalize(st);
        return r;
}

/* One log row's blob, copied out of SQLite. */
static int keep_row(const uint8_t *blob, size_t len, void *userdata) {
        struct rows *rs = userdata;
        if (rs->n == rs->cap) {
                size_t cap = rs->cap ? 2 * rs->cap : 64;
                uint8_t **b = realloc(rs->blob, cap * sizeof(*b));
                if (!b)
                        return -ENOMEM;
                rs->blob = b;
                size_t *l = realloc(rs->len, cap * sizeof(*l));
                if (!l)
                        return -ENOMEM;
                rs->len = l;
                rs->cap = cap;
        }
        uint8_t *copy = malloc(len);
        if (!copy)
                return -ENOMEM;
        memcpy(copy, blob, len);
        rs->blob[rs->n] = copy;
        rs->len[rs->n++] = len;
        return 0;
}

/* The blobs of the log rows up to id last, in order. */
static int read_rows(sqlite3 *db, int64_t last, struct rows *rs) {
        sqlite3_stmt *st;
        int r = tsdb_prepare(db, "SELECT codec, blob FROM log WHERE id <= ?1 ORDER BY id", &st);
        if (r == 0)
                r = tsdb_errno(sqlite3_bind_int64(st, 1, last));
        return tsdb_each_log_blob(st, r, keep_row, rs);
}

/* Series by series (those the log holds, in id order), each one's parts of every row, as chunks.
 * A reader a row, each part read once: skipping the other series' parts row after row for each
 * series cost series x rows x parts. */
static int seal_rows(struct sealing *s, const struct rows *rs) {
        struct flush_reader *rd = rs->n ? malloc(rs->n * sizeof(*rd)) : NULL;
        int r = rs->n && !rd ? -ENOMEM : 0;
        for (size_t i = 0; i < rs->n && r == 0; i++)
                r = flush_reader_init(&rd[i], rs->blob[i], rs->len[i]);
        for (size_t id = 1; id < s->t->n_bound && r == 0; id++) {
                if (s->t->bound[id].t0 < 0)
                        continue;
                for (size_t i = 0; i < rs->n && r == 0; i++) {
                        int q = flush_next(&rd[i], (int64_t) id, sealing_add, s);
                        r = q < 0 ? q : 0;
                }
                if (r == 0)
                        r = sealing_flush(s);
        }
        /* A part left unread is of a series without bounds: not the rows the bounds were read from. */
        for (size_t i = 0; i < rs->n && r == 0; i++)
                if (rd[i].left > 0 || rd[i].pos != rd[i].len)
                        r = -EBADMSG;
        free(rd);
        return r;
}

int tsdb_seal(struct tsdb *t, int64_t before_ms, int64_t *ret_points) {
        struct sealing s = { .t = t };
        struct rows rs = { 0 };
        struct tsdb_log_bound *b = NULL;
        size_t n_b = 0;
        sqlite3_stmt *st = NULL;
        int r = tsdb_begin(t->db);
        if (r < 0)
                return r;
        int64_t last = INT64_MIN;
        r = seal_end(t->db, before_ms, &last);
        if (r == 0)
                r = read_rows(t->db, last, &rs);
        if (r == 0)
                r = seal_rows(&s, &rs);
        rows_free(&rs);
        free(s.p);
        if (r == 0)
                r = tsdb_prepare(t->db, "DELETE FROM log WHERE id <= ?1", &st);
        if (r == 0)
                r = tsdb_errno(sqlite3_bind_int64(st, 1, last));
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
