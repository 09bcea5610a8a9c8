/* SPDX-License-Identifier: MIT */
/* --format skytune: NDJSON, one skytune.bench-run/1 document per line (every stored member: samples
 * with their nulls, repetition times, fingerprint, digests, gates, units, directions, histograms),
 * then one skytune.bench-baseline/1 line per baseline whose runs are in the export. Lossless:
 * bench import reads it back. */
#include <errno.h>
#include <string.h>

#include "bench-export-internal.h"
#include "bench-history-internal.h"
#include "schema.h"

static int skytune_run(BenchExport *x, const json_t *run) {
        return bench_export_line(x, run);
}

/* {started_us, suite_digest} of run id, or JSON null when it is not in the export (too old). */
static int run_key(BenchExport *x, int64_t id, json_t **ret) {
        sqlite3_stmt *st;
        int r = tsdb_prepare(x->h->db, "SELECT started_us, suite_digest FROM run WHERE id = ?", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        int rc = sqlite3_step(st);
        *ret = json_null();
        if (rc == SQLITE_ROW && sqlite3_column_int64(st, 0) >= x->o->since_us)
                *ret = json_pack("{s:I, s:s}", "started_us", (json_int_t) sqlite3_column_int64(st, 0), "suite_digest",
                                 (const char *) sqlite3_column_text(st, 1));
        r = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : tsdb_errno(rc);
        sqlite3_finalize(st);
        return *ret ? r : -ENOMEM;
}

static int baseline_line(BenchExport *x, const json_t *b) {
        json_t *run = NULL, *prev = NULL;
        const json_t *p = json_object_get(b, "previous");
        int r = run_key(x, json_integer_value(json_object_get(b, "run")), &run);
        if (r == 0 && json_is_integer(p))
                r = run_key(x, json_integer_value(p), &prev);
        if (r == 0 && !json_is_null(run)) {
                json_t *doc = json_pack("{s:s, s:O, s:O, s:O, s:O, s:O, s:O}", "schema", BENCH_BASELINE_SCHEMA, "suite",
                                        json_object_get(b, "suite"), "name", json_object_get(b, "name"), "run", run,
                                        "set_us", json_object_get(b, "set_us"), "accepted",
                                        json_object_get(b, "accepted"), "previous", prev ? prev : json_null());
                r = doc ? bench_export_line(x, doc) : -ENOMEM;
                json_decref(doc);
        }
        json_decref(run);
        json_decref(prev);
        return r;
}

static int skytune_end(BenchExport *x) {
        json_t *list = NULL, *b;
        int r = bench_history_baselines(x->h, &list);
        size_t i;
        json_array_foreach(list, i, b) {
                const char *suite = json_string_value(json_object_get(b, "suite"));
                if (r == 0 && (!x->o->suite || strcmp(x->o->suite, suite) == 0))
                        r = baseline_line(x, b);
        }
        json_decref(list);
        if (r < 0 && !error_is_set(x->e))
                error_set(x->e, r, "cannot read the baselines of the history: %s", strerror(-r));
        return r;
}

const BenchExportFormat bench_export_skytune = {
        .name = "skytune",
        .all_suites = true,
        .run = skytune_run,
        .end = skytune_end,
};
