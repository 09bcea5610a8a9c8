/* SPDX-License-Identifier: MIT */
/* monitor/ring: samples reach the store's log as their series' scaled integers on flush and read
 * back through tsdb_query; a series the store has keeps its scale; what is out of order, not a
 * number or past the caps is dropped and counted; a flush the store refuses for one series (a clock
 * set back) loses that series' samples only; unflushed samples past max_pending drop, oldest first. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"
#include "support.h"

#define T0 INT64_C(1796342400000) /* 2026-12-04T00:00:00Z */

struct fixture {
        char *dir, path[512];
        struct tsdb *t;
};

static int setup(void **state) {
        struct fixture *f = calloc(1, sizeof(*f));
        f->dir = test_tmpdir();
        snprintf(f->path, sizeof(f->path), "%s/store.db", f->dir);
        assert_int_equal(tsdb_open(f->path, &f->t, NULL), 0);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fixture *f = *state;
        tsdb_close(f->t);
        test_rm_rf(f->dir);
        free(f->dir);
        free(f);
        return 0;
}

/* The samples of name in [T0, T0 + 1 h) at 1 s steps: count and the sum of their scaled values. */
static void stored(struct tsdb *t, const char *name, int64_t *ret_count, int64_t *ret_sum, int *ret_scale) {
        int64_t id;
        assert_int_equal(tsdb_series_find(t, name, &id, ret_scale), 0);
        struct tsdb_bucket *b = NULL;
        size_t n = 0;
        assert_int_equal(tsdb_query_array(t, id, T0, T0 + TSDB_HOUR_MS, 1000, 0, &b, &n), 0);
        *ret_count = *ret_sum = 0;
        for (size_t i = 0; i < n; i++) {
                *ret_count += b[i].count;
                *ret_sum += b[i].sum;
        }
        free(b);
}

static void test_flush_and_read(void **state) {
        struct fixture *f = *state;
        MonitorRing *r;
        assert_int_equal(ring_new(f->t, 100, 600, &r), 0);
        for (int i = 0; i < 30; i++) {
                assert_int_equal(ring_add(r, "cpu.utilization_pct", "percent", T0 + 1000 * i, 12.34 + i), 0);
                assert_int_equal(ring_add(r, "memory.used_bytes", "bytes", T0 + 1000 * i, 1e9 + i), 0);
                assert_int_equal(ring_add(r, "disk.await_ms", "ms", T0 + 1000 * i, 0.25), 0);
                if (i % 10 == 9)
                        assert_int_equal(ring_flush(r), 0);
        }
        MonitorRingStats s;
        ring_stats(r, &s);
        assert_int_equal(s.series, 3);
        assert_int_equal(s.points, 90);
        assert_int_equal(s.stored, 90);
        int64_t count, sum;
        int scale;
        stored(f->t, "cpu.utilization_pct", &count, &sum, &scale);
        assert_int_equal(scale, 2);
        assert_int_equal(count, 30);
        /* round((12.34 + i) * 100), i = 0..29 */
        assert_int_equal(sum, 30 * 1234 + 100 * 435);
        stored(f->t, "memory.used_bytes", &count, &sum, &scale);
        assert_int_equal(scale, 0);
        assert_int_equal(sum, 30 * INT64_C(1000000000) + 435);
        stored(f->t, "disk.await_ms", &count, &sum, &scale);
        assert_int_equal(scale, 3);
        assert_int_equal(sum, 30 * 250);
        assert_true(ring_memory(r) > 0 && ring_memory(r) < 64 * 1024);
        ring_free(r);
}

static void test_existing_scale(void **state) {
        struct fixture *f = *state;
        int64_t id;
        assert_int_equal(tsdb_series(f->t, "files.allocated", 1, &id), 0);
        MonitorRing *r;
        assert_int_equal(ring_new(f->t, 100, 600, &r), 0);
        assert_int_equal(ring_add(r, "files.allocated", "count", T0, 7.26), 0);
        assert_int_equal(ring_flush(r), 0);
        int64_t count, sum;
        int scale;
        stored(f->t, "files.allocated", &count, &sum, &scale);
        assert_int_equal(scale, 1);
        assert_int_equal(sum, 73);
        ring_free(r);
}

