/* SPDX-License-Identifier: MIT */
/* The export formats as a table, and the loop that hands them the runs oldest first. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench-export-internal.h"
#include "bench-history-internal.h"
#include "macro.h"

static const BenchExportFormat *const formats[] = {
        &bench_export_skytune,
        &bench_export_asv,
        &bench_export_otava,
        &bench_export_bencher,
};

const BenchExportFormat *bench_export_format(const char *name) {
        for (size_t i = 0; name && i < ELEMENTSOF(formats); i++)
                if (strcmp(formats[i]->name, name) == 0)
                        return formats[i];
        return NULL;
}

const char *bench_export_format_names(void) {
        return "skytune|asv|otava|bencher";
}

bool bench_export_all_suites(const BenchExportFormat *f) {
        return f->all_suites;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

/* The q-quantile of sorted v[0..n) by linear interpolation between closest ranks. */
static double quantile(const double *v, size_t n, double q) {
        double at = q * (double) (n - 1);
        size_t lo = (size_t) at;
        return lo + 1 < n ? v[lo] + (at - (double) lo) * (v[lo + 1] - v[lo]) : v[lo];
}

int bench_export_summary(const json_t *metric, BenchSummary *ret) {
        const json_t *samples = json_object_get(metric, "samples"), *s;
        double *v = malloc((json_array_size(samples) + 1) * sizeof(*v));
        if (!v)
                return -ENOMEM;
        size_t i, n = 0;
        json_array_foreach(samples, i, s)
                if (json_is_number(s))
                        v[n++] = json_number_value(s);
        *ret = (BenchSummary) { .n = n, .median = NAN, .min = NAN, .max = NAN, .q25 = NAN, .q75 = NAN };
        if (n > 0) {
                qsort(v, n, sizeof(*v), cmp_double);
                *ret = (BenchSummary) { .n = n,
                                        .median = quantile(v, n, 0.5),
                                        .min = v[0],
                                        .max = v[n - 1],
                                        .q25 = quantile(v, n, 0.25),
                                        .q75 = quantile(v, n, 0.75) };
        }
        free(v);
        return 0;
}

int bench_export_line(BenchExport *x, const json_t *doc) {
        if (json_dumpf(doc, x->out, JSON_COMPACT) < 0 || fputc('\n', x->out) == EOF)
                return error_set(x->e, -EIO, "cannot write the export: %m");
        return 0;
}

/* The ids of o's runs, oldest first (started, then id). */
static int run_ids(BenchHistory *h, const BenchExportOptions *o, int64_t **ret, size_t *ret_n) {
        sqlite3_stmt *st;
        int r = tsdb_prepare(h->db,
                             "SELECT id FROM run WHERE (?1 IS NULL OR suite = ?1) AND started_us >= ?2"
                             " ORDER BY started_us, id",
                             &st),
            rc;
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, o->suite, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, o->since_us);
        int64_t *ids = NULL;
        size_t n = 0, cap = 0;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                if (n == cap) {
                        int64_t *p = realloc(ids, (cap = cap ? cap * 2 : 256) * sizeof(*ids));
                        if (!p) {
                                r = -ENOMEM;
                                break;
                        }
                        ids = p;
                }
                ids[n++] = sqlite3_column_int64(st, 0);
        }
        if (r == 0)
                r = tsdb_errno(rc);
        sqlite3_finalize(st);
        if (r < 0) {
                free(ids);
                return r;
        }
        *ret = ids;
        *ret_n = n;
        return 0;
}

int bench_history_export(BenchHistory *h, const BenchExportFormat *f, const BenchExportOptions *o, FILE *out,
                         size_t *ret_runs, Error *e) {
        BenchExport x = { .h = h, .out = out, .o = o, .e = e };
        int64_t *ids = NULL;
        size_t n = 0;
        int r = run_ids(h, o, &ids, &n);
        if (r < 0)
                return error_set(e, r, "cannot list the runs of the history: %s", strerror(-r));
        for (size_t i = 0; r == 0 && i < n; i++) {
                json_t *run = NULL;
                if ((r = bench_history_get(h, ids[i], &run)) < 0) {
                        error_set(e, r, "cannot read run %" PRId64 " of the history: %s", ids[i], strerror(-r));
                        break;
                }
                json_object_del(run, "id"); /* the history's own: an import gives its own */
                r = f->run(&x, run);
                json_decref(run);
        }
        if (r == 0 && f->end)
                r = f->end(&x);
        json_decref(x.rows);
        json_decref(x.columns);
        free(ids);
        if (r == 0 && (fflush(out) == EOF || ferror(out)))
                r = error_set(e, -EIO, "cannot write the export: %m");
        if (r == 0 && ret_runs)
                *ret_runs = n;
        return r;
}
