/* SPDX-License-Identifier: MIT */
/* `skytune bench`'s text: a skytune.bench-suite/1 document (suite/suite-json.c) as its benchmarks,
 * metrics and gates. A member absent or of the wrong type shows as "-". */
#pragma once

#include <jansson.h>
#include <stdio.h>

#include "error.h"

/* 0, or -EIO when writing failed. */
int render_bench_suite(FILE *f, const json_t *doc);
/* `bench run`: a skytune.bench-run/1 document as each benchmark's metrics with their median, spread
 * (MAD / median) and repetitions. */
int render_bench_run(FILE *f, const json_t *doc);
/* `bench compare`: a skytune.bench-compare/1 document as the fingerprint differences, one line per
 * metric (medians, ratio with its interval, Holm-adjusted p, verdict, gate) and the summary. */
int render_bench_compare(FILE *f, const json_t *doc);
/* `bench trends`: a skytune.bench-trends/1 document as one line per change (magnitude, better or
 * worse, means, the first run after it) with the fingerprint fields and the skytune transactions
 * that changed near it (unknown, none, or each applied and rolled back one). */
int render_bench_trends(FILE *f, const json_t *doc);
/* How many series of a skytune.bench-trends/1 document say changes_capped. */
size_t bench_trends_capped_series(const json_t *doc);
/* JUnit XML of a comparison: one test case per gate (failed: what was observed and allowed). */
int render_bench_junit(FILE *f, const json_t *doc, Error *e);
