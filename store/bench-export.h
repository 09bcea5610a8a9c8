/* SPDX-License-Identifier: MIT */
/* Export of the benchmark history to the formats other tools read (docs/bench.md, "Export and
 * import"), each format a table entry (bench-export-FORMAT.c), and import of skytune's own export:
 * the whole file in one transaction, runs already there skipped. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bench-history.h"
#include "error.h"

/* The longest line an import reads (a run with its samples and histograms). */
#define BENCH_IMPORT_MAX_LINE (64u << 20)

typedef struct BenchExportFormat BenchExportFormat;

typedef struct BenchExportOptions {
        const char *suite; /* NULL: every suite (only a format that names its suites) */
        int64_t since_us;  /* runs that started before are left out; 0: none */
} BenchExportOptions;

/* The format called name, or NULL. */
const BenchExportFormat *bench_export_format(const char *name);
/* "skytune|asv|otava|bencher", for messages and --help. */
const char *bench_export_format_names(void);
/* Whether the format can hold runs of several suites (skytune) or needs o->suite. */
bool bench_export_all_suites(const BenchExportFormat *f);
/* The runs of o, oldest first, written to out in format f; *ret_runs how many. The error names
 * what failed (a query, a write). */
int bench_history_export(BenchHistory *h, const BenchExportFormat *f, const BenchExportOptions *o, FILE *out,
                         size_t *ret_runs, Error *e);

typedef enum BenchLineKind {
        BENCH_LINE_RUN,      /* a skytune.bench-run/1 document */
        BENCH_LINE_BASELINE, /* a skytune.bench-baseline/1 document */
} BenchLineKind;

/* One line of a skytune export, parsed and checked hard (every member's type, sample counts equal
 * to repetitions, finite or null samples, sizes); -EINVAL with e naming file:lineno and what is
 * wrong (a line of another format says that format is lossy and cannot be imported). */
int bench_import_parse_line(const char *line, size_t len, const char *file, unsigned lineno, json_t **ret,
                            BenchLineKind *ret_kind, Error *e);

typedef struct BenchImportCounts {
        unsigned runs, runs_skipped;           /* imported, and already there (suite, start, digest) */
        unsigned baselines, baselines_skipped; /* imported, and a baseline of that name already there */
} BenchImportCounts;

/* Calls fn on each non-empty line of in (named file in messages) until it fails; -EINVAL for a line
 * over BENCH_IMPORT_MAX_LINE, another negative errno when in cannot be read. */
typedef int (*BenchLineFn)(void *userdata, const char *line, size_t len, unsigned lineno, Error *e);
int bench_import_lines(FILE *in, const char *file, BenchLineFn fn, void *userdata, Error *e);
/* Reads in whole and checks every line as import would, before any history is opened: -EINVAL
 * with e naming file:line. A baseline whose runs are not on earlier lines is refused only when
 * there is no history (history_exists false) that could hold them. */
int bench_import_check(FILE *in, const char *file, bool history_exists, Error *e);

/* Every line of in (named file in messages) into the history in one transaction: all or nothing.
 * -EINVAL: a bad line (e says file:line and what); another negative errno: reading or writing. */
int bench_history_import(BenchHistory *h, FILE *in, const char *file, BenchImportCounts *ret, Error *e);
