/* SPDX-License-Identifier: MIT */
/* The window's numbers on a synthetic clock (issue 21, points 1-4 and 11): a rate's value is the
 * window's total delta over its total time whatever the lengths of its intervals (the slow sources'
 * 5 s and remainder intervals, a shorter last interval, an interrupted one); an interrupt reads the
 * slow files once more; Tcp CurrEstab is read at every sample; a duration that is not a multiple of
 * the interval ends on time; the total page-fault rate is there. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profiler.h"
#include "support.h"

/* Connections, listen overflows, swap-ins and page faults happen at `rate` per second between
 * burst_from and burst_to (seconds into the window) and not otherwise. */
typedef struct Clock {
        const char *dir;
        uint64_t t0, now;
        double burst_from, burst_to, rate;
        unsigned waits, stop_at;        /* wait number that ends the window (0: never) */
        double stop_at_s;               /* when (seconds into the window) that stop comes */
} Clock;

static double elapsed(const Clock *c) {
        return (double) (c->now - c->t0) / 1e6;
}

static unsigned long long burst_count(const Clock *c) {
        double t = fmin(fmax(elapsed(c), c->burst_from), c->burst_to);
        return (unsigned long long) llround((t - c->burst_from) * c->rate);
}

static void set_counters(Clock *c) {
        unsigned long long n = burst_count(c), t = (unsigned long long) llround(elapsed(c));
        test_writef(c->dir, "proc/net/netstat", "TcpExt: ListenOverflows ListenDrops\nTcpExt: %llu %llu\n", n, n);
        test_writef(c->dir, "proc/vmstat", "nr_free_pages 1000\npgfault %llu\npswpin %llu\npswpout 0\npgmajfault %llu\n",
                    1000 + 3 * n, n, n / 10);
        /* CurrEstab is t² at whole seconds: its average over every sample differs from that of 0, 5, 10 s.
         * Each connection sends 2 segments and retransmits 1; 1000 more segments a second are clean. */
        test_writef(c->dir, "proc/net/snmp",
                    "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets "
                    "CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\n"
                    "Tcp: 1 200 120000 -1 %llu %llu 0 0 %llu 100 %llu %llu 0 0 0\n",
                    n, n, t * t, 2 * n + 1000 * t, n);
        /* vda: each connection reads once, in 1 ms; one read a second more takes 100 ms. */
        test_writef(c->dir, "proc/diskstats", " 254       0 vda %llu 0 0 %llu 0 0 0 0 0 0 0 0 0 0 0 0 0\n", n + t,
                    n + 100 * t);
}

static uint64_t clock_now(void *userdata) {
        return ((Clock *) userdata)->now;
}

static bool clock_wait(uint64_t deadline, void *userdata) {
        Clock *c = userdata;
        bool stop = ++c->waits == c->stop_at;
        c->now = stop ? c->t0 + (uint64_t) llround(c->stop_at_s * 1e6) : deadline;
        set_counters(c);
        return !stop;
}

static json_t *run_window(Clock *c, double duration_s, double interval_s) {
        Sysroot *root = NULL;
        Profiler *p = NULL;
        json_t *doc = NULL;
        c->t0 = c->now = 1000000;
        assert_int_equal(sysroot_open(c->dir, &root), 0);
        set_counters(c);
        assert_int_equal(profiler_new(root, &p), 0);
        ProfilerWindow w = { .duration_s = duration_s, .interval_s = interval_s, .now = clock_now,
                             .wait_until = clock_wait, .userdata = c };
        assert_int_equal(profiler_run(p, &w), 0);
        assert_int_equal(profiler_report(p, duration_s, interval_s, &doc), 0);
        profiler_free(p);
        sysroot_free(root);
        return doc;
}

/* Each test gets a fresh copy of the captured VM tree in *state. */
static int setup(void **state) {
        char *dir = test_tmpdir();
        test_copy_fixture("captured-vm", dir);
        *state = dir;
        return 0;
}

static int teardown(void **state) {
        test_rm_rf(*state);
        free(*state);
        return 0;
}

