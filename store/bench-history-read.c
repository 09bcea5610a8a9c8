/* SPDX-License-Identifier: MIT */
/* Runs out of the history as skytune.bench-run/1 documents, and which runs are the newest. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "bench-history-internal.h"
#include "macro.h"
#include "schema.h"

/* The end of a loop over rows: rc the last step's code, r what the loop found. */
static int rows_done(sqlite3_stmt *st, int r, int rc) {
        if (r == 0)
                r = tsdb_errno(rc);
        sqlite3_finalize(st);
        return r;
}

/* The statement sql, its ?1 bound to run. */
static int run_rows(sqlite3 *db, const char *sql, int64_t run, sqlite3_stmt **ret) {
        int r = tsdb_prepare(db, sql, ret);
        if (r == 0)
                sqlite3_bind_int64(*ret, 1, run);
        return r;
}

static json_t *col_text(sqlite3_stmt *st, int i) {
        const unsigned char *t = sqlite3_column_text(st, i);
        return t ? json_string((const char *) t) : json_null();
}

/* A JSON array kept as text; anything else (NULL, damaged) is null: unknown. */
static json_t *col_json_array(sqlite3_stmt *st, int i) {
        const unsigned char *t = sqlite3_column_text(st, i);
        json_t *v = t ? json_loads((const char *) t, 0, NULL) : NULL;
        if (json_is_array(v))
                return v;
        json_decref(v);
        return json_null();
}

/* Each row's first column appended to the array that the row's (bench, metric) names: a sample or
 * a repetition's start. */
static int fill_arrays(sqlite3 *db, const char *sql, int64_t run, json_t *benches, bool samples) {
        sqlite3_stmt *st;
        int r = run_rows(db, sql, run, &st), rc;
        if (r < 0)
                return r;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                json_t *b = json_array_get(benches, (size_t) sqlite3_column_int(st, 1)), *to;
                if (samples)
                        to = json_object_get(
                                json_array_get(json_object_get(b, "metrics"), (size_t) sqlite3_column_int(st, 2)),
                                "samples");
                else
                        to = json_object_get(b, "repetition_started_us");
                json_t *v = sqlite3_column_type(st, 0) == SQLITE_NULL ? json_null()
                        : samples                                     ? json_real(sqlite3_column_double(st, 0))
                                                                      : json_integer(sqlite3_column_int64(st, 0));
                if (!to || json_array_append_new(to, v) < 0) {
                        r = -EBADMSG;
                        break;
                }
        }
        return rows_done(st, r, rc);
}

static int add_metrics(sqlite3 *db, int64_t run, json_t *benches) {
        sqlite3_stmt *st;
        int r = run_rows(db,
                         "SELECT bench, name, unit, higher_is_better, max_regression, alpha FROM metric"
                         " WHERE run = ? ORDER BY bench, pos",
                         run, &st),
            rc;
        if (r < 0)
                return r;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                json_t *metrics =
                        json_object_get(json_array_get(benches, (size_t) sqlite3_column_int(st, 0)), "metrics");
                json_t *m = json_pack("{s:o, s:o, s:b, s:[]}", "name", col_text(st, 1), "unit", col_text(st, 2),
                                      "higher_is_better", sqlite3_column_int(st, 3), "samples");
                if (m && sqlite3_column_type(st, 4) != SQLITE_NULL)
                        json_object_set_new(m, "gate",
                                            json_pack("{s:f, s:f}", "max_regression", sqlite3_column_double(st, 4),
                                                      "alpha", sqlite3_column_double(st, 5)));
                if (!metrics || json_array_append_new(metrics, m) < 0) {
                        r = -EBADMSG;
                        break;
                }
        }
        return rows_done(st, r, rc);
}

/* Each benchmark's histograms: one entry per repetition, null where none was kept. */
static int add_histograms(sqlite3 *db, int64_t run, json_t *benches) {
        size_t i;
        json_t *b;
        json_array_foreach(benches, i, b) {
                json_t *h = json_array();
                for (size_t k = 0; h && k < json_array_size(json_object_get(b, "repetition_started_us")); k++)
                        json_array_append_new(h, json_null());
                if (!h || json_object_set_new(b, "histograms", h) < 0)
                        return -ENOMEM;
        }
        sqlite3_stmt *st;
        int r = run_rows(db, "SELECT bench, idx, name, data FROM histogram WHERE run = ? ORDER BY bench, idx, name",
                         run, &st),
            rc;
        if (r < 0)
                return r;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                json_t *h = json_object_get(json_array_get(benches, (size_t) sqlite3_column_int(st, 0)), "histograms");
                size_t idx = (size_t) sqlite3_column_int64(st, 1);
                json_t *set = json_array_get(h, idx);
                if (json_is_null(set) && json_array_set_new(h, idx, json_object()) == 0)
                        set = json_array_get(h, idx);
                if (!json_is_object(set) ||
                    json_object_set_new(set, (const char *) sqlite3_column_text(st, 2), col_text(st, 3)) < 0) {
                        r = -EBADMSG;
                        break;
                }
        }
        return rows_done(st, r, rc);
}

