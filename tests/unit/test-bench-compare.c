/* SPDX-License-Identifier: MIT */
/* bench compare's statistics on data with known answers (suite/bench-compare.c over common/stats.h):
 * the exact Mann-Whitney p of fully separated samples, Holm's steps across a comparison's metrics,
 * the "need N more" from the observed spread, verdicts in both directions, gates that fail, pass
 * and stay unknown, the net improvement, and the refusal of runs from different hosts. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench-compare.h"
#include "support.h"

static json_t *metric(const char *name, bool hib, const double *v, size_t n, double max_regression, double alpha) {
        json_t *s = json_array();
        for (size_t i = 0; i < n; i++)
                json_array_append_new(s, json_real(v[i]));
        json_t *m = json_pack("{s:s, s:s, s:b, s:o}", "name", name, "unit", "s", "higher_is_better", hib, "samples", s);
        if (max_regression > 0)
                json_object_set_new(m, "gate",
                                    json_pack("{s:f, s:f}", "max_regression", max_regression, "alpha", alpha));
        return m;
}

static json_t *run(const char *cpu, json_t *metrics) {
        return json_pack("{s:s, s:I, s:{s:{s:s}, s:{s:s}}, s:[{s:s, s:s, s:s, s:o}]}", "suite", "t", "id",
                         (json_int_t) 1, "fingerprint", "hard", "cpu_model", cpu, "soft", "thp", "madvise",
                         "benchmarks", "name", "b", "kind", "command", "config_digest", "d", "metrics", metrics);
}

static const json_t *find(const json_t *cmp, const char *name) {
        size_t i;
        const json_t *m;
        json_array_foreach(json_object_get(cmp, "metrics"), i, m)
                if (strcmp(json_string_value(json_object_get(m, "metric")), name) == 0)
                        return m;
        fail_msg("no metric %s", name);
        return NULL;
}

static double num(const json_t *m, const char *key) {
        return json_number_value(json_object_get(m, key));
}

static const char *text(const json_t *m, const char *key) {
        return json_string_value(json_object_get(m, key));
}

static void test_holm_steps_and_verdicts(void **state) {
        static const double lo[] = { 1, 2, 3, 4, 5 }, hi[] = { 11, 12, 13, 14, 15 },
                            mid[] = { 3.5, 4.5, 5.5, 6.5, 7.5 };
        /* slow: a latency 4.3x worse; fast: a throughput 4.3x better; mid: overlapping; same: identical. */
        json_t *a = run("X",
                        json_pack("[o, o, o, o]", metric("slow", false, lo, 5, 0.05, 0.05),
                                  metric("fast", true, lo, 5, 0, 0), metric("mid", false, lo, 5, 0, 0),
                                  metric("same", false, lo, 5, 0, 0)));
        json_t *b = run("X",
                        json_pack("[o, o, o, o]", metric("slow", false, hi, 5, 0.05, 0.05),
                                  metric("fast", true, hi, 5, 0, 0), metric("mid", false, mid, 5, 0, 0),
                                  metric("same", false, lo, 5, 0, 0)));
        BenchCompareOptions o = {};
        json_t *cmp = NULL;
        Error e = ERROR_NULL;
        assert_int_equal(bench_compare_runs(a, b, &o, &cmp, &e), 0);
        const json_t *slow = find(cmp, "slow"), *fast = find(cmp, "fast"), *mid_m = find(cmp, "mid"),
                     *same = find(cmp, "same");
        /* Fully separated 5 against 5: the exact two-sided p is 2 / C(10, 5) = 2/252. */
        assert_true(fabs(num(slow, "p") - 2.0 / 252) < 1e-9);
        assert_true(fabs(num(fast, "p") - 2.0 / 252) < 1e-9);
        /* Holm: sorted p1 <= p2 <= p3 <= p4 are multiplied by 4, 3, 2, 1 and made non-decreasing. */
        double p_mid = num(mid_m, "p"), p_same = num(same, "p");
        assert_true(p_mid > 2.0 / 252 && p_mid < p_same);
        assert_true(fabs(num(slow, "p_holm") - 4 * 2.0 / 252) < 1e-9); /* first step: 4 p, tie with fast */
        assert_true(fabs(num(fast, "p_holm") - 4 * 2.0 / 252) < 1e-9); /* second: max(4 p, 3 p) */
        assert_true(fabs(num(mid_m, "p_holm") - fmax(4 * 2.0 / 252, 2 * p_mid)) < 1e-9);
        assert_true(fabs(num(same, "p_holm") - fmin(1, fmax(2 * p_mid, p_same))) < 1e-9);
        assert_string_equal(text(slow, "verdict"), "regressed");
        assert_string_equal(text(fast, "verdict"), "improved");
        assert_true(fabs(num(slow, "ratio") - 13.0 / 3) < 1e-9);
        assert_string_equal(text(json_object_get(slow, "gate"), "status"), "failed");
        assert_int_equal(bench_compare_failed_gates(cmp), 1);
        const json_t *sum = json_object_get(cmp, "summary");
        assert_int_equal(json_integer_value(json_object_get(sum, "regressions")), 1);
        assert_int_equal(json_integer_value(json_object_get(sum, "improvements")), 1);
        assert_int_equal(json_integer_value(json_object_get(sum, "gates_failed")), 1);
        /* Net: geometric mean of how much better B is: (3/13 * 13/3 * 3/5.5 * 1)^(1/4) - 1. */
        assert_true(fabs(num(sum, "net_improvement") - 100 * (pow(3 / 5.5, 0.25) - 1)) < 1e-6);
        json_decref(cmp);
        json_decref(a);
        json_decref(b);
}

