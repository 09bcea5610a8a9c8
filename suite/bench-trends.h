/* SPDX-License-Identifier: MIT */
/* `bench trends` (docs/bench.md): change points over a suite's runs. Per benchmark metric each
 * run's median (in time order) goes through changepoint_detect; each change names the first run
 * after it and the fingerprint fields that differ from the run before. Pure: no I/O. */
#pragma once

#include <jansson.h>
#include <stddef.h>

#include "error.h"

typedef struct BenchTrendsOptions {
        const char *metric; /* only this metric (NULL: all) */
        size_t min_segment; /* 0 means CHANGEPOINT_MIN_SEGMENT */
} BenchTrendsOptions;

/* runs: skytune.bench-run/1 documents (with "id") in time order. *ret gets the
 * skytune.bench-trends/1 document without its "suite" and "days" (the caller's). -ENOMEM,
 * -EINVAL (runs not an array). */
int bench_trends(const json_t *runs, const BenchTrendsOptions *o, json_t **ret, Error *e);
