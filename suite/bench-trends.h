/* SPDX-License-Identifier: MIT */
/* `bench trends` (docs/bench.md): change points over a suite's runs. Per benchmark metric each
 * run's median (in time order) goes through changepoint_detect; each change names the first run
 * after it, the fingerprint fields and the transactions (bench-tx.h) that differ from the run
 * before; each series keeps its points and segments for the trend report. Pure: no I/O. */
#pragma once

#include <jansson.h>
#include <stddef.h>

#include "error.h"

/* The most changes kept per series: past it a series says "changes_capped" (the first ones kept). */
#define BENCH_TRENDS_MAX_CHANGES 32

typedef struct BenchTrendsOptions {
        const char *metric; /* only this metric (NULL: all) */
        size_t min_segment; /* 0 means CHANGEPOINT_MIN_SEGMENT */
} BenchTrendsOptions;

/* runs: skytune.bench-run/1 documents (with "id") in time order. *ret gets the
 * skytune.bench-trends/1 document without its "suite" and "days" (the caller's). -ENOMEM,
 * -EINVAL (runs not an array). */
int bench_trends(const json_t *runs, const BenchTrendsOptions *o, json_t **ret, Error *e);