static void test_need_more(void **state) {
        static const double v[] = { 0.9, 1.0, 1.1, 0.95, 1.05, 1.0, 0.9, 1.1 };
        json_t *a = run(
                "X", json_pack("[o, o]", metric("t", false, v, 8, 0.05, 0.05), metric("u", false, v, 8, 0.30, 0.05)));
        json_t *b = run(
                "X", json_pack("[o, o]", metric("t", false, v, 8, 0.05, 0.05), metric("u", false, v, 8, 0.30, 0.05)));
        BenchCompareOptions o = {};
        json_t *cmp = NULL;
        Error e = ERROR_NULL;
        assert_int_equal(bench_compare_runs(a, b, &o, &cmp, &e), 0);
        const json_t *m = find(cmp, "t");
        assert_string_equal(text(m, "verdict"), "unknown");
        /* Robust CV = 1.4826 * MAD / median = 1.4826 * 0.075; 80 % power against the 2 % threshold:
         * n = 2 (z.975 + z.8)^2 CV^2 / 0.02^2 = 486 per side, 478 more than the 8 there are. */
        double cv = 1.4826 * 0.075, z = 1.959964 + 0.841621;
        double need = ceil(2 * z * z * cv * cv / (0.02 * 0.02)) - 8;
        assert_int_equal(need, 478);
        assert_int_equal(json_integer_value(json_object_get(m, "more_repetitions")), 478);
        /* Not shown to regress, nor shown within 5 %: the gate is unknown, not passed. */
        assert_string_equal(text(json_object_get(m, "gate"), "status"), "unknown");
        /* Even the interval's worst end is within 30 %: that gate passes. */
        assert_string_equal(text(json_object_get(find(cmp, "u"), "gate"), "status"), "passed");
        json_decref(cmp);
        /* A threshold of 25 % (as an A/A spread or --noise would give) takes the whole interval: same. */
        o.noise = 0.25;
        assert_int_equal(bench_compare_runs(a, b, &o, &cmp, &e), 0);
        assert_string_equal(text(find(cmp, "t"), "verdict"), "same");
        /* "same" within 25 % says nothing about 5 %: that gate stays unknown. */
        assert_string_equal(text(json_object_get(find(cmp, "t"), "gate"), "status"), "unknown");
        json_decref(cmp);
        json_decref(a);
        json_decref(b);
}

