/* SPDX-License-Identifier: MIT */
/* Expected values were computed independently with SciPy 1.10.1 (Debian 12 python3-scipy):
 *   scipy.stats.mannwhitneyu(a, b, alternative='two-sided', method='exact' | 'asymptotic',
 *                            use_continuity=True)
 * which reports U of the first sample (pairs a > b, ties one half) and the two-sided p-value, and
 * by hand where noted. */
#include <math.h>
#include <string.h>

#include "stats.h"
#include "support.h"

#define assert_near(x, y, tol) assert_true(fabs((double) (x) - (double) (y)) <= (tol))

static void test_rng_reference(void **state) {
        /* splitmix64 from seed 0 gives e220a8397b1dcdaf 6e789e6aa1b965f4 ... (the published
         * splitmix64 sequence); xoshiro256** from that state, computed with a separate Python
         * transcription of the algorithm: 99ec5f36cb75f2b4 bf6e1f784956452a 1a5f849d4933e6e0. */
        StatsRng r;
        stats_rng_seed(&r, 0);
        assert_true(r.s[0] == UINT64_C(0xe220a8397b1dcdaf));
        assert_true(r.s[1] == UINT64_C(0x6e789e6aa1b965f4));
        assert_true(stats_rng_next(&r) == UINT64_C(0x99ec5f36cb75f2b4));
        assert_true(stats_rng_next(&r) == UINT64_C(0xbf6e1f784956452a));
        assert_true(stats_rng_next(&r) == UINT64_C(0x1a5f849d4933e6e0));

        /* Uniform, bounded and exponential draws behave. */
        stats_rng_seed(&r, 42);
        double sum = 0, esum = 0;
        unsigned hist[7] = {};
        for (unsigned i = 0; i < 70000; i++) {
                double u = stats_rng_uniform(&r);
                assert_true(u >= 0 && u < 1);
                sum += u;
                hist[stats_rng_below(&r, 7)]++;
                esum += stats_rng_exponential(&r, 2.0);
        }
        assert_near(sum / 70000, 0.5, 0.01);
        /* Gaussian: mean 0, deviation 1, about 68 % within one deviation; the same for the same seed. */
        double g = 0, g2 = 0;
        unsigned within = 0;
        for (unsigned i = 0; i < 70000; i++) {
                double x = stats_rng_gauss(&r);
                g += x;
                g2 += x * x;
                within += fabs(x) < 1;
        }
        assert_near(g / 70000, 0, 0.02);
        assert_near(sqrt(g2 / 70000), 1, 0.02);
        assert_near(within / 70000.0, 0.6827, 0.01);
        StatsRng a, b;
        stats_rng_seed(&a, 7);
        stats_rng_seed(&b, 7);
        for (int i = 0; i < 10; i++)
                assert_true(stats_rng_gauss(&a) == stats_rng_gauss(&b));
        assert_near(esum / 70000, 2.0, 0.05);
        for (unsigned i = 0; i < 7; i++)
                assert_near(hist[i], 10000, 400);
}

static void test_median_mad(void **state) {
        const double odd[] = { 5, 1, 3 }, even[] = { 4, 1, 3, 2 };
        assert_true(stats_median(odd, 3) == 3);
        assert_true(stats_median(even, 4) == 2.5);
        assert_true(isnan(stats_median(odd, 0)));
        /* |x - 2.5| = 1.5 0.5 0.5 1.5 -> median 1 -> 1.4826 */
        assert_near(stats_mad(even, 4), 1.4826, 1e-12);
}

static void test_mwu_small_exact(void **state) {
        /* Hand: pairs a > b: 19->3, 22->4, 16->2, 29->4, 24->4 = 17. SciPy exact p = 0.1111111111
         * (= 2 * 7/126), asymptotic p = 0.11134688653314041. */
        const double a[] = { 19, 22, 16, 29, 24 }, b[] = { 20, 11, 17, 12 };
        MannWhitney m;
        assert_int_equal(stats_mann_whitney(a, 5, b, 4, &m), 0);
        assert_true(m.exact);
        assert_false(m.ties);
        assert_true(m.u_a == 17);
        assert_true(m.u_b == 3);
        assert_near(m.p, 0.1111111111111111, 1e-12);
        assert_int_equal(stats_mann_whitney_asymptotic(a, 5, b, 4, &m), 0);
        assert_false(m.exact);
        assert_near(m.p, 0.11134688653314041, 1e-9);
        /* Swapping the sides gives the other U and the same p. */
        assert_int_equal(stats_mann_whitney(b, 4, a, 5, &m), 0);
        assert_true(m.u_a == 3);
        assert_near(m.p, 0.1111111111111111, 1e-12);
}