static void assert_near(double got, double want, const char *what) {
        if (fabs(got - want) > 1e-3 * fmax(fabs(want), 1))
                fail_msg("%s: %.4f, want %.4f", what, got, want);
}

static void assert_metric(const json_t *doc, const char *path, double want) {
        char full[160];
        snprintf(full, sizeof(full), "resources.%s.value", path);
        assert_near(test_num(doc, full), want, path);
}

/* Point 1: a 4 s burst at the start of a 7 s window. The slow sources have a 5 s and a 2 s interval;
 * the plain mean of their rates (3145/5 and 0) read 30 % low. */
static void test_burst_at_start(void **state) {
        const char *dir = *state;
        Clock c = { .dir = dir, .burst_from = 0, .burst_to = 4, .rate = 3145 };
        json_t *doc = run_window(&c, 7, 1);
        assert_int_equal((int) test_num(doc, "window.full_samples"), 3);
        double want = 3145.0 * 4 / 7;
        assert_metric(doc, "network.tcp.listen_overflows_per_s", want);
        assert_metric(doc, "memory.swap_in_per_s", want);
        assert_metric(doc, "network.tcp.active_opens_per_s", want);
        /* The time-weighted p95 of 5 s at 2516/s and 2 s at 0 is 2516; the lengths are given. */
        assert_near(test_num(doc, "resources.network.tcp.listen_overflows_per_s.p95"), 3145.0 * 4 / 5, "p95");
        assert_near(test_num(doc, "resources.network.tcp.listen_overflows_per_s.span_s"), 7, "span_s");
        assert_near(test_num(doc, "resources.network.tcp.listen_overflows_per_s.shortest_interval_s"), 2, "shortest");
        assert_near(test_num(doc, "resources.network.tcp.listen_overflows_per_s.longest_interval_s"), 5, "longest");
        /* The finding quotes the window's rate too. */
        json_t *f = test_find_finding(doc, "network.tcp.listen_overflows_per_s");
        assert_non_null(f);
        assert_near(json_number_value(json_object_get(f, "value")), want, "finding");
        json_decref(doc);
        /* --duration 12: intervals of 5, 5 and 2 s, the burst in the last 2. */
        c = (Clock) { .dir = dir, .burst_from = 10, .burst_to = 12, .rate = 1000 };
        doc = run_window(&c, 12, 1);
        assert_metric(doc, "network.tcp.listen_overflows_per_s", 1000.0 * 2 / 12);
        json_decref(doc);
}

/* Ratios of counters weigh each interval by its denominator: retrans_pct is Σ RetransSegs / Σ OutSegs
 * and an await Σ ms / Σ I/Os (iostat's await over the window), not the mean of the intervals' ratios
 * (24.6 % and 43.5 ms here). */
static void test_ratios_weigh_their_denominators(void **state) {
        const char *dir = *state;
        Clock c = { .dir = dir, .burst_from = 0, .burst_to = 4, .rate = 3145 };
        json_t *doc = run_window(&c, 7, 1);
        double n = 3145.0 * 4;
        assert_metric(doc, "network.tcp.retrans_pct", 100 * n / (2 * n + 7000));
        assert_metric(doc, "disk.devices.vda.r_await_ms", (n + 700) / (n + 7));
        assert_null(test_path(doc, "resources.network.tcp.retrans_pct.span_s"));   /* weights are not seconds */
        assert_metric(doc, "disk.devices.vda.read_iops", (n + 7) / 7);
        json_decref(doc);
}

/* Point 11: every page fault, minor and major (pgfault), next to the major ones. */
static void test_page_faults(void **state) {
        const char *dir = *state;
        Clock c = { .dir = dir, .burst_from = 0, .burst_to = 10, .rate = 100 };
        json_t *doc = run_window(&c, 10, 1);
        assert_metric(doc, "memory.page_faults_per_s", 300);
        assert_metric(doc, "memory.major_faults_per_s", 10);
        assert_string_equal(json_string_value(test_path(doc, "resources.memory.page_faults_per_s.unit")), "1/s");
        json_decref(doc);
}