static void test_fingerprint_refused(void **state) {
        static const double v[] = { 1, 2, 3, 4, 5 };
        json_t *a = run("CPU A", json_pack("[o]", metric("t", false, v, 5, 0, 0)));
        json_t *b = run("CPU B", json_pack("[o]", metric("t", false, v, 5, 0, 0)));
        BenchCompareOptions o = {};
        json_t *cmp = NULL;
        Error e = ERROR_NULL;
        assert_int_equal(bench_compare_runs(a, b, &o, &cmp, &e), -EXDEV);
        assert_null(cmp);
        assert_non_null(strstr(error_message(&e), "cpu_model ('CPU A' vs 'CPU B')"));
        error_done(&e);
        o.force = true;
        /* A benchmark only B has is listed, not compared. */
        json_array_append_new(json_object_get(b, "benchmarks"),
                              json_pack("{s:s, s:s, s:s, s:[]}", "name", "extra", "kind", "command", "config_digest",
                                        "e", "metrics"));
        assert_int_equal(bench_compare_runs(a, b, &o, &cmp, &e), 0);
        assert_int_equal(json_array_size(json_object_get(cmp, "hard_differences")), 1);
        assert_int_equal(json_array_size(json_object_get(cmp, "only_in_a")), 0);
        assert_string_equal(json_string_value(json_array_get(json_object_get(cmp, "only_in_b"), 0)), "extra");
        assert_int_equal(json_array_size(json_object_get(cmp, "metrics")), 1);
        json_decref(cmp);
        json_decref(a);
        json_decref(b);
}

/* A median of 0 makes the ratio infinite, a side without finite samples makes it NaN: JSON cannot
 * hold either, yet the metric and its gate are listed (null figures), never dropped. */
static void test_nonfinite_listed(void **state) {
        static const double zero[] = { 0, 0, 0, 0, 0 }, pos[] = { 1, 2, 3, 4, 5 };
        json_t *a = run(
                "X",
                json_pack("[o, o]", metric("z", false, zero, 5, 0.05, 0.05), metric("e", false, pos, 0, 0.05, 0.05)));
        json_t *b = run(
                "X",
                json_pack("[o, o]", metric("z", false, pos, 5, 0.05, 0.05), metric("e", false, pos, 5, 0.05, 0.05)));
        BenchCompareOptions o = {};
        json_t *cmp = NULL;
        Error e = ERROR_NULL;
        assert_int_equal(bench_compare_runs(a, b, &o, &cmp, &e), 0);
        assert_int_equal(json_array_size(json_object_get(cmp, "metrics")), 2);
        const json_t *z = find(cmp, "z"), *em = find(cmp, "e");
        assert_true(json_is_null(json_object_get(z, "ratio")));
        /* From 0 to something, lower is better: an infinite regression, and the only test Holm counts. */
        assert_true(fabs(num(z, "p_holm") - num(z, "p")) < 1e-12);
        assert_string_equal(text(json_object_get(z, "gate"), "status"), "failed");
        assert_null(json_object_get(json_object_get(z, "gate"), "cannot_fail_below"));
        assert_true(json_is_null(json_object_get(em, "ratio")) && json_is_null(json_object_get(em, "p")));
        assert_string_equal(text(em, "verdict"), "unknown");
        assert_string_equal(text(json_object_get(em, "gate"), "status"), "unknown");
        const json_t *sum = json_object_get(cmp, "summary");
        assert_int_equal(json_integer_value(json_object_get(sum, "gates_failed")), 1);
        assert_int_equal(json_integer_value(json_object_get(sum, "gates_unknown")), 1);
        json_decref(cmp);
        json_decref(a);
        json_decref(b);
}

/* Seven metrics from 0 to positive, 5 repetitions: raw p 0.0075 each (the zeros tie), Holm 0.052. The
 * infinite ratios are decided with the adjusted p (unknown, not regressed), and the gate says it
 * cannot fail below 6 repetitions a side (7 * 2 / C(12, 6) = 0.015 < 0.05; with 5: 0.056). */
static void test_infinite_ratio_holm(void **state) {
        static const double zero[] = { 0, 0, 0, 0, 0 }, pos[] = { 1, 2, 3, 4, 5 };
        static const char *names[] = { "m0", "m1", "m2", "m3", "m4", "m5", "m6" };
        json_t *ma = json_array(), *mb = json_array();
        for (size_t i = 0; i < 7; i++) {
                json_array_append_new(ma, metric(names[i], false, zero, 5, i ? 0 : 0.05, 0.05));
                json_array_append_new(mb, metric(names[i], false, pos, 5, i ? 0 : 0.05, 0.05));
        }
        json_t *a = run("X", ma), *b = run("X", mb);
        BenchCompareOptions o = {};
        json_t *cmp = NULL;
        Error e = ERROR_NULL;
        assert_int_equal(bench_compare_runs(a, b, &o, &cmp, &e), 0);
        for (size_t i = 0; i < 7; i++) {
                const json_t *m = find(cmp, names[i]);
                assert_true(fabs(num(m, "p_holm") - 7 * num(m, "p")) < 1e-12 && num(m, "p") < 0.05);
                assert_string_equal(text(m, "verdict"), "unknown");
        }
        const json_t *g = json_object_get(find(cmp, "m0"), "gate");
        assert_string_equal(text(g, "status"), "unknown");
        assert_int_equal(json_integer_value(json_object_get(g, "cannot_fail_below")), 6);
        json_decref(cmp);
        json_decref(a);
        json_decref(b);
}

