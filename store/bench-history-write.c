/* SPDX-License-Identifier: MIT */
/* A run into the history in one transaction, an export's lines in one (import), and retention by
 * age and count. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench-export.h"
#include "bench-history-internal.h"
#include "schema.h"

typedef struct Writer {
        sqlite3 *db;
        int64_t run;
        sqlite3_stmt *bench, *rep, *metric, *sample, *histogram;
        Error *e;
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

static int add_metric(Writer *w, const json_t *b, int bench, int pos, const json_t *m) {
        const json_t *gate = json_object_get(m, "gate"), *samples = json_object_get(m, "samples");
        size_t reps = json_array_size(json_object_get(b, "repetition_started_us"));
        if (!text(m, "name") || !text(m, "unit") || !json_is_array(samples))
                return -EINVAL;
        /* Import refuses such a run: it must not get in (one sample each, null when not measured). */
        if (json_array_size(samples) != reps)
                return error_set(w->e, -EINVAL, "benchmark %s, metric %s: %zu samples for %zu repetitions",
                                 text(b, "name"), text(m, "name"), json_array_size(samples), reps);
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

/* histograms: one entry per kept repetition, an object of name -> encoded histogram, or null. */
static int add_histograms(Writer *w, int bench, const json_t *histograms) {
        if (!histograms)
                return 0;
        if (!json_is_array(histograms))
                return -EINVAL;
        size_t i;
        const json_t *set;
        int r = 0;
        json_array_foreach(histograms, i, set) {
                const char *name;
                const json_t *data;
                if (!json_is_null(set) && !json_is_object(set))
                        return -EINVAL;
                json_object_foreach((json_t *) set, name, data) {
                        if (!json_is_string(data))
                                return -EINVAL;
                        sqlite3_bind_int64(w->histogram, 1, w->run);
                        sqlite3_bind_int(w->histogram, 2, bench);
                        sqlite3_bind_int64(w->histogram, 3, (sqlite3_int64) i);
                        sqlite3_bind_text(w->histogram, 4, name, -1, SQLITE_STATIC);
                        sqlite3_bind_text(w->histogram, 5, json_string_value(data), -1, SQLITE_STATIC);
                        if ((r = step(w->histogram)) < 0)
                                return r;
                }
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
                r = add_metric(w, b, pos, (int) i, v);
        }
        const json_t *h = json_object_get(b, "histograms");
        if (r == 0 && json_array_size(h) > json_array_size(reps))
                return -EINVAL; /* a histogram of a repetition that is not there */
        return r < 0 ? r : add_histograms(w, pos, h);
}

static int add_run(Writer *w, const json_t *run) {
        sqlite3_stmt *st = NULL;
        char *fp = json_dumps(json_object_get(run, "fingerprint"), JSON_COMPACT | JSON_SORT_KEYS);
        const json_t *txs = json_object_get(run, "transactions");
        char *tx = json_is_array(txs) ? json_dumps(txs, JSON_COMPACT) : NULL; /* else unknown: NULL */
        int r = !fp || (json_is_array(txs) && !tx) ? -EINVAL
                                                   : tsdb_prepare(w->db,
                                                                  "INSERT INTO run(suite, suite_digest, started_us,"
                                                                  " finished_us, skytune_version, fingerprint,"
                                                                  " transactions) VALUES(?, ?, ?, ?, ?, ?, ?)",
                                                                  &st);
        if (r == 0) {
                sqlite3_bind_text(st, 1, text(run, "suite"), -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 2, text(run, "suite_digest"), -1, SQLITE_STATIC);
                sqlite3_bind_int64(st, 3, json_integer_value(json_object_get(run, "started_us")));
                sqlite3_bind_int64(st, 4, json_integer_value(json_object_get(run, "finished_us")));
                sqlite3_bind_text(st, 5, text(run, "skytune_version"), -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 6, fp, -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 7, tx, -1, SQLITE_STATIC); /* NULL binds SQL NULL */
                r = tsdb_errno(sqlite3_step(st));
                w->run = sqlite3_last_insert_rowid(w->db);
        }
        sqlite3_finalize(st);
        free(fp);
        free(tx);
        return r;
}

/* The run into the history inside the caller's transaction (add and import share it). */
static int write_run(sqlite3 *db, const json_t *run, int64_t *ret_id, Error *e) {
        const json_t *benches = json_object_get(run, "benchmarks");
        if (!text(run, "suite") || !text(run, "suite_digest") || !text(run, "skytune_version") ||
            !json_is_array(benches))
                return -EINVAL;
        Writer w = { .db = db, .e = e };
        int r = add_run(&w, run);
        if (r == 0)
                r = tsdb_prepare(db, "INSERT INTO bench VALUES(?, ?, ?, ?, ?)", &w.bench);
        if (r == 0)
                r = tsdb_prepare(db, "INSERT INTO repetition VALUES(?, ?, ?, ?)", &w.rep);
        if (r == 0)
                r = tsdb_prepare(db, "INSERT INTO metric VALUES(?, ?, ?, ?, ?, ?, ?, ?)", &w.metric);
        if (r == 0)
                r = tsdb_prepare(db, "INSERT INTO sample VALUES(?, ?, ?, ?, ?)", &w.sample);
        if (r == 0)
                r = tsdb_prepare(db, "INSERT INTO histogram VALUES(?, ?, ?, ?, ?)", &w.histogram);
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
        sqlite3_finalize(w.histogram);
        if (r == 0 && ret_id)
                *ret_id = w.run;
        return r;
}

