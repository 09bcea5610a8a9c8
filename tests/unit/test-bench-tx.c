/* SPDX-License-Identifier: MIT */
/* suite/bench-tx.c and the transactions in bench trends: the active ones of a txlist (applied and
 * partially rolled back, not rolled back or failed), their tunables (applied changes only), the
 * difference of two runs' sets by id with unknown (null) kept apart from none ([]); and on 20 runs
 * with a drop at run 11 where transaction B was applied between runs 10 and 11, the change names B
 * as applied near it, the tuning markers are runs 11 (B applied) and 18 (A rolled back) but not
 * the runs beside one whose transactions are unknown, and the segments' means are 100 and 80. */
#include <errno.h>
#include <string.h>

#include "bench-trends.h"
#include "bench-tx.h"
#include "schema.h"
#include "support.h"

static void test_active_and_tunables(void **state) {
        (void) state;
        json_t *list = json_pack("{s:s, s:[{s:s,s:s,s:s}, {s:s,s:s,s:s}, {s:s,s:s}, {s:s,s:s}, {s:s}]}", "schema",
                                 TXLIST_SCHEMA, "transactions", "id", "t1", "state", "applied", "created", "c1", "id",
                                 "t2", "state", "partially-rolled-back", "created", "c2", "id", "t3", "state",
                                 "rolled-back", "id", "t4", "state", "failed", "state", "applied");
        json_t *active = bench_tx_active(list);
        assert_int_equal(json_array_size(active), 2);
        assert_string_equal(json_string_value(json_object_get(json_array_get(active, 0), "id")), "t1");
        assert_string_equal(json_string_value(json_object_get(json_array_get(active, 0), "applied")), "c1");
        assert_string_equal(json_string_value(json_object_get(json_array_get(active, 1), "id")), "t2");
        json_t *tx = json_pack("{s:[{s:s,s:s,s:s}, {s:s,s:s,s:s}]}", "changes", "key", "vm.swappiness", "new", "10",
                               "status", "applied", "key", "vm.dirty_ratio", "new", "30", "status", "unchanged");
        assert_int_equal(bench_tx_add_tunables(json_array_get(active, 0), tx), 0);
        const json_t *names = json_object_get(json_array_get(active, 0), "tunables");
        assert_int_equal(json_array_size(names), 1);
        assert_string_equal(json_string_value(json_array_get(names, 0)), "vm.swappiness=10");
        json_decref(tx);
        json_decref(active);
        json_object_set_new(list, "schema", json_string("skytune.txlist/9"));
        assert_null(bench_tx_active(list));
        json_decref(list);
}

static void test_diff(void **state) {
        (void) state;
        json_t *a = json_pack("[{s:s},{s:s}]", "id", "A", "id", "B"),
               *b = json_pack("[{s:s},{s:s}]", "id", "B", "id", "C");
        json_t *d = bench_tx_diff(a, b);
        assert_true(bench_tx_changed(d));
        assert_int_equal(json_array_size(json_object_get(d, "applied")), 1);
        assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(d, "applied"), 0), "id")),
                            "C");
        assert_string_equal(
                json_string_value(json_object_get(json_array_get(json_object_get(d, "rolled_back"), 0), "id")), "A");
        json_decref(d);
        d = bench_tx_diff(a, a);
        assert_true(json_is_object(d) && !bench_tx_changed(d));
        json_decref(d);
        json_t *none = json_array(), *unknown = json_null();
        d = bench_tx_diff(none, a); /* none before, two after: both applied */
        assert_int_equal(json_array_size(json_object_get(d, "applied")), 2);
        json_decref(d);
        d = bench_tx_diff(unknown, a);
        assert_true(json_is_null(d) && !bench_tx_changed(d));
        json_decref(d);
        d = bench_tx_diff(a, NULL);
        assert_true(json_is_null(d));
        json_decref(d);
        json_decref(none);
        json_decref(a);
        json_decref(b);
}