/* A metric only one run has is listed as such; one only B has is judged on nothing: unknown, its
 * gate too, never left out. */
static void test_metric_in_one_run(void **state) {
        static const double v[] = { 1, 2, 3, 4, 5 };
        json_t *a = run("X", json_pack("[o, o]", metric("t", false, v, 5, 0, 0), metric("old", false, v, 5, 0, 0)));
        json_t *b =
                run("X", json_pack("[o, o]", metric("t", false, v, 5, 0, 0), metric("new", false, v, 5, 0.05, 0.05)));
        BenchCompareOptions o = {};
        json_t *cmp = NULL;
        Error e = ERROR_NULL;
        assert_int_equal(bench_compare_runs(a, b, &o, &cmp, &e), 0);
        assert_int_equal(json_array_size(json_object_get(cmp, "metrics")), 2);
        assert_string_equal(text(find(cmp, "new"), "verdict"), "unknown");
        assert_string_equal(text(json_object_get(find(cmp, "new"), "gate"), "status"), "unknown");
        const json_t *only_a = json_array_get(json_object_get(cmp, "metrics_only_in_a"), 0),
                     *only_b = json_array_get(json_object_get(cmp, "metrics_only_in_b"), 0);
        assert_string_equal(text(only_a, "metric"), "old");
        assert_string_equal(text(only_a, "benchmark"), "b");
        assert_string_equal(text(only_b, "metric"), "new");
        json_decref(cmp);
        json_decref(a);
        json_decref(b);
}

/* --aa: a run of another suite or host is refused (its spread says nothing of A's); a metric the
 * A/A run has not gets no A/A figure (null), said, not a silent 0. */
static void test_aa_checked(void **state) {
        static const double v[] = { 1, 2, 3, 4, 5 }, w[] = { 1, 3, 5, 7, 9 };
        json_t *a = run("X", json_pack("[o, o]", metric("t", false, v, 5, 0, 0), metric("u", false, v, 5, 0, 0)));
        json_t *b = run("X", json_pack("[o, o]", metric("t", false, v, 5, 0, 0), metric("u", false, v, 5, 0, 0)));
        json_t *aa = run("X", json_pack("[o]", metric("t", false, w, 5, 0, 0)));
        BenchCompareOptions o = { .aa = aa };
        json_t *cmp = NULL;
        Error e = ERROR_NULL;
        assert_int_equal(bench_compare_runs(a, b, &o, &cmp, &e), 0);
        assert_true(num(find(cmp, "t"), "aa_spread") > 0);
        assert_true(json_is_null(json_object_get(find(cmp, "u"), "aa_spread")));
        json_decref(cmp);
        json_object_set_new(json_object_get(json_object_get(aa, "fingerprint"), "hard"), "cpu_model", json_string("Y"));
        assert_int_equal(bench_compare_runs(a, b, &o, &cmp, &e), -EXDEV);
        assert_non_null(strstr(error_message(&e), "run A and the A/A run (--aa) differ in hard fingerprint fields"));
        error_done(&e);
        json_object_set_new(aa, "suite", json_string("other"));
        assert_int_equal(bench_compare_runs(a, b, &o, &cmp, &e), -EXDEV);
        assert_non_null(strstr(error_message(&e), "the A/A run (--aa) is of suite other, run A of suite t"));
        error_done(&e);
        json_decref(a);
        json_decref(b);
        json_decref(aa);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_holm_steps_and_verdicts),
                cmocka_unit_test(test_need_more),
                cmocka_unit_test(test_fingerprint_refused),
                cmocka_unit_test(test_nonfinite_listed),
                cmocka_unit_test(test_infinite_ratio_holm),
                cmocka_unit_test(test_metric_in_one_run),
                cmocka_unit_test(test_aa_checked),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