static void test_mwu_separated(void **state) {
        /* Complete separation: the smallest p an exact test can give. SciPy exact: n=5 -> 2/252 =
         * 0.007936507936507936, n=3 -> 2/20 = 0.1 (so 3 rounds a side can never be significant). */
        const double a[] = { 1, 2, 3, 4, 5 }, b[] = { 6, 7, 8, 9, 10 };
        MannWhitney m;
        assert_int_equal(stats_mann_whitney(a, 5, b, 5, &m), 0);
        assert_true(m.u_a == 0);
        assert_near(m.p, 0.007936507936507936, 1e-12);
        assert_int_equal(stats_mann_whitney_asymptotic(a, 5, b, 5, &m), 0);
        assert_near(m.p, 0.012185780355344813, 1e-9);
        assert_int_equal(stats_mann_whitney(a, 3, b, 3, &m), 0);
        assert_near(m.p, 0.1, 1e-12);
        assert_int_equal(stats_mann_whitney_asymptotic(a, 3, b, 3, &m), 0);
        assert_near(m.p, 0.08085559837005224, 1e-9);
}

static void test_mwu_ties(void **state) {
        /* Ties force the normal approximation with the tie correction. SciPy asymptotic: U = 12,
         * p = 0.022974224429824126. */
        const double a[] = { 1, 2, 2, 3, 4, 5, 5, 6 }, b[] = { 3, 4, 4, 6, 7, 8, 8, 9, 10 };
        MannWhitney m;
        assert_int_equal(stats_mann_whitney(a, 8, b, 9, &m), 0);
        assert_true(m.ties);
        assert_false(m.exact);
        assert_true(m.u_a == 12);
        assert_near(m.p, 0.022974224429824126, 1e-9);

        /* All values equal: no evidence at all. */
        const double same[] = { 1, 1, 1 };
        assert_int_equal(stats_mann_whitney(same, 3, same, 3, &m), 0);
        assert_true(m.p == 1);
        assert_true(m.u_a == 4.5);
}

static void test_mwu_ten(void **state) {
        /* Ten a side, real-valued, no ties. SciPy: U = 74, exact p = 0.07525601333650869,
         * asymptotic p = 0.07544160545694574. */
        const double a[] = { 1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30, 2.01 };
        const double b[] = { 0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29, 0.95 };
        MannWhitney m;
        /* b has ties (1.06, 1.29 twice), so the default uses the normal approximation. */
        assert_int_equal(stats_mann_whitney(a, 10, b, 10, &m), 0);
        assert_true(m.ties);
        assert_true(m.u_a == 74);
        assert_int_equal(stats_mann_whitney_asymptotic(a, 10, b, 10, &m), 0);
        assert_near(m.p, 0.07544160545694574, 1e-9);
        /* Break the ties a hair and the exact path matches SciPy's exact value. */
        const double b2[] = { 0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.0601, 3.14, 1.2901, 0.95 };
        assert_int_equal(stats_mann_whitney(a, 10, b2, 10, &m), 0);
        assert_true(m.exact);
        assert_true(m.u_a == 74);
        assert_near(m.p, 0.07525601333650869, 1e-12);

        const double bad[] = { NAN };
        assert_int_equal(stats_mann_whitney(a, 10, bad, 1, &m), -EINVAL);
        assert_int_equal(stats_mann_whitney(a, 0, b, 10, &m), -EINVAL);
}

static void fill(double *v, size_t n, double center, double spread, uint64_t seed) {
        StatsRng r;
        stats_rng_seed(&r, seed);
        for (size_t i = 0; i < n; i++)
                v[i] = center * (1 + spread * (2 * stats_rng_uniform(&r) - 1));
}

