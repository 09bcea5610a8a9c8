/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdlib.h>

#include "histogram.h"
#include "stats.h"
#include "support.h"

static int cmp_u64(const void *x, const void *y) {
        uint64_t a = *(const uint64_t *) x, b = *(const uint64_t *) y;
        return (a > b) - (a < b);
}

/* Exact nearest-rank percentile of sorted values. */
static uint64_t exact_pct(const uint64_t *s, size_t n, double p) {
        size_t rank = (size_t) ceil(p / 100 * (double) n);
        return s[rank ? rank - 1 : 0];
}

static void check_percentiles(unsigned digits, uint64_t seed) {
        enum { N = 100000 };
        Histogram *h = NULL;
        assert_int_equal(histogram_new(UINT64_C(3600000000000), digits, &h), 0);   /* 1 h in ns */
        uint64_t *v = malloc(N * sizeof(uint64_t));
        assert_non_null(v);
        StatsRng r;
        stats_rng_seed(&r, seed);
        for (size_t i = 0; i < N; i++) {
                /* Log-uniform over 1 ns .. 10 s, the span of real latencies. */
                v[i] = (uint64_t) exp(stats_rng_uniform(&r) * log(1e10));
                histogram_record(h, v[i]);
        }
        qsort(v, N, sizeof(uint64_t), cmp_u64);
        double tol = pow(10, -(double) digits);
        const double ps[] = { 1, 10, 50, 90, 95, 99, 99.9, 99.99 };
        for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
                uint64_t want = exact_pct(v, N, ps[i]), got = histogram_percentile(h, ps[i]);
                /* Reported as the bucket's top: never below the exact value, at most 10^-d above. */
                assert_true(got >= want);
                assert_true((double) (got - want) <= tol * (double) want + 1);
        }
        assert_true(histogram_percentile(h, 100) == v[N - 1]);
        assert_true(histogram_percentile(h, 0) == v[0]);
        assert_true(histogram_min(h) == v[0]);
        assert_true(histogram_max(h) == v[N - 1]);
        assert_int_equal(histogram_count(h), N);
        free(v);
        histogram_free(h);
}

static void test_percentiles_within_error(void **state) {
        check_percentiles(2, 1);
        check_percentiles(3, 2);
        check_percentiles(4, 3);
}

static void test_exact_small_values(void **state) {
        Histogram *h = NULL;
        assert_int_equal(histogram_new(1000000, 3, &h), 0);
        for (uint64_t i = 1; i <= 100; i++)
                histogram_record(h, i);
        assert_true(histogram_percentile(h, 50) == 50);
        assert_true(histogram_percentile(h, 99) == 99);
        assert_true(histogram_percentile(h, 100) == 100);
        assert_true(fabs(histogram_mean(h) - 50.5) < 1e-9);
        /* Above an edge, as percentiles rank: p99 is 99, one value (100) above it. */
        assert_true(histogram_count_above(h, 99) == 1);
        assert_true(histogram_count_above(h, 49.5) == 51);
        assert_true(histogram_count_above(h, 100) == 0 && histogram_count_above(h, -1) == 100);
        /* Equivalent ranges: values below 2048 are exact at 3 digits, above they share buckets. */
        assert_true(histogram_lowest_equivalent(h, 1000) == 1000);
        assert_true(histogram_highest_equivalent(h, 1000) == 1000);
        assert_true(histogram_lowest_equivalent(h, 100001) == 99968);
        assert_true(histogram_highest_equivalent(h, 100001) == 100031);
        /* Out of range: clamped to the highest trackable value and counted. */
        histogram_record(h, 5000000);
        assert_int_equal(histogram_clamped(h), 1);
        assert_true(histogram_max(h) == 1000000);
        histogram_reset(h);
        assert_int_equal(histogram_count(h), 0);
        assert_true(histogram_percentile(h, 50) == 0);
        assert_true(isnan(histogram_mean(h)));
        histogram_free(h);

        assert_int_equal(histogram_new(1, 3, &h), -EINVAL);
        assert_int_equal(histogram_new(1000, 0, &h), -EINVAL);
        assert_int_equal(histogram_new(1000, 6, &h), -EINVAL);
}

