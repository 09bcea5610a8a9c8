/* SPDX-License-Identifier: MIT */
/* Times the change-point detection behind `skytune bench trends`: 5 metrics x 1000 runs of seeded
 * synthetic medians (5 % noise, three shifts each), in process; prints the median of 7 passes.
 * Target: <= 200 ms. Then how well it places shifts: +10 %, -8 %, +12 % at 40, 80, 120 of 160 runs
 * over 200 seeds, against an oracle that is told there is exactly one change between the true
 * neighbours (least squares there): the share within 2 runs is the data's limit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "changepoint.h"
#include "stats.h"

#define RUNS    1000
#define METRICS 5
#define PASSES  7

static double now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

/* Least-squares place of the one change in v[lo..hi). */
static size_t oracle(const double *v, size_t lo, size_t hi) {
        double total = 0, left = 0, best = -1;
        size_t at = lo;
        for (size_t i = lo; i < hi; i++)
                total += v[i];
        for (size_t k = lo + 1; k < hi; k++) {
                left += v[k - 1];
                double nl = (double) (k - lo), nr = (double) (hi - k), d = left / nl - (total - left) / nr;
                if (nl * nr * d * d > best) {
                        best = nl * nr * d * d;
                        at = k;
                }
        }
        return at;
}

static void placement(void) {
        const size_t at[5] = { 0, 40, 80, 120, 160 };
        const double level[4] = { 1.0, 1.10, 1.10 * 0.92, 1.10 * 0.92 * 1.12 };
        unsigned ours = 0, best = 0, shifts = 0, wrong = 0;
        for (uint64_t seed = 1; seed <= 200; seed++) {
                double v[160];
                StatsRng r;
                stats_rng_seed(&r, seed);
                for (size_t i = 0; i < 160; i++)
                        v[i] = 1000.0 * level[(i >= 40) + (i >= 80) + (i >= 120)] * (1.0 + 0.05 * stats_rng_gauss(&r));
                ChangePoint cp[8];
                size_t n = 0;
                ChangePointOptions o = { .seed = seed };
                if (changepoint_detect(v, 160, &o, cp, 8, &n) < 0 || n != 3)
                        wrong++;
                for (size_t k = 1; k <= 3; k++, shifts++) {
                        best += labs((long) oracle(v, at[k - 1], at[k + 1]) - (long) at[k]) <= 2;
                        for (size_t j = 0; j < n; j++)
                                ours += labs((long) cp[j].index - (long) at[k]) <= 2;
                }
        }
        printf("bench-trends: shifts placed within 2 runs: %.1f %% (oracle %.1f %%) of %u; %u of 200 series gave "
               "other than 3 changes\n",
               100.0 * ours / shifts, 100.0 * best / shifts, shifts, wrong);
}

int main(void) {
        static double v[METRICS][RUNS];
        StatsRng r;
        stats_rng_seed(&r, 1);
        for (size_t m = 0; m < METRICS; m++)
                for (size_t i = 0; i < RUNS; i++) {
                        double g = stats_rng_gauss(&r);
                        double level = 1.0 + (i >= 250 ? 0.10 : 0) - (i >= 500 ? 0.08 : 0) + (i >= 750 ? 0.12 : 0);
                        v[m][i] = 1000.0 * level * (1.0 + 0.05 * g);
                }
        double t[PASSES];
        size_t found = 0;
        for (int p = 0; p < PASSES; p++) {
                double t0 = now_ms();
                found = 0;
                for (size_t m = 0; m < METRICS; m++) {
                        ChangePoint cp[64];
                        size_t n = 0;
                        ChangePointOptions o = { .seed = m };
                        if (changepoint_detect(v[m], RUNS, &o, cp, 64, &n) < 0)
                                return 1;
                        found += n;
                }
                t[p] = now_ms() - t0;
        }
        printf("bench-trends: detection over %d metrics x %d runs: median %.1f ms of %d passes (%zu changes found, 15 "
               "put)\n",
               METRICS, RUNS, stats_median(t, PASSES), PASSES, found);
        placement();
        return 0;
}
