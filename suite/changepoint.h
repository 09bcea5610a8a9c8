/* SPDX-License-Identifier: MIT */
/* Change points in a series of per-run values (each run's median of one metric, in time order):
 * E-divisive-means style recursive binary segmentation. A segment's best split maximises the
 * between-means statistic n1*n2/n * (mean1 - mean2)^2 computed on ranks (so one wild run is not a
 * change); a permutation test of the segment with a seeded PRNG gives its p-value (reproducible).
 * No split leaves fewer than min_segment runs on either side, so the window's edges get no verdict.
 * Pure functions, no I/O. */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef struct ChangePoint {
        size_t index;       /* first run after the change */
        double mean_before; /* mean of the adjacent segment before (raw values) */
        double mean_after;  /* mean of the adjacent segment after */
        double magnitude;   /* (mean_after - mean_before) / |mean_before| */
        double p;           /* permutation p-value of the split */
} ChangePoint;

typedef struct ChangePointOptions {
        size_t min_segment;    /* 0 means 5 */
        double alpha;          /* 0 means 0.005 */
        unsigned permutations; /* 0 means 999 */
        uint64_t seed;         /* PRNG seed of the permutations */
} ChangePointOptions;

#define CHANGEPOINT_MIN_SEGMENT 5

/* Finds the changes of v[0..n) into ret[0..max) in index order; *ret_n is how many. -EINVAL on NAN
 * values or a NULL argument, -ENOMEM; fewer than 2 * min_segment values give no change (0). More
 * changes than max: the first max are kept and -E2BIG returned. */
int changepoint_detect(const double *v, size_t n, const ChangePointOptions *o, ChangePoint *ret, size_t max,
                       size_t *ret_n);
