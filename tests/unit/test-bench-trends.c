/* SPDX-License-Identifier: MIT */
/* suite/bench-trends.c on synthetic runs: a throughput drop at run 11 (with a new kernel) is one
 * change, worse, first run 11, kernel_release named; a flat metric and --metric filter give none;
 * a run without the benchmark is left out of the series without shifting the run named; a series of
 * more changes than kept says it was capped. */
#include <errno.h>
#include <string.h>

#include "bench-trends.h"
#include "support.h"

/* 20 runs, ids 1..20; ops (higher is better) 100 then 80 from run 11, lat flat; run 4 measured
 * nothing; run 11 on kernel 6.2. Samples vary a little per run so ranks are not all ties. */
static json_t *runs(void) {
        json_t *a = json_array();
        for (int id = 1; id <= 20; id++) {
                double ops = (id >= 11 ? 80.0 : 100.0) + (id % 3), lat = 5.0 + 0.01 * (id % 4);
                json_t *bench = json_pack("[{s:s,s:[{s:s,s:b,s:[f,f,f]},{s:s,s:b,s:[f,f,f]}]}]", "name", "b", "metrics",
                                          "name", "ops", "higher_is_better", 1, "samples", ops - 1, ops, ops + 1,
                                          "name", "lat", "higher_is_better", 0, "samples", lat, lat, lat);
                json_t *fp = json_pack("{s:{s:s},s:{s:s}}", "hard", "cpu_model", "X", "soft", "kernel_release",
                                       id >= 11 ? "6.2.0" : "6.1.0");
                json_array_append_new(a,
                                      json_pack("{s:I,s:I,s:s,s:o,s:o}", "id", (json_int_t) id, "started_us",
                                                (json_int_t) id * 1000000, "suite", "s", "fingerprint", fp,
                                                "benchmarks", id == 4 ? json_array() : bench));
                if (id == 4)
                        json_decref(bench);
        }
        return a;
}

static void test_drop(void **state) {
        (void) state;
        json_t *r = runs(), *doc = NULL;
        BenchTrendsOptions o = {};
        assert_int_equal(bench_trends(r, &o, &doc, NULL), 0);
        assert_int_equal(json_integer_value(json_object_get(doc, "runs")), 20);
        assert_int_equal(
                json_integer_value(json_object_get(json_array_get(json_object_get(doc, "metrics"), 0), "runs")), 19);
        const json_t *changes = json_object_get(doc, "changes");
        assert_int_equal(json_array_size(changes), 1);
        const json_t *c = json_array_get(changes, 0);
        assert_string_equal(json_string_value(json_object_get(c, "metric")), "ops");
        assert_string_equal(json_string_value(json_object_get(c, "direction")), "worse");
        assert_int_equal(json_integer_value(json_object_get(c, "run")), 11);
        assert_int_equal(json_integer_value(json_object_get(c, "run_before")), 10);
        assert_true(json_real_value(json_object_get(c, "magnitude")) < -0.15);
        assert_int_equal(json_array_size(json_object_get(c, "hard_differences")), 0);
        const json_t *soft = json_object_get(c, "soft_differences");
        assert_int_equal(json_array_size(soft), 1);
        assert_string_equal(json_string_value(json_object_get(json_array_get(soft, 0), "field")), "kernel_release");
        json_decref(doc);
        json_decref(r);
}

static void test_metric_filter_and_bad_input(void **state) {
        (void) state;
        json_t *r = runs(), *doc = NULL;
        BenchTrendsOptions o = { .metric = "lat" };
        assert_int_equal(bench_trends(r, &o, &doc, NULL), 0);
        assert_int_equal(json_array_size(json_object_get(doc, "metrics")), 1);
        assert_int_equal(json_array_size(json_object_get(doc, "changes")), 0);
        json_decref(doc);
        /* min segment 11: 19 values cannot be split */
        o = (BenchTrendsOptions) { .min_segment = 11 };
        assert_int_equal(bench_trends(r, &o, &doc, NULL), 0);
        assert_int_equal(json_array_size(json_object_get(doc, "changes")), 0);
        json_decref(doc);
        json_t *notlist = json_object();
        assert_int_equal(bench_trends(notlist, &o, &doc, NULL), -EINVAL);
        json_decref(notlist);
        json_decref(r);
}

/* 34 levels of 10 runs each, a staircase up from 100 by 10: 33 changes, one more than a series keeps;
 * the first 32 are kept and the series says it was capped. The runs of test_drop are not. */
static void test_changes_capped(void **state) {
        (void) state;
        json_t *a = json_array(), *doc = NULL;
        for (int id = 1; id <= 340; id++) {
                double v = 100.0 + 10.0 * ((id - 1) / 10) + (id % 7) * 0.1;
                json_array_append_new(a,
                                      json_pack("{s:I,s:I,s:s,s:{},s:[{s:s,s:[{s:s,s:b,s:[f]}]}]}", "id",
                                                (json_int_t) id, "started_us", (json_int_t) id * 1000000, "suite", "s",
                                                "fingerprint", "benchmarks", "name", "b", "metrics", "name", "ops",
                                                "higher_is_better", 1, "samples", v));
        }
        BenchTrendsOptions o = {};
        assert_int_equal(bench_trends(a, &o, &doc, NULL), 0);
        assert_int_equal(json_array_size(json_object_get(doc, "changes")), BENCH_TRENDS_MAX_CHANGES);
        const json_t *series = json_array_get(json_object_get(doc, "metrics"), 0);
        assert_true(json_is_true(json_object_get(series, "changes_capped")));
        assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(doc, "changes"), 0), "run")),
                         11);
        json_decref(doc);
        json_decref(a);
        a = runs();
        assert_int_equal(bench_trends(a, &o, &doc, NULL), 0);
        assert_true(
                json_is_false(json_object_get(json_array_get(json_object_get(doc, "metrics"), 0), "changes_capped")));
        json_decref(doc);
        json_decref(a);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_drop),
                cmocka_unit_test(test_metric_filter_and_bad_input),
                cmocka_unit_test(test_changes_capped),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
