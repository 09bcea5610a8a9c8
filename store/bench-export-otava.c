/* SPDX-License-Identifier: MIT */
/* --format otava: the CSV Otava (formerly Hunter) reads with `type: csv`: a "time" column (UTC,
 * "YYYY-MM-DD HH:MM:SS +0000"), then one column per BENCH.METRIC in the order they first appear,
 * each cell that run's median (empty when it had no measured sample or not that metric). The
 * columns are known only after the last run, so the rows are kept and written at the end. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-export-internal.h"

/* The metric's median into cells under BENCH.METRIC, the column into x->columns (first seen first). */
static int put_cell(BenchExport *x, json_t *cells, const json_t *b, const json_t *m) {
        BenchSummary s;
        int r = bench_export_summary(m, &s);
        if (r < 0 || s.n == 0)
                return r;
        json_t *col = json_sprintf("%s.%s", json_string_value(json_object_get(b, "name")),
                                   json_string_value(json_object_get(m, "name")));
        if (!col || json_object_set_new(cells, json_string_value(col), json_real(s.median)) < 0 ||
            json_object_set_new(x->columns, json_string_value(col), json_true()) < 0)
                r = -ENOMEM;
        json_decref(col);
        return r;
}

static int otava_run(BenchExport *x, const json_t *run) {
        if (!x->rows && (!(x->rows = json_array()) || !(x->columns = json_object())))
                return error_set(x->e, -ENOMEM, "cannot build the CSV: out of memory");
        json_t *cells = json_object(), *b, *m;
        size_t i, k;
        int r = cells ? 0 : -ENOMEM;
        json_array_foreach(json_object_get(run, "benchmarks"), i, b) {
                json_array_foreach(json_object_get(b, "metrics"), k, m) {
                        if (r == 0)
                                r = put_cell(x, cells, b, m);
                }
        }
        if (r < 0)
                json_decref(cells);
        else if (json_array_append_new(
                         x->rows, json_pack("{s:O, s:o}", "time", json_object_get(run, "started_us"), "cells", cells)) <
                 0)
                r = -ENOMEM; /* cells went with json_pack */
        return r < 0 ? error_set(x->e, r, "cannot build the CSV: out of memory") : 0;
}

/* A CSV field: quoted (with "" for ") when it holds a comma, a quote or a line break. */
static void field(FILE *out, const char *s) {
        if (!strpbrk(s, ",\"\r\n")) {
                fputs(s, out);
                return;
        }
        fputc('"', out);
        for (; *s; s++) {
                if (*s == '"')
                        fputc('"', out);
                fputc(*s, out);
        }
        fputc('"', out);
}

/* v in the fewest digits that read back as v. */
static void number(FILE *out, double v) {
        char buf[32];
        for (int digits = 15; digits <= 17; digits++) {
                snprintf(buf, sizeof(buf), "%.*g", digits, v);
                if (strtod(buf, NULL) == v)
                        break;
        }
        fputs(buf, out);
}

static int otava_end(BenchExport *x) {
        const char *col;
        json_t *v, *row;
        size_t i;
        fputs("time", x->out);
        json_object_foreach(x->columns, col, v) {
                fputc(',', x->out);
                field(x->out, col);
        }
        fputc('\n', x->out);
        json_array_foreach(x->rows, i, row) {
                time_t t = (time_t) (json_integer_value(json_object_get(row, "time")) / 1000000);
                struct tm tm;
                char stamp[64];
                strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S +0000", gmtime_r(&t, &tm));
                fputs(stamp, x->out);
                json_object_foreach(x->columns, col, v) {
                        const json_t *cell = json_object_get(json_object_get(row, "cells"), col);
                        fputc(',', x->out);
                        if (cell)
                                number(x->out, json_real_value(cell));
                }
                fputc('\n', x->out);
        }
        return ferror(x->out) ? error_set(x->e, -EIO, "cannot write the export: %m") : 0;
}

const BenchExportFormat bench_export_otava = {
        .name = "otava",
        .run = otava_run,
        .end = otava_end,
};
