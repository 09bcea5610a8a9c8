/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "proc-stat.h"
#include "series.h"
#include "support.h"

static const char stat_text[] =
        "cpu  100 5 50 1000 20 3 7 9 0 0\n"
        "cpu0 60 5 30 400 10 2 4 5 0 0\n"
        "cpu1 40 0 20 600 10 1 3 4 0 0\n"
        "intr 1234 0 0 0\n"
        "ctxt 98765\n"
        "btime 1700000000\n"
        "processes 4321\n"
        "procs_running 3\n"
        "procs_blocked 1\n"
        "softirq 10 1 2 3 4 5 6 7 8 9 10\n";

static void test_parse(void **state) {
        ProcStat *ps = malloc(sizeof(*ps));
        assert_int_equal(proc_stat_parse(stat_text, strlen(stat_text), ps), 0);
        assert_int_equal(ps->total.t[CPU_USER], 100);
        assert_int_equal(ps->total.t[CPU_STEAL], 9);
        assert_int_equal(ps->ncpu, 2);
        assert_int_equal(ps->cpu_id[1], 1);
        assert_int_equal(ps->cpu[0].t[CPU_IDLE], 400);
        assert_int_equal(ps->ctxt, 98765);
        assert_int_equal(ps->processes, 4321);
        assert_int_equal(ps->procs_running, 3);
        assert_int_equal(ps->procs_blocked, 1);
        free(ps);
}

static void test_malformed(void **state) {
        ProcStat *ps = malloc(sizeof(*ps));
        assert_int_equal(proc_stat_parse("", 0, ps), -EBADMSG);
        /* Truncated anywhere: never a crash, and an error once required lines are cut. */
        for (size_t n = 0; n < strlen(stat_text); n++)
                (void) proc_stat_parse(stat_text, n, ps);
        assert_int_equal(proc_stat_parse(stat_text, 40, ps), -EBADMSG);
        const char bad[] = "cpu 1 2 x 4\nctxt 1\nprocs_running 1\n";
        assert_int_equal(proc_stat_parse(bad, strlen(bad), ps), -EBADMSG);
        const char badid[] = "cpu 1 2 3 4 5\ncpuX 1 2 3 4\nctxt 1\nprocs_running 1\n";
        assert_int_equal(proc_stat_parse(badid, strlen(badid), ps), -EBADMSG);
        /* Old kernels: five tick columns only. */
        const char old[] = "cpu 1 2 3 4 5\nctxt 1\nprocs_running 1\n";
        assert_int_equal(proc_stat_parse(old, strlen(old), ps), 0);
        assert_int_equal(ps->total.t[CPU_STEAL], 0);
        free(ps);
}

static void test_counter_delta(void **state) {
        uint64_t d;
        assert_true(counter_delta(10, 15, &d));
        assert_int_equal(d, 5);
        /* 32-bit wrap: an old value near 2^32, a small new one. */
        assert_true(counter_delta(UINT32_MAX - 4, 5, &d));
        assert_int_equal(d, 10);
        /* A reset (device re-attached): no delta. */
        assert_false(counter_delta(1000, 10, &d));
        assert_false(counter_delta(UINT64_MAX - 1, 3, &d));
}

static void test_summary(void **state) {
        double v[20];
        for (int i = 0; i < 20; i++)
                v[i] = 20 - i;          /* 20..1 */
        SeriesSummary s = series_summarize(v, 20);
        assert_true(s.min == 1 && s.max == 20 && s.avg == 10.5);
        assert_true(s.p95 == 19);      /* nearest rank: ceil(0.95 * 20) = 19th value */
        s = series_summarize(v, 0);
        assert_int_equal(s.n, 0);
        double one = 7;
        s = series_summarize(&one, 1);
        assert_true(s.p95 == 7 && s.min == 7);
}

/* Rates of unequal intervals: 5 s at 100/s and 2 s at 0/s are 500 events in 7 s, 71.4/s (their plain
 * mean reads 50); 95 % of the time is at or below 100/s; the weights' extremes are kept. */
static void test_summary_weighted(void **state) {
        Series s = {};
        assert_int_equal(series_push_rate(&s, 500, 5), 0);
        assert_int_equal(series_push_rate(&s, 0, 2), 0);
        SeriesSummary m = series_summarize_weighted(s.v, s.w, s.n);
        assert_true(fabs(m.avg - 500.0 / 7) < 1e-9);
        assert_true(m.p95 == 100 && m.min == 0 && m.max == 100);
        assert_true(m.span == 7 && m.w_min == 2 && m.w_max == 5);
        /* 19 s at 1/s and 1 s at 50/s: 5 % of the time is above 1/s, so p95 is 1; 1.1 s at 50/s tips it. */
        double v[] = { 1, 50 }, w[] = { 19, 1 };
        assert_true(series_summarize_weighted(v, w, 2).p95 == 1);
        w[1] = 1.1;
        assert_true(series_summarize_weighted(v, w, 2).p95 == 50);
        series_free(&s);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_counter_delta),
                cmocka_unit_test(test_summary),
                cmocka_unit_test(test_summary_weighted),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
