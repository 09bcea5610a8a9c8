/* SPDX-License-Identifier: MIT */
/* Known answers for suite/changepoint.c: shifts placed in seeded Gaussian noise are found where
 * they were put, flat series and single spikes give nothing, the edges give no verdict. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "changepoint.h"
#include "stats.h"
#include "support.h"

/* 1000 * level * (1 + 5 % noise) */
static void noisy(double *v, size_t n, uint64_t seed) {
        StatsRng r;
        stats_rng_seed(&r, seed);
        for (size_t i = 0; i < n; i++)
                v[i] = 1000.0 * (1.0 + 0.05 * stats_rng_gauss(&r));
}

/* Three shifts (mag, relative) at 40, 80 and 120 over 160 runs, seeds 1..10: each seed gives
 * exactly three changes, each within 12 runs of where it was put, of its size (within 0.035 plus a
 * tenth), p <= 0.005; returns how many of the 30 were placed within 2 runs. */
static unsigned three_shifts(const double mag[3]) {
        const size_t at[3] = { 40, 80, 120 };
        const double level[4] = { 1.0, 1 + mag[0], (1 + mag[0]) * (1 + mag[1]),
                                  (1 + mag[0]) * (1 + mag[1]) * (1 + mag[2]) };
        unsigned within2 = 0;
        for (uint64_t seed = 1; seed <= 10; seed++) {
                double v[160];
                noisy(v, 160, seed);
                for (size_t i = 0; i < 160; i++)
                        v[i] *= level[(i >= at[0]) + (i >= at[1]) + (i >= at[2])];
                ChangePoint cp[8];
                size_t n;
                ChangePointOptions o = { .seed = seed };
                assert_int_equal(changepoint_detect(v, 160, &o, cp, 8, &n), 0);
                assert_int_equal(n, 3);
                for (size_t k = 0; k < 3; k++) {
                        long off = labs((long) cp[k].index - (long) at[k]);
                        assert_true(off <= 12);
                        within2 += off <= 2;
                        assert_true(fabs(cp[k].magnitude - mag[k]) < 0.035 + 0.1 * fabs(mag[k]));
                        assert_true(cp[k].p <= 0.005);
                }
        }
        return within2;
}

static void test_three_shifts(void **state) {
        (void) state;
        /* Shifts of 3 and 4 sigma of the 5 % noise: every one within 2 runs of where it was put. */
        assert_int_equal(three_shifts((const double[3]) { 0.20, -0.15, 0.20 }), 30);
        /* +10 %, -8 %, +12 % (2, 1.6 and 2.4 sigma): 25 of the 30 within 2 runs. That is the data's
         * limit, not the method's: least squares told that there is exactly one change between the
         * true neighbours places such shifts within 2 runs 94 %, 86 % and 97 % of the time (92 % on
         * average; bench-trends prints both over 200 seeds). Seeds 7 and 9 put the -8 % at 74 and 91. */
        assert_true(three_shifts((const double[3]) { 0.10, -0.08, 0.12 }) >= 25);
}

static void test_flat(void **state) {
        (void) state;
        /* 20 seeds of 200 flat runs with 5 % noise: no change at all. */
        for (uint64_t seed = 100; seed < 120; seed++) {
                double v[200];
                noisy(v, 200, seed);
                ChangePoint cp[8];
                size_t n = 99;
                ChangePointOptions o = { .seed = seed };
                assert_int_equal(changepoint_detect(v, 200, &o, cp, 8, &n), 0);
                assert_int_equal(n, 0);
        }
}

static void test_spikes(void **state) {
        (void) state;
        /* Single runs 3x and 0.2x the level are outliers, not changes. */
        for (uint64_t seed = 200; seed < 210; seed++) {
                double v[100];
                noisy(v, 100, seed);
                v[20] *= 3;
                v[50] *= 0.2;
                v[97] *= 3;
                ChangePoint cp[8];
                size_t n = 99;
                ChangePointOptions o = { .seed = seed };
                assert_int_equal(changepoint_detect(v, 100, &o, cp, 8, &n), 0);
                assert_int_equal(n, 0);
        }
}

static void test_edges(void **state) {
        (void) state;
        /* A +30 % shift 3 runs before the end is inside the minimum segment: no verdict. A shift at
         * exactly min_segment from the end is found. */
        double v[60];
        noisy(v, 60, 7);
        for (size_t i = 57; i < 60; i++)
                v[i] *= 1.3;
        ChangePoint cp[4];
        size_t n = 99;
        assert_int_equal(changepoint_detect(v, 60, NULL, cp, 4, &n), 0);
        assert_int_equal(n, 0);
        noisy(v, 60, 7);
        for (size_t i = 0; i < 60; i++)
                v[i] = 1000 + (i >= 30 ? 300 : 0) + (double) (i % 3);
        assert_int_equal(changepoint_detect(v, 60, NULL, cp, 4, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(cp[0].index, 30);
        /* Too few runs: nothing, not an error; NAN: -EINVAL. */
        assert_int_equal(changepoint_detect(v, 9, NULL, cp, 4, &n), 0);
        assert_int_equal(n, 0);
        v[3] = NAN;
        assert_int_equal(changepoint_detect(v, 60, NULL, cp, 4, &n), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_three_shifts),
                cmocka_unit_test(test_flat),
                cmocka_unit_test(test_spikes),
                cmocka_unit_test(test_edges),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
