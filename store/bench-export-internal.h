/* SPDX-License-Identifier: MIT */
/* What the export formats (bench-export-FORMAT.c) share with the loop over the runs (bench-export.c). */
#pragma once

#include "bench-export.h"

typedef struct BenchExport {
        BenchHistory *h;
        FILE *out;
        const BenchExportOptions *o;
        Error *e;
        json_t *rows, *columns; /* a format that writes at the end (otava) keeps its rows here */
} BenchExport;

struct BenchExportFormat {
        const char *name;
        bool all_suites; /* names each run's suite, so one file may hold several */
        /* One run (skytune.bench-run/1 without "id"), oldest first. */
        int (*run)(BenchExport *x, const json_t *run);
        /* After the last run; NULL: nothing to add. */
        int (*end)(BenchExport *x);
};

extern const BenchExportFormat bench_export_skytune, bench_export_asv, bench_export_otava, bench_export_bencher;

/* A metric's measured (non-null) samples: n how many; the rest NAN when n is 0. */
typedef struct BenchSummary {
        size_t n;
        double median, min, max, q25, q75;
} BenchSummary;

int bench_export_summary(const json_t *metric, BenchSummary *ret);
/* doc as one compact line on x->out (with the newline). */
int bench_export_line(BenchExport *x, const json_t *doc);