static int add_benches(sqlite3 *db, int64_t run, json_t *doc, int64_t version) {
        json_t *benches = json_object_get(doc, "benchmarks");
        sqlite3_stmt *st;
        int r = tsdb_prepare(db, "SELECT name, kind, config_digest FROM bench WHERE run = ? ORDER BY pos", &st), rc;
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, run);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                if (json_array_append_new(benches,
                                          json_pack("{s:o, s:o, s:o, s:[], s:[]}", "name", col_text(st, 0), "kind",
                                                    col_text(st, 1), "config_digest", col_text(st, 2),
                                                    "repetition_started_us", "metrics")) < 0) {
                        r = -ENOMEM;
                        break;
                }
        r = rows_done(st, r, rc);
        if (r == 0)
                r = add_metrics(db, run, benches);
        if (r == 0)
                r = fill_arrays(db, "SELECT started_us, bench FROM repetition WHERE run = ? ORDER BY bench, idx", run,
                                benches, false);
        if (r == 0)
                r = fill_arrays(db, "SELECT value, bench, metric FROM sample WHERE run = ? ORDER BY bench, metric, idx",
                                run, benches, true);
        if (r == 0 && version >= 2)
                r = add_histograms(db, run, benches);
        return r;
}

int bench_history_get(BenchHistory *h, int64_t id, json_t **ret) {
        sqlite3_stmt *st;
        /* A version 1 or 2 file opened to read has no transactions column: unknown (null). */
        int r = tsdb_prepare(h->db,
                             h->version >= 3 ? "SELECT suite, suite_digest, started_us, finished_us, skytune_version,"
                                               " fingerprint, transactions FROM run WHERE id = ?"
                                             : "SELECT suite, suite_digest, started_us, finished_us, skytune_version,"
                                               " fingerprint, NULL FROM run WHERE id = ?",
                             &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        int rc = sqlite3_step(st);
        json_t *doc = NULL;
        if (rc == SQLITE_ROW) {
                const unsigned char *fp = sqlite3_column_text(st, 5);
                json_t *fingerprint = fp ? json_loads((const char *) fp, 0, NULL) : NULL;
                doc = json_pack("{s:s, s:I, s:o, s:o, s:I, s:I, s:o, s:o, s:[]}", "schema", BENCH_RUN_SCHEMA, "id",
                                (json_int_t) id, "suite", col_text(st, 0), "suite_digest", col_text(st, 1),
                                "started_us", (json_int_t) sqlite3_column_int64(st, 2), "finished_us",
                                (json_int_t) sqlite3_column_int64(st, 3), "skytune_version", col_text(st, 4),
                                "fingerprint", fingerprint ? fingerprint : json_object(), "benchmarks");
                r = doc ? 0 : -ENOMEM;
                if (r == 0)
                        r = json_object_set_new(doc, "transactions", col_json_array(st, 6)) < 0 ? -ENOMEM : 0;
        } else
                r = rc == SQLITE_DONE ? -ENOENT : tsdb_errno(rc);
        sqlite3_finalize(st);
        if (r == 0)
                r = add_benches(h->db, id, doc, h->version);
        if (r < 0) {
                json_decref(doc);
                return r;
        }
        *ret = doc;
        return 0;
}

int bench_history_last(BenchHistory *h, const char *suite, size_t n, int64_t *ids, size_t *ret_n) {
        sqlite3_stmt *st;
        int r = tsdb_prepare(h->db,
                             "SELECT id FROM run WHERE ?1 IS NULL OR suite = ?1 ORDER BY started_us DESC, id DESC"
                             " LIMIT ?2",
                             &st),
            rc;
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, suite, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, (sqlite3_int64) n);
        size_t k = 0;
        while (k < n && (rc = sqlite3_step(st)) == SQLITE_ROW)
                ids[k++] = sqlite3_column_int64(st, 0);
        r = k == n ? 0 : tsdb_errno(rc);
        sqlite3_finalize(st);
        *ret_n = k;
        return r;
}

int bench_history_window(BenchHistory *h, const char *suite, int64_t since_us, size_t max, json_t *runs,
                         bool *ret_capped) {
        int64_t *ids = malloc((max + 1) * sizeof(*ids));
        sqlite3_stmt *st = NULL;
        int r = ids ? tsdb_prepare(h->db,
                                   "SELECT id FROM run WHERE suite = ?1 AND started_us >= ?2"
                                   " ORDER BY started_us DESC, id DESC LIMIT ?3",
                                   &st)
                    : -ENOMEM,
            rc = SQLITE_DONE;
        size_t k = 0;
        if (r == 0) {
                sqlite3_bind_text(st, 1, suite, -1, SQLITE_STATIC);
                sqlite3_bind_int64(st, 2, since_us);
                sqlite3_bind_int64(st, 3, (sqlite3_int64) max + 1); /* one more: were there more? */
                while (k <= max && (rc = sqlite3_step(st)) == SQLITE_ROW)
                        ids[k++] = sqlite3_column_int64(st, 0);
                r = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : tsdb_errno(rc);
        }
        sqlite3_finalize(st);
        *ret_capped = k > max;
        for (size_t i = MIN(k, max); r == 0 && i > 0; i--) {
                json_t *run = NULL;
                if ((r = bench_history_get(h, ids[i - 1], &run)) == 0 && json_array_append_new(runs, run) < 0)
                        r = -ENOMEM;
        }
        free(ids);
        return r;
}