static void test_bootstrap(void **state) {
        double a[12], b[12];
        fill(a, 12, 100, 0.01, 1);
        fill(b, 12, 120, 0.01, 2);
        double lo, hi, lo2, hi2;
        assert_int_equal(stats_bootstrap_ratio_ci(a, 12, b, 12, 0.95, 5000, 7, &lo, &hi), 0);
        assert_true(lo <= hi);
        assert_true(lo > 1.17 && hi < 1.23); /* true ratio 1.2, 1 % noise */
        double ratio = stats_median(b, 12) / stats_median(a, 12);
        assert_true(lo <= ratio && ratio <= hi);
        /* Deterministic under a seed. */
        assert_int_equal(stats_bootstrap_ratio_ci(a, 12, b, 12, 0.95, 5000, 7, &lo2, &hi2), 0);
        assert_true(lo == lo2 && hi == hi2);
        /* A wider level gives a wider interval. */
        assert_int_equal(stats_bootstrap_ratio_ci(a, 12, b, 12, 0.50, 5000, 7, &lo2, &hi2), 0);
        assert_true(lo2 >= lo && hi2 <= hi);
        /* Identical single values: a point interval at the exact ratio. */
        const double x[] = { 4 }, y[] = { 5 };
        assert_int_equal(stats_bootstrap_ratio_ci(x, 1, y, 1, 0.95, 100, 1, &lo, &hi), 0);
        assert_true(lo == 1.25 && hi == 1.25);
        /* A baseline that did nothing (failed rounds count 0): an infinite gain, not an error. */
        const double zero[] = { 0, 0 }, neg[] = { -1 };
        assert_int_equal(stats_bootstrap_ratio_ci(zero, 2, y, 1, 0.95, 100, 1, &lo, &hi), 0);
        assert_true(isinf(lo) && isinf(hi));
        assert_int_equal(stats_bootstrap_ratio_ci(zero, 2, zero, 2, 0.95, 100, 1, &lo, &hi), 0);
        assert_true(lo == 1 && hi == 1);
        assert_int_equal(stats_bootstrap_ratio_ci(zero, 2, neg, 1, 0.95, 100, 1, &lo, &hi), -EDOM);
}

static void test_verdicts(void **state) {
        double a[10], b[10];
        Comparison c;
        CompareOptions o = { .higher_is_better = true, .seed = 3 };

        /* +10 % throughput with 1 % noise: improved; the same data as latency: regressed. */
        fill(a, 10, 1000, 0.01, 11);
        fill(b, 10, 1100, 0.01, 12);
        assert_int_equal(stats_compare(a, 10, b, 10, &o, &c), 0);
        assert_int_equal(c.verdict, VERDICT_IMPROVED);
        assert_true(c.mwu.p < 0.001);
        assert_near(c.ratio, 1.1, 0.01);
        assert_true(c.ci_lo > 1.02);
        o.higher_is_better = false;
        assert_int_equal(stats_compare(a, 10, b, 10, &o, &c), 0);
        assert_int_equal(c.verdict, VERDICT_REGRESSED);
        assert_string_equal(verdict_to_string(c.verdict), "regressed");

        /* Same distribution: unchanged (the interval stays inside +-2 %). */
        fill(b, 10, 1000, 0.01, 13);
        assert_int_equal(stats_compare(a, 10, b, 10, &o, &c), 0);
        assert_int_equal(c.verdict, VERDICT_UNCHANGED);

        /* A real but tiny change (+1 %) with little noise: significant, yet below the 2 % floor. */
        fill(b, 10, 1010, 0.002, 14);
        fill(a, 10, 1000, 0.002, 15);
        assert_int_equal(stats_compare(a, 10, b, 10, &o, &c), 0);
        assert_true(c.mwu.p < 0.05);
        assert_int_equal(c.verdict, VERDICT_UNCHANGED);

        /* The A/A spread raises the threshold: +10 % is within the noise when A/A runs spread 15 %,
         * and cannot be told from a 10 % threshold (the interval straddles it). */
        fill(a, 10, 1000, 0.01, 11);
        fill(b, 10, 1100, 0.01, 12);
        o.aa_spread = 0.15;
        assert_int_equal(stats_compare(a, 10, b, 10, &o, &c), 0);
        assert_true(c.threshold == 0.15);
        assert_int_equal(c.verdict, VERDICT_UNCHANGED);
        o.aa_spread = 0.10;
        assert_int_equal(stats_compare(a, 10, b, 10, &o, &c), 0);
        assert_true(c.ci_lo < 1.10 && c.ci_hi > 1.10);
        assert_int_equal(c.verdict, VERDICT_INCONCLUSIVE);
        assert_true(c.more_rounds >= 1);
        o.aa_spread = 0;

        /* Too few rounds: inconclusive, and says how many more are needed. */
        assert_int_equal(stats_compare(a, 3, b, 3, &o, &c), 0);
        assert_int_equal(c.verdict, VERDICT_INCONCLUSIVE);
        assert_true(c.more_rounds >= 2);

        /* Too few, noisy rounds against a tiny noise floor: the advice stays bounded (the helper
         * refuses a record with more than 10^6). */
        {
                const double na[] = { 10, 13, 7 }, nb[] = { 11, 8, 14 };
                CompareOptions tiny = { .higher_is_better = true, .seed = 3, .noise = 0.001 };
                assert_int_equal(stats_compare(na, 3, nb, 3, &tiny, &c), 0);
                assert_int_equal(c.verdict, VERDICT_INCONCLUSIVE);
                assert_true(c.more_rounds >= 2 && c.more_rounds <= 100000);
        }

        /* Very noisy (+-40 %) small samples: inconclusive, many more rounds. */
        fill(a, 6, 1000, 0.4, 21);
        fill(b, 6, 1050, 0.4, 22);
        assert_int_equal(stats_compare(a, 6, b, 6, &o, &c), 0);
        assert_int_equal(c.verdict, VERDICT_INCONCLUSIVE);
        assert_true(c.more_rounds >= 10);

        /* An A/A comparison's spread. */
        fill(a, 10, 1000, 0.05, 31);
        fill(b, 10, 1000, 0.05, 32);
        assert_int_equal(stats_compare(a, 10, b, 10, &o, &c), 0);
        double spread = stats_aa_spread(&c);
        assert_true(spread > 0 && spread < 0.1);
}