static void test_drops(void **state) {
        struct fixture *f = *state;
        MonitorRing *r;
        assert_int_equal(ring_new(f->t, 2, 3, &r), 0);
        assert_int_equal(ring_add(r, "a", "count", T0, 1), 0);
        assert_int_equal(ring_add(r, "a", "count", T0, 2), 0);        /* the same time */
        assert_int_equal(ring_add(r, "a", "count", T0 - 1000, 2), 0); /* earlier */
        assert_int_equal(ring_add(r, "a", "count", T0 + 1000, NAN), 0);
        assert_int_equal(ring_add(r, "a", "count", T0 + 1000, INFINITY), 0);
        assert_int_equal(ring_add(r, "a", "count", T0 + 1000, 1e19), 0);
        assert_int_equal(ring_add(r, "b", "count", T0, 1), 0);
        assert_int_equal(ring_add(r, "c", "count", T0, 1), 0); /* a third series: past max_series */
        /* Five samples of a with room for three: the oldest two go. */
        for (int i = 1; i <= 5; i++)
                assert_int_equal(ring_add(r, "a", "count", T0 + 1000 * i, i), 0);
        MonitorRingStats s;
        ring_stats(r, &s);
        assert_int_equal(s.series, 2);
        assert_int_equal(s.dropped_order, 2);
        assert_int_equal(s.dropped_value, 3);
        assert_int_equal(s.dropped_series, 1);
        assert_int_equal(s.dropped_overflow, 3); /* T0 and i = 1, 2 */
        assert_int_equal(ring_flush(r), 0);
        int64_t count, sum;
        int scale;
        stored(f->t, "a", &count, &sum, &scale);
        assert_int_equal(count, 3);
        assert_int_equal(sum, 3 + 4 + 5);
        assert_int_equal(tsdb_series_find(f->t, "c", &(int64_t) { 0 }, &scale), -ENOENT);
        /* A smaller max_pending trims what waits. */
        for (int i = 6; i <= 8; i++)
                assert_int_equal(ring_add(r, "a", "count", T0 + 1000 * i, i), 0);
        ring_set_limits(r, 2, 1);
        ring_stats(r, &s);
        assert_int_equal(s.dropped_overflow, 5);
        ring_free(r);
}

/* An earlier run stored a's samples up to T0 + 100 s (a clock since set back): the flush keeps b's. */
static void test_clock_back(void **state) {
        struct fixture *f = *state;
        int64_t a;
        assert_int_equal(tsdb_series(f->t, "a", 0, &a), 0);
        struct store_point p[] = { { T0 + 99000, 1 }, { T0 + 100000, 2 } };
        assert_int_equal(tsdb_log(f->t, &(struct tsdb_chunk_in) { a, p, 2 }, 1), 0);
        MonitorRing *r;
        assert_int_equal(ring_new(f->t, 10, 600, &r), 0);
        for (int i = 0; i < 5; i++) {
                assert_int_equal(ring_add(r, "a", "count", T0 + 1000 * i, 10), 0);
                assert_int_equal(ring_add(r, "b", "count", T0 + 1000 * i, 20), 0);
        }
        assert_int_equal(ring_flush(r), 0);
        MonitorRingStats s;
        ring_stats(r, &s);
        assert_int_equal(s.dropped_order, 5);
        assert_int_equal(s.stored, 5);
        int64_t count, sum;
        int scale;
        stored(f->t, "b", &count, &sum, &scale);
        assert_int_equal(count, 5);
        stored(f->t, "a", &count, &sum, &scale);
        assert_int_equal(count, 2);
        assert_int_equal(sum, 3);
        ring_free(r);
}

/* Many series: the table grows and finds each again. */
static void test_many_series(void **state) {
        struct fixture *f = *state;
        MonitorRing *r;
        assert_int_equal(ring_new(f->t, 5000, 600, &r), 0);
        char name[64];
        for (int k = 0; k < 2; k++)
                for (int i = 0; i < 1000; i++) {
                        snprintf(name, sizeof(name), "net.if%d.rx_bytes_per_s", i);
                        assert_int_equal(ring_add(r, name, "bytes/s", T0 + 1000 * k, i), 0);
                }
        MonitorRingStats s;
        ring_stats(r, &s);
        assert_int_equal(s.series, 1000);
        assert_int_equal(s.points, 2000);
        assert_int_equal(ring_flush(r), 0);
        int64_t count, sum;
        int scale;
        stored(f->t, "net.if777.rx_bytes_per_s", &count, &sum, &scale);
        assert_int_equal(count, 2);
        assert_int_equal(sum, 2 * 77700);
        ring_free(r);
}

struct seen {
        char names[4][64], units[4][16];
        double v[4];
        int64_t t[4];
        int n;
};

static int see(void *userdata, const char *name, const char *unit, int64_t t_ms, double v) {
        struct seen *s = userdata;
        if (s->n == 4)
                return -E2BIG;
        snprintf(s->names[s->n], sizeof(s->names[0]), "%s", name);
        snprintf(s->units[s->n], sizeof(s->units[0]), "%s", unit);
        s->t[s->n] = t_ms;
        s->v[s->n++] = v;
        return 0;
}

/* ring_each_last: every series with a sample, first seen first, its unit and last sample as given
 * (not rounded to its scale), also after a flush; a series whose only sample was dropped is left
 * out; the callback's error stops the walk. */
