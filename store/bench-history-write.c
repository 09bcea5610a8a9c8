/* SPDX-License-Identifier: MIT */
/* A run into the history in one transaction, and retention by age and count. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "bench-history-internal.h"
#include "schema.h"

typedef struct Writer {
        sqlite3 *db;
        int64_t run;
        sqlite3_stmt *bench, *rep, *metric, *sample;
} Writer;

static const char *text(const json_t *o, const char *key) {
        return json_string_value(json_object_get(o, key));
}

static int step(sqlite3_stmt *st) {
        int r = tsdb_errno(sqlite3_step(st));
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return r;
}

static int add_metric(Writer *w, int bench, int pos, const json_t *m) {
        const json_t *gate = json_object_get(m, "gate"), *samples = json_object_get(m, "samples");
        if (!text(m, "name") || !text(m, "unit") || !json_is_array(samples))
                return -EINVAL;
        sqlite3_bind_int64(w->metric, 1, w->run);
        sqlite3_bind_int(w->metric, 2, bench);
        sqlite3_bind_int(w->metric, 3, pos);
        sqlite3_bind_text(w->metric, 4, text(m, "name"), -1, SQLITE_STATIC);
        sqlite3_bind_text(w->metric, 5, text(m, "unit"), -1, SQLITE_STATIC);
        sqlite3_bind_int(w->metric, 6, json_is_true(json_object_get(m, "higher_is_better")));
        if (gate) {
                sqlite3_bind_double(w->metric, 7, json_number_value(json_object_get(gate, "max_regression")));
                sqlite3_bind_double(w->metric, 8, json_number_value(json_object_get(gate, "alpha")));
        }
        int r = step(w->metric);
        size_t i;
        const json_t *v;
        json_array_foreach(samples, i, v) {
                if (r < 0)
                        break;
                sqlite3_bind_int64(w->sample, 1, w->run);
                sqlite3_bind_int(w->sample, 2, bench);
                sqlite3_bind_int(w->sample, 3, pos);
                sqlite3_bind_int64(w->sample, 4, (sqlite3_int64) i);
                if (json_is_number(v)) /* NAN is null in JSON and in SQL */
                        sqlite3_bind_double(w->sample, 5, json_number_value(v));
                r = step(w->sample);
        }
        return r;
}

static int add_bench(Writer *w, int pos, const json_t *b) {
        const json_t *reps = json_object_get(b, "repetition_started_us"), *metrics = json_object_get(b, "metrics");
        if (!text(b, "name") || !text(b, "kind") || !text(b, "config_digest") || !json_is_array(reps) ||
            !json_is_array(metrics))
                return -EINVAL;
        sqlite3_bind_int64(w->bench, 1, w->run);
        sqlite3_bind_int(w->bench, 2, pos);
        sqlite3_bind_text(w->bench, 3, text(b, "name"), -1, SQLITE_STATIC);
        sqlite3_bind_text(w->bench, 4, text(b, "kind"), -1, SQLITE_STATIC);
        sqlite3_bind_text(w->bench, 5, text(b, "config_digest"), -1, SQLITE_STATIC);
        int r = step(w->bench);
        size_t i;
        const json_t *v;
        json_array_foreach(reps, i, v) {
                if (r < 0)
                        return r;
                sqlite3_bind_int64(w->rep, 1, w->run);
                sqlite3_bind_int(w->rep, 2, pos);
                sqlite3_bind_int64(w->rep, 3, (sqlite3_int64) i);
                sqlite3_bind_int64(w->rep, 4, json_integer_value(v));
                r = step(w->rep);
        }
        json_array_foreach(metrics, i, v) {
                if (r < 0)
                        return r;
                r = add_metric(w, pos, (int) i, v);
        }
        return r;
}

static int add_run(Writer *w, const json_t *run) {
        sqlite3_stmt *st = NULL;
        char *fp = json_dumps(json_object_get(run, "fingerprint"), JSON_COMPACT | JSON_SORT_KEYS);
        int r = fp ? tsdb_prepare(w->db,
                                  "INSERT INTO run(suite, suite_digest, started_us, finished_us, skytune_version,"
                                  " fingerprint) VALUES(?, ?, ?, ?, ?, ?)",
                                  &st)
                   : -EINVAL;
        if (r == 0) {
                sqlite3_bind_text(st, 1, text(run, "suite"), -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 2, text(run, "suite_digest"), -1, SQLITE_STATIC);
                sqlite3_bind_int64(st, 3, json_integer_value(json_object_get(run, "started_us")));
                sqlite3_bind_int64(st, 4, json_integer_value(json_object_get(run, "finished_us")));
                sqlite3_bind_text(st, 5, text(run, "skytune_version"), -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 6, fp, -1, SQLITE_STATIC);
                r = tsdb_errno(sqlite3_step(st));
                w->run = sqlite3_last_insert_rowid(w->db);
        }
        sqlite3_finalize(st);
        free(fp);
        return r;
}

int bench_history_add(BenchHistory *h, const json_t *run, int64_t *ret_id) {
        const json_t *benches = json_object_get(run, "benchmarks");
        if (!text(run, "suite") || !text(run, "suite_digest") || !text(run, "skytune_version") ||
            !json_is_array(benches))
                return -EINVAL;
        Writer w = { .db = h->db };
        int r = tsdb_begin(h->db);
        if (r < 0)
                return r;
        r = add_run(&w, run);
        if (r == 0)
                r = tsdb_prepare(h->db, "INSERT INTO bench VALUES(?, ?, ?, ?, ?)", &w.bench);
        if (r == 0)
                r = tsdb_prepare(h->db, "INSERT INTO repetition VALUES(?, ?, ?, ?)", &w.rep);
        if (r == 0)
                r = tsdb_prepare(h->db, "INSERT INTO metric VALUES(?, ?, ?, ?, ?, ?, ?, ?)", &w.metric);
        if (r == 0)
                r = tsdb_prepare(h->db, "INSERT INTO sample VALUES(?, ?, ?, ?, ?)", &w.sample);
        size_t i;
        const json_t *b;
        json_array_foreach(benches, i, b) {
                if (r < 0)
                        break;
                r = add_bench(&w, (int) i, b);
        }
        sqlite3_finalize(w.bench);
        sqlite3_finalize(w.rep);
        sqlite3_finalize(w.metric);
        sqlite3_finalize(w.sample);
        r = tsdb_end(h->db, r);
        if (r == 0 && ret_id)
                *ret_id = w.run;
        return r;
}

int bench_history_prune(BenchHistory *h, const char *suite, int64_t older_than_us, unsigned keep_runs,
                        unsigned *ret_deleted) {
        sqlite3_stmt *st;
        int r = tsdb_begin(h->db);
        if (r == 0)
                r = tsdb_prepare(h->db,
                                 "DELETE FROM run WHERE suite = ?1 AND (started_us < ?2 OR (?3 > 0 AND id NOT IN"
                                 " (SELECT id FROM run WHERE suite = ?1 ORDER BY started_us DESC, id DESC LIMIT ?3)))"
                                 " AND id NOT IN (SELECT run FROM baseline)",
                                 &st);
        if (r == 0) {
                sqlite3_bind_text(st, 1, suite, -1, SQLITE_STATIC);
                sqlite3_bind_int64(st, 2, older_than_us);
                sqlite3_bind_int64(st, 3, keep_runs);
                r = tsdb_errno(sqlite3_step(st));
                if (r == 0 && ret_deleted)
                        *ret_deleted = (unsigned) sqlite3_changes(h->db);
                sqlite3_finalize(st);
        }
        return tsdb_end(h->db, r);
}
