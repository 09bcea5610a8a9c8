/* SPDX-License-Identifier: MIT */
/* profiler_run(): the window on a synthetic clock over a fixture tree whose counters grow between
 * samples. A window cut short (as by Ctrl-C) ends with one last full sample, so the rates of the
 * sources read at full samples only (netstat, vmstat) survive and cover the time sampled; the
 * document says "interrupted" with the real length. Progress counts samples as the report does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profiler.h"
#include "support.h"

typedef struct Clock {
        const char *dir;
        uint64_t now;
        unsigned waits, stop_at;        /* wait number that ends the window (0: never) */
        uint64_t stop_after_usec;       /* how far into that wait the stop comes */
        unsigned progress_taken[32], progress_total[32], n_progress;
} Clock;

/* The counters a window's rates are made of: 40 listen overflows and 20 pages swapped in per second. */
static void set_counters(Clock *c) {
        unsigned long long s = c->now / 1000;   /* milliseconds */
        test_writef(c->dir, "proc/net/netstat", "TcpExt: ListenOverflows ListenDrops\nTcpExt: %llu %llu\n", s * 40 / 1000,
                    s * 40 / 1000);
        test_writef(c->dir, "proc/vmstat", "nr_free_pages 1000\npswpin %llu\npswpout 0\npgmajfault 0\n", s * 20 / 1000);
}

static uint64_t clock_now(void *userdata) {
        return ((Clock *) userdata)->now;
}

static bool clock_wait(uint64_t deadline, void *userdata) {
        Clock *c = userdata;
        bool stop = ++c->waits == c->stop_at;
        c->now = stop ? c->now + c->stop_after_usec : deadline;
        set_counters(c);
        return !stop;
}

static void clock_progress(unsigned taken, unsigned total, double elapsed_s, void *userdata) {
        Clock *c = userdata;
        if (c->n_progress < 32) {
                c->progress_taken[c->n_progress] = taken;
                c->progress_total[c->n_progress++] = total;
        }
}

static json_t *run_window(Clock *c, double duration_s, bool *ret_interrupted) {
        Sysroot *root = NULL;
        Profiler *p = NULL;
        json_t *doc = NULL;
        assert_int_equal(sysroot_open(c->dir, &root), 0);
        set_counters(c);
        assert_int_equal(profiler_new(root, &p), 0);
        ProfilerWindow w = { .duration_s = duration_s, .interval_s = 1, .now = clock_now, .wait_until = clock_wait,
                             .progress = clock_progress, .userdata = c };
        assert_int_equal(profiler_run(p, &w), 0);
        *ret_interrupted = profiler_interrupted(p);
        assert_int_equal(profiler_report(p, duration_s, 1, &doc), 0);
        profiler_free(p);
        sysroot_free(root);
        return doc;
}

static char *fixture(void) {
        char *dir = test_tmpdir();
        test_copy_fixture("captured-vm", dir);
        return dir;
}

/* Stopped 0.5 s into the wait for the third sample of a 10 s window: before the second full sample
 * (5 s), which today's last sample replaces. */
static void test_cut_short_keeps_rates(void **state) {
        char *dir = fixture();
        Clock c = { .dir = dir, .now = 1000000, .stop_at = 3, .stop_after_usec = 500000 };
        bool interrupted;
        json_t *doc = run_window(&c, 10, &interrupted);
        assert_true(interrupted);
        assert_true(json_is_true(json_object_get(doc, "interrupted")));
        assert_true(json_is_true(test_path(doc, "window.interrupted")));
        assert_true(test_num(doc, "window.duration_s") > 2.49 && test_num(doc, "window.duration_s") < 2.51);
        assert_true(test_num(doc, "window.requested_duration_s") == 10);
        assert_int_equal((int) test_num(doc, "window.samples"), 4);
        assert_int_equal((int) test_num(doc, "window.full_samples"), 2);
        /* 100 overflows and 50 pages over the 2.5 s sampled. */
        assert_non_null(test_path(doc, "resources.network.tcp.listen_overflows_per_s"));
        assert_true(test_num(doc, "resources.network.tcp.listen_overflows_per_s.value") > 39.9 &&
                    test_num(doc, "resources.network.tcp.listen_overflows_per_s.value") < 40.1);
        assert_true(test_num(doc, "resources.memory.swap_in_per_s.value") > 19.9 &&
                    test_num(doc, "resources.memory.swap_in_per_s.value") < 20.1);
        assert_null(test_path(doc, "resources.network.unavailable.netstat_rates"));
        assert_null(test_path(doc, "resources.memory.unavailable.vmstat_rates"));
        assert_non_null(test_find_finding(doc, "network.tcp.listen_overflows_per_s"));
        json_decref(doc);
        test_rm_rf(dir);
        free(dir);
}

