/* SPDX-License-Identifier: MIT */
/* CounterTable and CounterSet: absent rows, padding of late objects, deltas across wraps and resets. */
#include <string.h>

#include "counter-table.h"
#include "support.h"

static void test_table(void **state) {
        CounterTable t;
        counter_table_init(&t, 2);
        uint64_t a[] = { 10, 4294967000ull }, b[] = { 25, 200 }, c[] = { 5, 300 };
        assert_int_equal(counter_table_push(&t, 1000000, a), 0);
        assert_int_equal(counter_table_push(&t, 2000000, b), 0);   /* col 1 wraps at 2^32 */
        assert_int_equal(counter_table_push(&t, 3000000, NULL), 0);
        assert_int_equal(counter_table_push(&t, 4000000, b), 0);
        assert_int_equal(counter_table_push(&t, 4500000, c), 0);   /* col 0 resets */
        uint64_t d;
        double dt;
        assert_true(counter_table_delta(&t, 1, 0, &d, &dt));
        assert_int_equal(d, 15);
        assert_true(dt == 1.0);
        assert_true(counter_table_delta(&t, 1, 1, &d, NULL));
        assert_int_equal(d, 496);
        assert_false(counter_table_delta(&t, 2, 0, &d, NULL));    /* absent row */
        assert_false(counter_table_delta(&t, 3, 0, &d, NULL));
        assert_false(counter_table_delta(&t, 4, 0, &d, NULL));    /* reset: no delta */
        assert_true(counter_table_delta(&t, 4, 1, &d, &dt));
        assert_int_equal(d, 100);
        assert_true(dt == 0.5);
        assert_false(counter_table_delta(&t, 0, 0, &d, NULL));
        assert_false(counter_table_delta(&t, 5, 0, &d, NULL));
        assert_false(counter_table_delta(&t, 1, 2, &d, NULL));    /* no such column */
        double out[5], dts[5];
        assert_int_equal(counter_table_rates(&t, 1, 2.0, out, NULL), 2);
        assert_true(out[0] == 992 && out[1] == 400);
        /* With the lengths of those intervals: 1 s, then 0.5 s (4 s -> 4.5 s). */
        assert_int_equal(counter_table_rates(&t, 1, 2.0, out, dts), 2);
        assert_true(dts[0] == 1.0 && dts[1] == 0.5);
        assert_int_equal(counter_table_gauges(&t, 0, 1.0, out), 4);
        assert_true(out[3] == 5);
        assert_int_equal(counter_table_total(&t, 0), 15);
        assert_null(counter_table_row(&t, 2));
        assert_null(counter_table_row(&t, 9));
        assert_int_equal(counter_table_row(&t, 4)[1], 300);
        /* A clock that does not advance gives no interval. */
        assert_int_equal(counter_table_push(&t, 4500000, c), 0);
        assert_false(counter_table_delta(&t, 5, 1, &d, NULL));
        counter_table_free(&t);
        assert_int_equal(t.n, 0);
}

static void test_set(void **state) {
        CounterSet s;
        counter_set_init(&s, 1);
        CounterObject *o;
        uint64_t one = 1, two = 2;
        assert_int_equal(counter_set_add(&s, "sda", 3, &o), 0);
        assert_int_equal(counter_set_put(&s, o, 1, &one), 0);
        assert_int_equal(counter_set_put(&s, o, 1, &two), 0);     /* second row in one sample: ignored */
        assert_int_equal(counter_set_end_sample(&s), 0);
        /* A late object gets an absent row for the first sample; a missing one gets one too. */
        assert_int_equal(counter_set_add(&s, "sdb1", 3, &o), 0);   /* name is the first 3 bytes */
        assert_string_equal(o->name, "sdb");
        assert_int_equal(o->t.n, 1);
        assert_int_equal(counter_set_put(&s, o, 2, &two), 0);
        assert_int_equal(counter_set_end_sample(&s), 0);
        CounterObject *sda = counter_set_find(&s, "sda", 3);
        assert_non_null(sda);
        assert_int_equal(sda->t.n, 2);
        assert_int_equal(counter_table_row(&sda->t, 0)[0], 1);
        assert_null(counter_table_row(&sda->t, 1));
        CounterObject *sdb = counter_set_find(&s, "sdb", 3);
        assert_null(counter_table_row(&sdb->t, 0));
        assert_int_equal(counter_table_row(&sdb->t, 1)[0], 2);
        assert_null(counter_set_find(&s, "sd", 2));
        assert_null(counter_set_find(&s, "sdc", 3));
        char longname[COUNTER_NAME_MAX + 1];
        memset(longname, 'x', sizeof(longname));
        assert_int_equal(counter_set_add(&s, longname, sizeof(longname), &o), -ENAMETOOLONG);
        assert_int_equal(counter_set_add(&s, "", 0, &o), -EINVAL);
        assert_int_equal(s.n, 2);
        counter_set_free(&s);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_table),
                cmocka_unit_test(test_set),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