/* Run id's transactions: A from the start, B from run 11, unknown at run 15, A gone from run 18. */
static json_t *txs_of(int id) {
        if (id == 15)
                return json_null();
        json_t *t = json_array();
        if (id < 18)
                json_array_append_new(t, json_pack("{s:s,s:s}", "id", "A", "applied", "a"));
        if (id >= 11)
                json_array_append_new(
                        t, json_pack("{s:s,s:s,s:[s]}", "id", "B", "applied", "b", "tunables", "vm.swappiness=10"));
        return t;
}

static json_t *runs(void) {
        json_t *a = json_array();
        for (int id = 1; id <= 20; id++) {
                double ops = (id >= 11 ? 80.0 : 100.0) + (id % 3) - 1;
                json_array_append_new(a,
                                      json_pack("{s:I,s:I,s:{s:{},s:{}},s:o,s:[{s:s,s:[{s:s,s:b,s:[f]}]}]}", "id",
                                                (json_int_t) id, "started_us", (json_int_t) id * 1000000, "fingerprint",
                                                "hard", "soft", "transactions", txs_of(id), "benchmarks", "name", "b",
                                                "metrics", "name", "ops", "higher_is_better", 1, "samples", ops));
        }
        return a;
}

static void test_trends_transactions(void **state) {
        (void) state;
        json_t *r = runs(), *doc = NULL;
        BenchTrendsOptions o = {};
        assert_int_equal(bench_trends(r, &o, &doc, NULL), 0);
        const json_t *c = json_array_get(json_object_get(doc, "changes"), 0);
        assert_int_equal(json_integer_value(json_object_get(c, "run")), 11);
        const json_t *near = json_object_get(c, "transactions");
        assert_int_equal(json_array_size(json_object_get(near, "applied")), 1);
        assert_int_equal(json_array_size(json_object_get(near, "rolled_back")), 0);
        const json_t *b = json_array_get(json_object_get(near, "applied"), 0);
        assert_string_equal(json_string_value(json_object_get(b, "id")), "B");
        assert_string_equal(json_string_value(json_array_get(json_object_get(b, "tunables"), 0)), "vm.swappiness=10");
        const json_t *tuning = json_object_get(doc, "tuning");
        assert_int_equal(json_array_size(tuning), 2);
        assert_int_equal(json_integer_value(json_object_get(json_array_get(tuning, 0), "run")), 11);
        assert_int_equal(json_integer_value(json_object_get(json_array_get(tuning, 0), "started_us")), 11000000);
        assert_int_equal(json_integer_value(json_object_get(json_array_get(tuning, 1), "run")), 18);
        assert_string_equal(
                json_string_value(json_object_get(
                        json_array_get(json_object_get(json_array_get(tuning, 1), "rolled_back"), 0), "id")),
                "A");
        const json_t *m = json_array_get(json_object_get(doc, "metrics"), 0);
        assert_int_equal(json_array_size(json_object_get(m, "points")), 20);
        const json_t *seg = json_object_get(m, "segments");
        assert_int_equal(json_array_size(seg), 2);
        assert_float_equal(json_real_value(json_object_get(json_array_get(seg, 0), "mean")), 100.0, 0.5);
        assert_float_equal(json_real_value(json_object_get(json_array_get(seg, 1), "mean")), 80.0, 0.5);
        assert_int_equal(json_integer_value(json_object_get(json_array_get(seg, 1), "first_run")), 11);
        assert_int_equal(json_integer_value(json_object_get(json_array_get(seg, 1), "last_run")), 20);
        json_decref(doc);
        /* Unknown on one side of the change: null, not "none". */
        json_object_set_new(json_array_get(r, 9), "transactions", json_null());
        assert_int_equal(bench_trends(r, &o, &doc, NULL), 0);
        assert_true(json_is_null(json_object_get(json_array_get(json_object_get(doc, "changes"), 0), "transactions")));
        json_decref(doc);
        json_decref(r);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_active_and_tunables),
                cmocka_unit_test(test_diff),
                cmocka_unit_test(test_trends_transactions),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