static void test_merge_equals_single(void **state) {
        Histogram *one = NULL, *parts[4] = {}, *merged = NULL;
        const uint64_t highest = UINT64_C(60000000);
        assert_int_equal(histogram_new(highest, 3, &one), 0);
        assert_int_equal(histogram_new(highest, 3, &merged), 0);
        for (size_t i = 0; i < 4; i++)
                assert_int_equal(histogram_new(highest, 3, &parts[i]), 0);
        StatsRng r;
        stats_rng_seed(&r, 9);
        for (size_t i = 0; i < 40000; i++) {
                uint64_t v = stats_rng_below(&r, 5000000) + 1;
                histogram_record(one, v);
                histogram_record(parts[i % 4], v);
        }
        for (size_t i = 0; i < 4; i++)
                histogram_merge(merged, parts[i]);
        assert_int_equal(histogram_count(merged), histogram_count(one));
        assert_true(histogram_min(merged) == histogram_min(one));
        assert_true(histogram_max(merged) == histogram_max(one));
        assert_true(histogram_mean(merged) == histogram_mean(one));
        for (double p = 0; p <= 100; p += 0.5)
                assert_true(histogram_percentile(merged, p) == histogram_percentile(one, p));

        /* A coarser histogram absorbs a finer one within its own precision. */
        Histogram *coarse = NULL;
        assert_int_equal(histogram_new(highest, 2, &coarse), 0);
        histogram_merge(coarse, one);
        assert_int_equal(histogram_count(coarse), histogram_count(one));
        double p99 = (double) histogram_percentile(one, 99), c99 = (double) histogram_percentile(coarse, 99);
        assert_true(fabs(c99 - p99) <= 0.011 * p99);
        histogram_free(coarse);

        /* Memory is fixed by range and precision, not by how many values were recorded. */
        size_t mem = histogram_memory(one);
        for (size_t i = 0; i < 100000; i++)
                histogram_record(one, i);
        assert_int_equal(histogram_memory(one), mem);
        assert_true(mem < 256 * 1024);

        for (size_t i = 0; i < 4; i++)
                histogram_free(parts[i]);
        histogram_free(one);
        histogram_free(merged);
}

/* The bucket walk the codecs use: buckets in value order, tiling 0..highest, counts summing to the
 * total; a bucket recorded by index reports HdrHistogram's min, max and mean. */
static void test_buckets(void **state) {
        Histogram *h;
        assert_int_equal(histogram_new(100000, 2, &h), 0);
        assert_int_equal(histogram_sub_bits(h), 8);     /* 2 * 10^2 = 200 -> 256 */
        assert_int_equal(histogram_digits(h), 2);
        assert_int_equal(histogram_highest(h), 100000);
        for (uint64_t v = 0; v < 100000; v += 37)
                histogram_record(h, v);
        uint64_t next = 0, sum = 0;
        for (size_t i = 0; i < histogram_buckets(h); i++) {
                uint64_t lo, hi, c = histogram_bucket(h, i, &lo, &hi);
                assert_int_equal(lo, next);
                assert_true(hi >= lo);
                assert_int_equal(histogram_bucket_index(h, lo), i);
                assert_int_equal(histogram_bucket_index(h, hi), i);
                next = hi + 1;
                sum += c;
        }
        assert_true(next > 100000);
        assert_int_equal(sum, histogram_count(h));
        assert_int_equal(histogram_bucket_index(h, UINT64_MAX), histogram_buckets(h) - 1);
        assert_int_equal(histogram_bucket(h, histogram_buckets(h), NULL, NULL), 0);

        histogram_reset(h);
        size_t i = histogram_bucket_index(h, 5000);
        uint64_t lo, hi;
        histogram_bucket(h, i, &lo, &hi);
        histogram_record_bucket(h, i, 4);
        histogram_record_bucket(h, histogram_buckets(h), 9);    /* out of range: ignored */
        assert_int_equal(histogram_count(h), 4);
        assert_int_equal(histogram_min(h), lo);
        assert_int_equal(histogram_max(h), hi);
        assert_true(fabs(histogram_mean(h) - (double) (lo + (hi - lo + 1) / 2)) < 1e-9);
        assert_int_equal(histogram_percentile(h, 50), hi);
        histogram_free(h);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_percentiles_within_error),
                cmocka_unit_test(test_buckets),
                cmocka_unit_test(test_exact_small_values),
                cmocka_unit_test(test_merge_equals_single),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
