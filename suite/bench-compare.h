/* SPDX-License-Identifier: MIT */
/* Comparing two runs of a suite (skytune.bench-run/1 documents, baseline A and candidate B): per
 * metric the medians, the ratio B/A with a bootstrap interval, the Mann-Whitney p-value, Holm's
 * correction across all the comparison's metrics, a verdict (improved, regressed, same, or unknown
 * with the repetitions that could decide) against a noise threshold, and the gates B's suite set.
 * Pure: documents in, a skytune.bench-compare/1 document out (common/stats.h does the statistics). */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "error.h"

#define BENCH_DEFAULT_NOISE 0.02 /* 2 %: the threshold when no A/A comparison measured a larger one */

typedef struct BenchCompareOptions {
        bool force;         /* compare across different hard fingerprint fields */
        double noise;       /* relative noise floor; 0: BENCH_DEFAULT_NOISE */
        const json_t *aa;   /* a run of A's configuration again (A/A): its spread per metric raises the
                                 * threshold of that metric; NULL: none */
        unsigned resamples; /* bootstrap resamples; 0: 2000 */
} BenchCompareOptions;

/* 0 and *ret the comparison; -EXDEV when hard fingerprint fields or a benchmark's config digest
 * differ and not force (*e names them); -EINVAL for a document without its members. */
int bench_compare_runs(const json_t *a, const json_t *b, const BenchCompareOptions *o, json_t **ret, Error *e);
/* How many of the comparison's gates have status ("failed", "passed", "unknown"). */
size_t bench_compare_gates(const json_t *cmp, const char *status);
/* How many of the comparison's gates failed. */
size_t bench_compare_failed_gates(const json_t *cmp);
