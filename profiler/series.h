/* SPDX-License-Identifier: MIT */
/* Per-interval values and counter arithmetic shared by the collectors. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Series {
        double *v;
        size_t n, cap;
} Series;

int series_push(Series *s, double v);
void series_free(Series *s);

typedef struct SeriesSummary {
        double min, avg, max, p95;
        size_t n;
} SeriesSummary;

/* min/avg/max/p95 (nearest-rank) of n values; n == 0 gives all zero. */
SeriesSummary series_summarize(const double *v, size_t n);

/* Delta of a cumulative kernel counter. A smaller value is a 32-bit wrap when the old value was in the
 * upper half of the 32-bit range (unsigned long counters on 32-bit kernels), otherwise a reset (device
 * re-attached, module reloaded): then there is no valid delta and the interval is skipped. */
bool counter_delta(uint64_t prev, uint64_t cur, uint64_t *ret);

/* Grow an array of n elements of size sz to hold at least one more (amortized doubling). */
int array_reserve(void **arr, size_t *cap, size_t n, size_t sz);
