/* SPDX-License-Identifier: MIT */
/* The stream's summariser finds each point's series by the order it learnt: points that come in
 * another order than their series were made, an order that changes between samples (the full ones
 * emit more), and one object buffer reused for several objects all land in their own series. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "series-table.h"

static const char RES[] = "disk", READS[] = "reads_per_s", QUEUE[] = "in_flight", UNIT[] = "1/s";

static void add(SeriesTable *t, const char *object, const char *name, double v) {
        MetricPoint p = { .resource = RES,
                          .object = object,
                          .name = name,
                          .unit = UNIT,
                          .kind = METRIC_WEIGHT_EQUAL,
                          .value = v,
                          .weight = 1 };
        assert_int_equal(series_table_add(t, 0, &p), 0);
}

static SeriesSummary get(const SeriesTable *t, const char *object, const char *name) {
        SeriesSummary s = {};
        assert_int_equal(series_table_get(t, RES, object, name, &s), 0);
        return s;
}

static void test_learnt_order(void **state) {
        (void) state;
        SeriesTable *t = NULL;
        assert_int_equal(series_table_new(&t), 0);
        char obj[32]; /* one buffer for every device, as a collector's scratch name */
        for (unsigned n = 0; n < 200; n++) {
                bool full = n % 5 == 0;
                for (unsigned d = 0; d < 3; d++) {
                        snprintf(obj, sizeof(obj), "devices/sd%c", 'a' + d);
                        if (n > 0) /* rates from the second sample: made after the gauges */
                                add(t, obj, READS, 100.0 * d + n);
                        add(t, obj, QUEUE, d);
                        if (full) /* only at full samples, between the others */
                                add(t, NULL, "full_only", n);
                }
                add(t, NULL, "last", n % 2);
        }
        assert_int_equal(series_table_size(t), 8);
        for (unsigned d = 0; d < 3; d++) {
                snprintf(obj, sizeof(obj), "devices/sd%c", 'a' + d);
                SeriesSummary r = get(t, obj, READS), q = get(t, obj, QUEUE);
                assert_int_equal(r.n, 199);
                assert_true(r.min == 100.0 * d + 1 && r.max == 100.0 * d + 199);
                assert_true(fabs(r.avg - (100.0 * d + 100)) < 1e-9);
                assert_int_equal(q.n, 200);
                assert_true(q.min == d && q.max == d);
        }
        SeriesSummary f = get(t, NULL, "full_only"), l = get(t, NULL, "last");
        assert_int_equal(f.n, 3 * 40);
        assert_true(f.min == 0 && f.max == 195);
        assert_int_equal(l.n, 200);
        assert_true(fabs(l.avg - 0.5) < 1e-9);
        series_table_free(t);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_learnt_order),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