static void test_holm(void **state) {
        /* By hand: sorted 0.005 0.01 0.03 0.04 -> x4 x3 x2 x1 = 0.02 0.03 0.06 0.04 -> running max
         * 0.02 0.03 0.06 0.06. (statsmodels multipletests(method='holm') gives the same.) */
        const double p[] = { 0.01, 0.04, 0.03, 0.005, NAN };
        double adj[5];
        assert_int_equal(stats_holm(p, 5, adj), 0);
        assert_near(adj[0], 0.03, 1e-12);
        assert_near(adj[1], 0.06, 1e-12);
        assert_near(adj[2], 0.06, 1e-12);
        assert_near(adj[3], 0.02, 1e-12);
        assert_true(isnan(adj[4]));
        const double big[] = { 0.5, 0.6 };
        assert_int_equal(stats_holm(big, 2, adj), 0);
        assert_true(adj[0] == 1 && adj[1] == 1);

        /* Re-deciding with an adjusted p turns a borderline "improved" into "inconclusive". */
        double a[6] = { 100, 101, 99, 100, 102, 98 }, b[6] = { 110, 111, 109, 110, 112, 108 };
        CompareOptions o = { .higher_is_better = true, .seed = 1, .min_rounds = 5 };
        Comparison c;
        assert_int_equal(stats_compare(a, 6, b, 6, &o, &c), 0);
        assert_int_equal(c.verdict, VERDICT_IMPROVED);
        stats_decide(&c, &o, 0.2);
        assert_int_equal(c.verdict, VERDICT_INCONCLUSIVE);
        /* A +10 % change far beyond the noise, held back only by p: a couple more rounds, not
         * hundreds (log(0.2 / 0.05) / log(3.5) -> 2). */
        assert_int_equal(c.more_rounds, 2);
        stats_decide(&c, &o, c.mwu.p);
        assert_int_equal(c.verdict, VERDICT_IMPROVED);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rng_reference),
                cmocka_unit_test(test_median_mad),
                cmocka_unit_test(test_mwu_small_exact),
                cmocka_unit_test(test_mwu_separated),
                cmocka_unit_test(test_mwu_ties),
                cmocka_unit_test(test_mwu_ten),
                cmocka_unit_test(test_bootstrap),
                cmocka_unit_test(test_verdicts),
                cmocka_unit_test(test_holm),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
