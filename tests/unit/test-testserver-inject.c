/* SPDX-License-Identifier: MIT */
/* The test server's decisions (tests/servers/testserver-inject.h) without sockets: the capacity
 * spaces answers 1/R apart and counts the queue, a full queue answers 503 at once, a stall moves
 * answers to its end, error and reset rates hold for a seed and repeat with it, the delay
 * distributions have their means, and /_control applies all of a query or nothing. */
#include <math.h>
#include <string.h>

#include "macro.h"
#include "support.h"
#include "testserver-inject.h"

#define MS 1000000ull
#define S 1000000000ull

static void test_capacity_queue(void **state)
{
        Settings set;
        settings_defaults(&set);
        set.capacity = 100;
        set.max_queue = 5;
        Injector in;
        injector_init(&in, &set, 0);
        Decision d;
        /* Ten requests at once: one every 10 ms, five queued, then 503 without waiting. */
        for (unsigned i = 0; i < 10; i++) {
                injector_decide(&in, 0, &d);
                if (i < 5) {
                        assert_int_equal(d.status, 200);
                        assert_int_equal(d.ready_ns, (i + 1) * 10 * MS);
                } else {
                        assert_int_equal(d.status, 503);
                        assert_int_equal(d.ready_ns, 0);
                }
        }
        assert_int_equal(injector_queued(&in, 0), 5);
        assert_int_equal(injector_queued(&in, 25 * MS), 3);
        assert_int_equal(in.st.rejected_queue_full, 5);
        assert_int_equal(in.st.served, 5);
        assert_int_equal(in.st.received, 10);
        /* Once the queue drained a request is served at once. */
        injector_decide(&in, S, &d);
        assert_int_equal(d.ready_ns, S);
}

static void test_stall(void **state)
{
        Settings set;
        settings_defaults(&set);
        set.stall_every_s = 1;
        set.stall_ms = 300;
        set.delay_ms = 50;
        Injector in;
        injector_init(&in, &set, 0);
        Decision d;
        injector_decide(&in, 500 * MS, &d);             /* not in a window */
        assert_int_equal(d.ready_ns, 550 * MS);
        injector_decide(&in, 980 * MS, &d);             /* due at 1.030 s: inside [1, 1.3) */
        assert_int_equal(d.ready_ns, 1300 * MS);
        injector_decide(&in, 2250 * MS, &d);            /* due at 2.300 s: the window's end */
        assert_int_equal(d.ready_ns, 2300 * MS);
        assert_int_equal(in.st.stalled, 1);
}

static void count(double error_rate, double reset_rate, uint64_t seed, unsigned n, Injector *in)
{
        Settings set;
        settings_defaults(&set);
        set.error_rate = error_rate;
        set.reset_rate = reset_rate;
        set.seed = (double) seed;
        injector_init(in, &set, 0);
        Decision d;
        for (unsigned i = 0; i < n; i++)
                injector_decide(in, i, &d);
}

static void test_rates_and_seed(void **state)
{
        Injector a, b, c;
        count(0.2, 0.05, 7, 20000, &a);
        assert_true(fabs((double) a.st.errors_injected / 20000 - 0.2 * 0.95) < 0.01);
        assert_true(fabs((double) a.st.resets_injected / 20000 - 0.05) < 0.005);
        assert_int_equal(a.st.served + a.st.errors_injected + a.st.resets_injected, 20000);
        count(0.2, 0.05, 7, 20000, &b);
        assert_int_equal(a.st.errors_injected, b.st.errors_injected);
        assert_int_equal(a.st.resets_injected, b.st.resets_injected);
        count(0.2, 0.05, 8, 20000, &c);
        assert_true(a.st.errors_injected != c.st.errors_injected || a.st.resets_injected != c.st.resets_injected);
}

static void test_delays(void **state)
{
        const char *dists[] = { "fixed", "uniform", "exponential" };
        for (size_t k = 0; k < ELEMENTSOF(dists); k++) {
                Settings set;
                const char *why;
                settings_defaults(&set);
                assert_int_equal(settings_set(&set, "delay_dist", dists[k], &why), 0);
                assert_int_equal(settings_set(&set, "delay_ms", "10", &why), 0);
                assert_int_equal(settings_set(&set, "delay_spread_ms", "5", &why), 0);
                Injector in;
                injector_init(&in, &set, 0);
                Decision d;
                double lo = INFINITY, hi = 0;
                for (unsigned i = 0; i < 20000; i++) {
                        injector_decide(&in, 0, &d);
                        lo = MIN(lo, (double) d.ready_ns / 1e6);
                        hi = MAX(hi, (double) d.ready_ns / 1e6);
                }
                assert_true(fabs(in.st.delay_ms_sum / 20000 - 10) < 0.2);
                if (k == 0)
                        assert_true(lo == 10 && hi == 10);
                if (k == 1)
                        assert_true(lo >= 5 && lo < 5.1 && hi <= 15 && hi > 14.9);
                if (k == 2)
                        assert_true(lo < 0.1 && hi > 60);
        }
}

static void test_control(void **state)
{
        Settings set;
        settings_defaults(&set);
        Injector in;
        injector_init(&in, &set, 0);
        char out[1024];
        assert_int_equal(injector_control(&in, "capacity=500&delay_ms=5", out, sizeof(out)), 200);
        assert_true(in.s.capacity == 500 && in.s.delay_ms == 5);
        assert_non_null(strstr(out, "\"capacity\": 500"));
        /* One bad pair: nothing changes, and the answer names it. */
        assert_int_equal(injector_control(&in, "capacity=900&error_rate=1.5", out, sizeof(out)), 400);
        assert_true(in.s.capacity == 500 && in.s.error_rate == 0);
        assert_non_null(strstr(out, "error_rate=1.5: bad value"));
        assert_int_equal(injector_control(&in, "nosuch=1", out, sizeof(out)), 400);
        assert_non_null(strstr(out, "no such setting"));
        assert_int_equal(injector_control(&in, "capacity", out, sizeof(out)), 400);
        assert_int_equal(injector_control(&in, "error_status=404", out, sizeof(out)), 400);
        assert_int_equal(injector_control(&in, "", out, sizeof(out)), 200);
        injector_stats(&in, 0, 0, out, sizeof(out));
        assert_non_null(strstr(out, "\"control_requests\": 6"));
        assert_non_null(strstr(out, "\"settings\": {"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_capacity_queue),
                cmocka_unit_test(test_stall),
                cmocka_unit_test(test_rates_and_seed),
                cmocka_unit_test(test_delays),
                cmocka_unit_test(test_control),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