int bench_history_add(BenchHistory *h, const json_t *run, int64_t *ret_id, Error *e) {
        int64_t id = 0;
        int r = tsdb_begin(h->db);
        if (r < 0)
                return r;
        r = tsdb_end(h->db, write_run(h->db, run, &id, e));
        if (r == 0 && ret_id)
                *ret_id = id;
        return r;
}

/* The id of the suite's run that started at key.started_us with key.suite_digest: -ENOENT when none. */
static int find_run(sqlite3 *db, const char *suite, const json_t *key, int64_t *ret) {
        sqlite3_stmt *st;
        int r = tsdb_prepare(db,
                             "SELECT id FROM run WHERE suite = ? AND started_us = ? AND suite_digest = ?"
                             " ORDER BY id LIMIT 1",
                             &st);
        if (r == 0) {
                sqlite3_bind_text(st, 1, suite, -1, SQLITE_STATIC);
                sqlite3_bind_int64(st, 2, json_integer_value(json_object_get(key, "started_us")));
                sqlite3_bind_text(st, 3, text(key, "suite_digest"), -1, SQLITE_STATIC);
                r = tsdb_step_int(st, ret);
        }
        sqlite3_finalize(st);
        return r;
}

/* A baseline line: its runs must be in the history by now (earlier lines or before the import). */
static int import_baseline(sqlite3 *db, const json_t *bl, const char *file, unsigned line, BenchImportCounts *n,
                           Error *e) {
        const char *suite = text(bl, "suite");
        const json_t *prev = json_object_get(bl, "previous");
        int64_t run, previous = 0;
        int r = find_run(db, suite, json_object_get(bl, "run"), &run);
        if (r == 0 && json_is_object(prev))
                r = find_run(db, suite, prev, &previous);
        if (r == -ENOENT)
                return error_set_input(e, -EINVAL, file, line,
                                       "baseline %s of suite %s: its run or previous run is neither on an earlier"
                                       " line nor in the history: export the runs with it",
                                       text(bl, "name"), suite);
        sqlite3_stmt *st = NULL;
        if (r == 0)
                r = tsdb_prepare(db,
                                 "INSERT INTO baseline(suite, name, run, set_us, accepted, previous)"
                                 " VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(suite, name) DO NOTHING",
                                 &st);
        if (r == 0) {
                sqlite3_bind_text(st, 1, suite, -1, SQLITE_STATIC);
                sqlite3_bind_text(st, 2, text(bl, "name"), -1, SQLITE_STATIC);
                sqlite3_bind_int64(st, 3, run);
                sqlite3_bind_int64(st, 4, json_integer_value(json_object_get(bl, "set_us")));
                sqlite3_bind_int(st, 5, json_is_true(json_object_get(bl, "accepted")));
                if (json_is_object(prev))
                        sqlite3_bind_int64(st, 6, previous);
                r = tsdb_errno(sqlite3_step(st));
                if (r == 0 && sqlite3_changes(db) == 0)
                        n->baselines_skipped++;
                else if (r == 0)
                        n->baselines++;
        }
        sqlite3_finalize(st);
        return r;
}

typedef struct Import {
        sqlite3 *db;
        const char *file;
        BenchImportCounts n;
} Import;

static int import_line(void *userdata, const char *line, size_t len, unsigned lineno, Error *e) {
        Import *im = userdata;
        json_t *doc = NULL;
        BenchLineKind kind;
        int64_t id;
        int r = bench_import_parse_line(line, len, im->file, lineno, &doc, &kind, e);
        if (r == 0 && kind == BENCH_LINE_BASELINE)
                r = import_baseline(im->db, doc, im->file, lineno, &im->n, e);
        else if (r == 0 && (r = find_run(im->db, text(doc, "suite"), doc, &id)) == 0)
                im->n.runs_skipped++;
        else if (r == -ENOENT && (r = write_run(im->db, doc, NULL, e)) == 0)
                im->n.runs++;
        if (r < 0 && !error_is_set(e))
                error_set_input(e, r, im->file, lineno, "cannot write it into the history: %s", strerror(-r));
        json_decref(doc);
        return r;
}

int bench_history_import(BenchHistory *h, FILE *in, const char *file, BenchImportCounts *ret, Error *e) {
        Import im = { .db = h->db, .file = file };
        int r = tsdb_begin(h->db);
        if (r == 0)
                r = bench_import_lines(in, file, import_line, &im, e);
        r = tsdb_end(h->db, r);
        if (r < 0 && !error_is_set(e))
                return error_set(e, r, "cannot commit the import of %s into the history: %s", file, strerror(-r));
        if (r == 0 && ret)
                *ret = im.n;
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
