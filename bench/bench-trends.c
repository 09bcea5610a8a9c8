/* SPDX-License-Identifier: MIT */
/* Times the change-point detection behind `skytune bench trends`: 5 metrics x 1000 runs of seeded
 * synthetic medians (5 % noise, three shifts each), in process; prints the median of 7 passes.
 * Target: <= 200 ms. */
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

int main(void) {
        static double v[METRICS][RUNS];
        StatsRng r;
        stats_rng_seed(&r, 1);
        for (size_t m = 0; m < METRICS; m++)
                for (size_t i = 0; i < RUNS; i++) {
                        double u1 = stats_rng_uniform(&r), u2 = stats_rng_uniform(&r);
                        double g = sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * M_PI * u2);
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
        return 0;
}