/* Point 2: Ctrl-C at 8.3 s; the connections between the 5 s full sample and 7.6 s count, over the
 * 8.3 s sampled. */
static void test_interrupt_counts_the_tail(void **state) {
        const char *dir = *state;
        Clock c = { .dir = dir, .burst_from = 5.3, .burst_to = 7.6, .rate = 1000, .stop_at = 9, .stop_at_s = 8.3 };
        json_t *doc = run_window(&c, 10, 1);
        assert_true(json_is_true(json_object_get(doc, "interrupted")));
        assert_near(test_num(doc, "window.duration_s"), 8.3, "duration");
        assert_int_equal((int) test_num(doc, "window.full_samples"), 3);
        double want = 2300 / 8.3;
        assert_metric(doc, "network.tcp.listen_overflows_per_s", want);
        assert_metric(doc, "memory.swap_in_per_s", want);
        assert_metric(doc, "network.tcp.active_opens_per_s", want);
        json_decref(doc);
}

/* Point 3: Tcp CurrEstab (t² connections at t s) is read at each of the 11 samples of a 10 s window,
 * not only at the 3 full ones. */
static void test_curr_estab_every_sample(void **state) {
        const char *dir = *state;
        Clock c = { .dir = dir, .burst_to = 10, .rate = 1 };
        json_t *doc = run_window(&c, 10, 1);
        assert_int_equal((int) test_num(doc, "resources.network.tcp.curr_estab.n"), 11);
        assert_metric(doc, "network.tcp.curr_estab", 385.0 / 11);   /* (0 + 1 + 4 + ... + 100) / 11 */
        json_decref(doc);
}

/* Point 4: 10 s at a 4 s interval samples at 0, 4, 8 and 10 s (not 12 s); 10 s at 3 s at 0, 3, 6, 9
 * and 10 s (not 9 s). A burst in the last 2 s counts over 10 s. */
static void test_duration_ends_on_time(void **state) {
        const char *dir = *state;
        Clock c = { .dir = dir, .burst_from = 8, .burst_to = 12, .rate = 1000 };
        json_t *doc = run_window(&c, 10, 4);
        assert_true(c.now == c.t0 + 10000000);
        assert_int_equal((int) test_num(doc, "window.samples"), 4);
        assert_metric(doc, "network.tcp.active_opens_per_s", 2000.0 / 10);
        assert_metric(doc, "network.tcp.listen_overflows_per_s", 2000.0 / 10);
        assert_near(test_num(doc, "resources.network.tcp.active_opens_per_s.shortest_interval_s"), 2, "shortest");
        json_decref(doc);
        c = (Clock) { .dir = dir, .burst_from = 0, .burst_to = 10, .rate = 30 };
        doc = run_window(&c, 10, 3);
        assert_true(c.now == c.t0 + 10000000);
        assert_int_equal((int) test_num(doc, "window.samples"), 5);
        assert_metric(doc, "network.tcp.active_opens_per_s", 30);
        json_decref(doc);
        /* A remainder under 10 ms is no interval of its own: 1.005 s at 0.5 s samples at 0, 0.5, 1.005 s. */
        c = (Clock) { .dir = dir, .burst_from = 0, .burst_to = 2, .rate = 1000 };
        doc = run_window(&c, 1.005, 0.5);
        assert_true(c.now == c.t0 + 1005000);
        assert_int_equal((int) test_num(doc, "window.samples"), 3);
        json_decref(doc);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_burst_at_start, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ratios_weigh_their_denominators, setup, teardown),
                cmocka_unit_test_setup_teardown(test_page_faults, setup, teardown),
                cmocka_unit_test_setup_teardown(test_interrupt_counts_the_tail, setup, teardown),
                cmocka_unit_test_setup_teardown(test_curr_estab_every_sample, setup, teardown),
                cmocka_unit_test_setup_teardown(test_duration_ends_on_time, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