/* Stopped before the first interval ended: still two samples, and rates over the 0.3 s sampled. */
static void test_cut_before_first_interval(void **state) {
        char *dir = fixture();
        Clock c = { .dir = dir, .now = 1000000, .stop_at = 1, .stop_after_usec = 300000 };
        bool interrupted;
        json_t *doc = run_window(&c, 10, &interrupted);
        assert_true(interrupted);
        assert_int_equal((int) test_num(doc, "window.samples"), 2);
        assert_true(test_num(doc, "window.duration_s") > 0.29 && test_num(doc, "window.duration_s") < 0.31);
        assert_true(test_num(doc, "resources.memory.swap_in_per_s.value") > 19 &&
                    test_num(doc, "resources.memory.swap_in_per_s.value") < 21);
        json_decref(doc);
        test_rm_rf(dir);
        free(dir);
}

/* Stopped microseconds after the first sample: no rate over such a window, each source that feeds
 * rates says why (the interrupted reason), and the window is one sample long. */
static void test_cut_within_microseconds(void **state) {
        char *dir = fixture();
        Clock c = { .dir = dir, .now = 1000000, .stop_at = 1, .stop_after_usec = 3 };
        bool interrupted;
        json_t *doc = run_window(&c, 10, &interrupted);
        assert_true(interrupted);
        assert_true(json_is_true(json_object_get(doc, "interrupted")));
        assert_int_equal((int) test_num(doc, "window.samples"), 1);
        assert_true(test_num(doc, "window.duration_s") < 0.01);
        assert_null(test_path(doc, "resources.memory.swap_in_per_s"));
        assert_null(test_path(doc, "resources.network.tcp.listen_overflows_per_s"));
        const char *paths[] = { "resources.network.unavailable.netstat_rates", "resources.memory.unavailable.vmstat_rates",
                                "resources.cpu.unavailable.rates", "resources.interrupts.unavailable.softnet_rates" };
        for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
                const char *why = json_string_value(test_path(doc, paths[i]));
                assert_non_null(why);
                assert_non_null(strstr(why, "the window was interrupted after"));
        }
        json_decref(doc);
        /* Just over the minimum: two samples, and rates. */
        c = (Clock) { .dir = dir, .now = 1000000, .stop_at = 1, .stop_after_usec = 20000 };
        doc = run_window(&c, 10, &interrupted);
        assert_int_equal((int) test_num(doc, "window.samples"), 2);
        assert_non_null(test_path(doc, "resources.memory.swap_in_per_s"));
        json_decref(doc);
        test_rm_rf(dir);
        free(dir);
}

/* A whole window: not interrupted, the asked length, and progress counts samples of the total. */
static void test_full_window_progress(void **state) {
        char *dir = fixture();
        Clock c = { .dir = dir, .now = 1000000 };
        bool interrupted;
        json_t *doc = run_window(&c, 3, &interrupted);
        assert_false(interrupted);
        assert_true(json_is_false(json_object_get(doc, "interrupted")));
        assert_null(test_path(doc, "window.requested_duration_s"));
        assert_true(test_num(doc, "window.duration_s") == 3);
        unsigned samples = (unsigned) test_num(doc, "window.samples");
        assert_int_equal(samples, 4);
        assert_int_equal(c.n_progress, 3);
        for (unsigned i = 0; i < c.n_progress; i++) {
                assert_int_equal(c.progress_taken[i], i + 1);
                assert_int_equal(c.progress_total[i], samples);
        }
        json_decref(doc);
        test_rm_rf(dir);
        free(dir);
}

/* A snapshot has no rates, and says why for each source that feeds them. */
static void test_snapshot_reasons(void **state) {
        char *dir = fixture();
        Clock c = { .dir = dir, .now = 1000000 };
        bool interrupted;
        json_t *doc = run_window(&c, 0, &interrupted);
        assert_false(interrupted);
        assert_int_equal(c.waits, 0);
        const char *paths[] = { "resources.network.unavailable.netstat_rates", "resources.memory.unavailable.vmstat_rates",
                                "resources.cpu.unavailable.rates", "resources.interrupts.unavailable.softnet_rates" };
        for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
                const char *why = json_string_value(test_path(doc, paths[i]));
                assert_non_null(why);
                assert_non_null(strstr(why, "--duration 0 is an instant snapshot"));
        }
        json_decref(doc);
        test_rm_rf(dir);
        free(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_cut_short_keeps_rates),
                cmocka_unit_test(test_cut_before_first_interval),
                cmocka_unit_test(test_cut_within_microseconds),
                cmocka_unit_test(test_full_window_progress),
                cmocka_unit_test(test_snapshot_reasons),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