static void test_each_last(void **state) {
        struct fixture *f = *state;
        MonitorRing *r;
        assert_int_equal(ring_new(f->t, 10, 600, &r), 0);
        assert_int_equal(ring_add(r, "cpu.utilization_pct", "percent", T0, 12.345), 0);
        assert_int_equal(ring_add(r, "memory.used_bytes", "bytes", T0, 1e9), 0);
        assert_int_equal(ring_add(r, "odd.value", NULL, T0, NAN), 0); /* dropped: no sample */
        assert_int_equal(ring_add(r, "cpu.utilization_pct", "percent", T0 + 1000, 50.125), 0);
        assert_int_equal(ring_flush(r), 0);
        struct seen s = {};
        assert_int_equal(ring_each_last(r, see, &s), 0);
        assert_int_equal(s.n, 2);
        assert_string_equal(s.names[0], "cpu.utilization_pct");
        assert_string_equal(s.units[0], "percent");
        assert_int_equal(s.t[0], T0 + 1000);
        assert_true(s.v[0] == 50.125);
        assert_string_equal(s.names[1], "memory.used_bytes");
        assert_string_equal(s.units[1], "bytes");
        assert_int_equal(ring_add(r, "odd.value", NULL, T0 + 2000, 1), 0);
        for (int i = 0; i < 3; i++) {
                char name[32];
                snprintf(name, sizeof(name), "more.s%d", i);
                assert_int_equal(ring_add(r, name, "count", T0, i), 0);
        }
        s = (struct seen) {};
        assert_int_equal(ring_each_last(r, see, &s), -E2BIG);
        assert_string_equal(s.names[2], "odd.value");
        assert_string_equal(s.units[2], ""); /* no unit given */
        ring_free(r);
}

/* ring_forget: a series without a sample since the cut and with nothing pending goes (counted); one
 * with pending samples or a newer sample stays; the rest are still found by name, and a forgotten
 * series that comes back writes to its old series in the store. */
static void test_forget(void **state) {
        struct fixture *f = *state;
        MonitorRing *r;
        assert_int_equal(ring_new(f->t, 3, 600, &r), 0);
        assert_int_equal(ring_add(r, "disk.devices.sdb.util_pct", "percent", T0, 10), 0);
        assert_int_equal(ring_add(r, "cpu.utilization_pct", "percent", T0, 1), 0);
        assert_int_equal(ring_add(r, "memory.used_bytes", "bytes", T0, 5), 0);
        assert_int_equal(ring_forget(r, T0 + 1), 0); /* all pending: nothing goes */
        assert_int_equal(ring_flush(r), 0);
        assert_int_equal(ring_add(r, "cpu.utilization_pct", "percent", T0 + 2000, 2), 0);
        assert_int_equal(ring_add(r, "memory.used_bytes", "bytes", T0 + 2000, 6), 0);
        assert_int_equal(ring_flush(r), 0);
        assert_int_equal(ring_add(r, "net.new", "count", T0 + 3000, 1), 0); /* past max_series */
        MonitorRingStats s;
        ring_stats(r, &s);
        assert_int_equal(s.dropped_series, 1);
        assert_int_equal(ring_forget(r, T0 + 1000), 1);
        ring_stats(r, &s);
        assert_int_equal(s.series, 2);
        assert_int_equal(s.forgotten, 1);
        int64_t t;
        double v;
        assert_int_equal(ring_last(r, "disk.devices.sdb.util_pct", &t, &v), -ENOENT);
        assert_int_equal(ring_last(r, "cpu.utilization_pct", &t, &v), 0);
        assert_true(t == T0 + 2000 && v == 2);
        assert_int_equal(ring_last(r, "memory.used_bytes", &t, &v), 0);
        assert_true(t == T0 + 2000 && v == 6);
        assert_int_equal(ring_add(r, "net.new", "count", T0 + 3000, 1), 0); /* its place is free */
        assert_int_equal(ring_add(r, "disk.devices.sdb.util_pct", "percent", T0 + 4000, 20), 0);
        ring_stats(r, &s);
        assert_int_equal(s.dropped_series, 2);          /* full again */
        assert_int_equal(ring_forget(r, T0 + 3500), 2); /* net.new is pending: it stays */
        assert_int_equal(ring_last(r, "net.new", &t, &v), 0);
        assert_int_equal(ring_flush(r), 0);
        assert_int_equal(ring_forget(r, T0 + 3500), 1);
        assert_int_equal(ring_add(r, "disk.devices.sdb.util_pct", "percent", T0 + 4000, 20), 0);
        assert_int_equal(ring_flush(r), 0);
        int64_t count, sum;
        int scale;
        stored(f->t, "disk.devices.sdb.util_pct", &count, &sum, &scale);
        assert_int_equal(count, 2);
        assert_int_equal(sum, 3000); /* 10 and 20 at scale 2 */
        ring_free(r);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_flush_and_read, setup, teardown),
                cmocka_unit_test_setup_teardown(test_existing_scale, setup, teardown),
                cmocka_unit_test_setup_teardown(test_drops, setup, teardown),
                cmocka_unit_test_setup_teardown(test_clock_back, setup, teardown),
                cmocka_unit_test_setup_teardown(test_many_series, setup, teardown),
                cmocka_unit_test_setup_teardown(test_each_last, setup, teardown),
                cmocka_unit_test_setup_teardown(test_forget, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
