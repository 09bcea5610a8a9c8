/* SPDX-License-Identifier: MIT */
/* Per-interval values and counter arithmetic shared by the collectors. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct SeriesSummary {
        double min, avg, max, p95;
        size_t n;
        double span;             /* sum of the weights: for rates, the seconds the intervals cover */
        double w_min, w_max;     /* the smallest and largest weight (the shortest and longest interval) */
} SeriesSummary;

/* min/avg/max/p95 of n values each weighted by w[i] (NULL: all 1); n == 0 gives all zero. avg is the
 * weighted mean, so for rates (delta_i / dt_i weighted by dt_i) it is the window's total delta over its
 * total time, whatever the lengths of the intervals. p95 is the weighted nearest rank: the smallest
 * value such that values up to it carry at least 95 % of the weight (of the time, for rates); with
 * equal weights that is the plain nearest rank. min and max are the extreme values whatever their
 * weight: a short interval's rate is noisier, which w_min/w_max let a reader see. */
SeriesSummary series_summarize_weighted(const double *v, const double *w, size_t n);
static inline SeriesSummary series_summarize(const double *v, size_t n) {
        return series_summarize_weighted(v, NULL, n);
}

/* The running summary of one series in memory that does not grow with the window: count, weighted
 * sum (so avg is exact: total delta over total time for rates), min, max, the extreme weights, and
 * for p95 the first SERIES_EXACT_MAX (value, weight) pairs, so a series that short summarises exactly
 * as series_summarize_weighted. Beyond that the pairs move into a log-linear histogram
 * (histogram.h; values at 1/SERIES_HIST_SCALE resolution, 2 significant digits down to 1/64 of the
 * largest value at the switch and steps of 1/16384 of it below, negative values counted as 0,
 * weights at 1/1000 resolution) and p95 is that histogram's weighted nearest rank. */
#define SERIES_EXACT_MAX 32
#define SERIES_HIST_SCALE 1000.0

struct Histogram;

typedef struct SeriesStat {
        size_t n;
        double sum, span, min, max, w_min, w_max;
        double *v, *w;            /* the first values, up to SERIES_EXACT_MAX; NULL once in h */
        size_t cap;
        struct Histogram *h;      /* sized to the values seen (grown on demand: memory follows the range) */
        uint64_t h_highest;
        unsigned h_shift;         /* values go into h divided by 2^h_shift (set at the switch) */
} SeriesStat;

int series_stat_add(SeriesStat *s, double v, double w);

/* A series a collector summarises itself (values computed at each sample): fixed-size as above. */
typedef SeriesStat Series;
/* A value of weight 1 (a gauge read at a sample). */
static inline int series_push(Series *s, double v) {
        return series_stat_add(s, v, 1.0);
}
/* The rate delta / dt of one interval, weighted by dt (> 0). */
static inline int series_push_rate(Series *s, double delta, double dt) {
        return series_stat_add(s, delta / dt, dt);
}
SeriesSummary series_stat_summary(const SeriesStat *s);
/* Bytes the summary holds (constant once the histogram exists). */
size_t series_stat_memory(const SeriesStat *s);
void series_stat_free(SeriesStat *s);
static inline void series_free(Series *s) {
        series_stat_free(s);
}

/* Delta of a cumulative kernel counter. A smaller value is a 32-bit wrap when the old value was in the
 * upper half of the 32-bit range (unsigned long counters on 32-bit kernels), otherwise a reset (device
 * re-attached, module reloaded): then there is no valid delta and the interval is skipped. */
bool counter_delta(uint64_t prev, uint64_t cur, uint64_t *ret);

/* Grow an array of n elements of size sz to hold at least one more (amortized doubling). */
int array_reserve(void **arr, size_t *cap, size_t n, size_t sz);
