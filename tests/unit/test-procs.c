/* SPDX-License-Identifier: MIT */
/* The top CPU processes (collect-procs.c) and the /proc/PID/stat parser behind them. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc-pidstat.h"
#include "support.h"

/* A stat line as the kernel writes it; priority and nice negative, as for a real-time task. */
static void write_stat_children(const char *dir, int pid, const char *comm, unsigned utime, unsigned stime,
                                unsigned cutime, unsigned start) {
        char rel[64];
        snprintf(rel, sizeof(rel), "proc/%d/stat", pid);
        test_writef(dir, rel, "%d (%s) S 1 %d %d 0 -1 4194560 100 0 0 0 %u %u %u %u -2 -5 3 0 %u 1000 200 "
                    "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n",
                    pid, comm, pid, pid, utime, stime, cutime, cutime / 2, start);
}

static void write_stat(const char *dir, int pid, const char *comm, unsigned utime, unsigned stime, unsigned start) {
        write_stat_children(dir, pid, comm, utime, stime, 0, start);
}

static void test_parse(void **state) {
        char line[512];
        snprintf(line, sizeof(line), "42 (a) (b c)) R 1 42 42 0 -1 0 0 0 0 0 700 300 5 6 -100 -20 9 0 123456 0 0\n");
        PidStat ps;
        assert_int_equal(pidstat_parse(line, strlen(line), &ps), 0);
        assert_string_equal(ps.comm, "a) (b c)");
        assert_int_equal(ps.ppid, 1);
        assert_int_equal(ps.utime, 700);
        assert_int_equal(ps.stime, 300);
        assert_int_equal(ps.cutime, 5);
        assert_int_equal(ps.cstime, 6);
        assert_int_equal(ps.threads, 9);
        assert_int_equal(ps.starttime, 123456);
        /* Truncated at every byte before starttime's first digit: an error, never a read past the end. */
        size_t need = strstr(line, "123456") - line + 1;
        for (size_t n = 0; n < strlen(line); n++) {
                char *copy = malloc(n ? n : 1);
                memcpy(copy, line, n);
                assert_int_equal(pidstat_parse(copy, n, &ps) == 0, n >= need);
                free(copy);
        }
        const char *bad[] = { "", "42 a) R", "42 (a R 1", "42 (a) R 1 x 2", ")(" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_int_equal(pidstat_parse(bad[i], strlen(bad[i]), &ps), -EBADMSG);
}

/* Over 2 s (3 samples): 1 uses 50 ticks (25 %), 200 uses 300 (150 %: two busy threads), 300 none,
 * 400 is new in the window (all its 40 ticks count), 500's PID is reused (a new starttime: its 10
 * ticks count, not the difference with the old process's 900), 600's stat is garbage. */
static void step(const char *dir, unsigned i, void *userdata) {
        write_stat(dir, 1, "init", 100 + 25 * i, 0, 1);
        write_stat(dir, 200, "busy worker", 1000 + 100 * i, 50 * i, 50);
        write_stat(dir, 300, "idle", 5, 5, 60);
        if (i > 0)
                write_stat(dir, 400, "new", 20 * i, 0, 900);
        write_stat(dir, 500, i < 2 ? "old" : "reused", i < 2 ? 900 : 10, 0, i < 2 ? 70 : 950);
        test_write(dir, "proc/600/stat", "600 (x) R nonsense\n");
        test_write(dir, "proc/200/fd/0", "");
        test_write(dir, "proc/200/fd/1", "");
        test_write(dir, "proc/200/fd/7", "");
}

static void test_top_processes(void **state) {
        char *dir = test_tmpdir();
        json_t *doc = test_profile(dir, 3, step, NULL);
        json_t *top = test_path(doc, "resources.cpu.top_processes");
        assert_non_null(top);
        assert_int_equal(json_array_size(top), 4);
        double hz = (double) sysconf(_SC_CLK_TCK);
        int pids[] = { 200, 1, 400, 500 };
        double ticks[] = { 300, 50, 40, 10 };
        for (size_t i = 0; i < 4; i++) {
                json_t *p = json_array_get(top, i);
                assert_int_equal(json_integer_value(json_object_get(p, "pid")), pids[i]);
                assert_float_equal(json_number_value(json_object_get(p, "cpu_pct")), 100 * ticks[i] / (hz * 2), 0.01);
        }
        json_t *busy = json_array_get(top, 0);
        assert_string_equal(json_string_value(json_object_get(busy, "comm")), "busy worker");
        assert_int_equal(json_integer_value(json_object_get(busy, "threads")), 3);
        assert_int_equal(json_integer_value(json_object_get(busy, "fds")), 3);
        assert_true(json_is_null(json_object_get(json_array_get(top, 1), "fds")));     /* no fd dir */
        assert_string_equal(json_string_value(json_object_get(json_array_get(top, 3), "comm")), "reused");
        json_decref(doc);
        test_rm_rf(dir);
        free(dir);
}

/* A shell loop that forks busy children and waits for them: none is alive at a snapshot, its own
 * utime stands still, but each reaped child's time lands in its cutime/cstime (60 + 30 ticks a
 * second here, 90 %). It must lead, not vanish. */
static void forking(const char *dir, unsigned i, void *userdata) {
        write_stat(dir, 1, "init", 100 + 25 * i, 0, 1);
        write_stat_children(dir, 700, "sh", 40, 10, 500 + 60 * i, 80);
}

static void test_reaped_children(void **state) {
        char *dir = test_tmpdir();
        json_t *doc = test_profile(dir, 3, forking, NULL);
        json_t *top = test_path(doc, "resources.cpu.top_processes");
        assert_int_equal(json_array_size(top), 2);
        json_t *sh = json_array_get(top, 0);
        assert_int_equal(json_integer_value(json_object_get(sh, "pid")), 700);
        double hz = (double) sysconf(_SC_CLK_TCK);
        assert_float_equal(json_number_value(json_object_get(sh, "cpu_pct")), 100 * 180 / (hz * 2), 0.01);
        json_decref(doc);
        test_rm_rf(dir);
        free(dir);
}

/* One sample (a --duration 0 snapshot): no CPU time to compare, reported as unavailable. */
static void test_snapshot_unavailable(void **state) {
        char *dir = test_tmpdir();
        json_t *doc = test_profile(dir, 1, step, NULL);
        assert_null(test_path(doc, "resources.cpu.top_processes"));
        json_t *why = test_path(doc, "resources.cpu.unavailable.top_processes");
        assert_non_null(strstr(json_string_value(why), "/proc/PID/stat"));
        json_decref(doc);
        test_rm_rf(dir);
        free(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_top_processes),
                cmocka_unit_test(test_reaped_children),
                cmocka_unit_test(test_snapshot_unavailable),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
