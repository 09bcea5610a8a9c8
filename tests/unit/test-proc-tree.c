/* SPDX-License-Identifier: MIT */
/* A server's processes (profiler/proc-tree.c, cgroup-procs.c) on copies of tests/fixtures/server-tree:
 * web (100) with two children (101, 102) and a grandchild (103, under 101), beside other (200), init
 * and a kernel thread; the systemd units web.service (100 and 101, and 102 and 103 in its child cgroup
 * worker), other.service and stopped.service (an empty cgroup). VmRSS 4000 + 2000 + 1000 + 500 kB,
 * threads 2 + 1 + 4 + 1, fds 4 + 3 + 2 + 1. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-procs.h"
#include "proc-tree.h"
#include "support.h"

#define KB  1024.0
#define SEC 1000000ull

typedef struct Tree {
        char *dir;
        Sysroot *root;
} Tree;

static int setup(void **state) {
        Tree *t = calloc(1, sizeof(*t));
        t->dir = test_tmpdir();
        test_copy_fixture("server-tree", t->dir);
        assert_int_equal(sysroot_open(t->dir, &t->root), 0);
        *state = t;
        return 0;
}

static int teardown(void **state) {
        Tree *t = *state;
        sysroot_free(t->root);
        test_rm_rf(t->dir);
        free(t->dir);
        free(t);
        return 0;
}

/* proc/PID/stat with these CPU ticks (the rest as in the fixture). */
static void write_ticks(const Tree *t, int pid, int ppid, unsigned utime, unsigned stime, unsigned threads,
                        unsigned start) {
        char rel[64];
        snprintf(rel, sizeof(rel), "proc/%d/stat", pid);
        test_writef(t->dir, rel, "%d (w) S %d %d %d 0 -1 4194560 100 0 0 0 %u %u 0 0 20 0 %u 0 %u 1000 200 1 1 0\n",
                    pid, ppid, pid, pid, utime, stime, threads, start);
}

static void remove_proc(const Tree *t, int pid) {
        char path[512];
        snprintf(path, sizeof(path), "%s/proc/%d", t->dir, pid);
        test_rm_rf(path);
}

static void assert_web(const ProcTreeSample *s) {
        assert_int_equal(s->processes, 4);
        assert_float_equal(s->rss_bytes, 7500 * KB, 0.5);
        assert_float_equal(s->threads, 8, 0);
        assert_float_equal(s->fds, 10, 0);
}

/* The tree of 100 is 100, its children and its grandchild; CPU is utime + stime per process over the
 * time between samples, 100 % one CPU. */
static void test_pid_tree(void **state) {
        Tree *t = *state;
        ProcTree *pt = NULL;
        Error e = ERROR_NULL;
        assert_int_equal(proc_tree_open_pid(t->root, 100, 10 * SEC, &pt, &e), 0);
        assert_int_equal(proc_tree_pid(pt), 100);
        assert_null(proc_tree_unit(pt));
        const ProcTreeSample *first = proc_tree_last(pt);
        assert_web(first);
        assert_true(isnan(first->cpu_pct));
        double hz = (double) sysconf(_SC_CLK_TCK);
        /* 2 s later: 100 used 60 ticks, 101 40, 102 none, 103 is a new process (start 6000) with 20. */
        write_ticks(t, 100, 1, 550, 110, 2, 5000);
        write_ticks(t, 101, 100, 330, 60, 1, 5100);
        write_ticks(t, 103, 101, 20, 0, 1, 6000);
        ProcTreeSample s;
        assert_int_equal(proc_tree_sample(pt, 12 * SEC, &s), 1);
        assert_web(&s);
        assert_float_equal(s.cpu_pct, 100.0 * (60 + 40 + 20) / hz / 2, 1e-9);
        /* 102 exits: its memory, threads and fds leave the sums, and its time does not go negative. */
        remove_proc(t, 102);
        assert_int_equal(proc_tree_sample(pt, 13 * SEC, &s), 1);
        assert_int_equal(s.processes, 3);
        assert_float_equal(s.rss_bytes, 6500 * KB, 0.5);
        assert_float_equal(s.threads, 4, 0);
        assert_float_equal(s.fds, 8, 0);
        assert_float_equal(s.cpu_pct, 0, 0);
        /* The root's PID now belongs to another process (another start time): gone for good. */
        write_ticks(t, 100, 1, 1, 1, 1, 9000);
        assert_int_equal(proc_tree_sample(pt, 14 * SEC, &s), 0);
        assert_true(isnan(s.rss_bytes) && isnan(s.cpu_pct) && isnan(s.threads) && isnan(s.fds));
        assert_true(isnan(proc_tree_last(pt)->rss_bytes));
        write_ticks(t, 100, 1, 550, 110, 2, 5000);
        assert_int_equal(proc_tree_sample(pt, 15 * SEC, &s), 0);
        proc_tree_free(pt);
        error_done(&e);
}

/* A subtree: 101 and its child 103 only. A root that exits: gone. */
static void test_subtree_and_exit(void **state) {
        Tree *t = *state;
        ProcTree *pt = NULL;
        Error e = ERROR_NULL;
        assert_int_equal(proc_tree_open_pid(t->root, 101, SEC, &pt, &e), 0);
        assert_int_equal(proc_tree_last(pt)->processes, 2);
        assert_float_equal(proc_tree_last(pt)->rss_bytes, 2500 * KB, 0.5);
        remove_proc(t, 101);
        ProcTreeSample s;
        assert_int_equal(proc_tree_sample(pt, 2 * SEC, &s), 0);
        assert_true(isnan(s.rss_bytes));
        proc_tree_free(pt);
        error_done(&e);
}

static void test_no_process(void **state) {
        Tree *t = *state;
        ProcTree *pt = NULL;
        Error e = ERROR_NULL;
        assert_int_equal(proc_tree_open_pid(t->root, 999999, SEC, &pt, &e), -ESRCH);
        assert_non_null(strstr(error_message(&e), "no process 999999"));
        assert_non_null(strstr(error_message(&e), "/proc/999999/stat"));
        assert_int_equal(proc_tree_open_pid(t->root, 0, SEC, &pt, &e), -EINVAL);
        assert_null(pt);
        error_done(&e);
}

/* web.service: the processes of its cgroup and of its child cgroup worker, found by name. */
static void test_unit(void **state) {
        Tree *t = *state;
        ProcTree *pt = NULL;
        Error e = ERROR_NULL;
        assert_int_equal(proc_tree_open_unit(t->root, "web", SEC, &pt, &e), 0);
        assert_string_equal(proc_tree_unit(pt), "web.service");
        assert_int_equal(proc_tree_pid(pt), 100);
        assert_web(proc_tree_last(pt));
        /* 103 leaves the worker cgroup; then the unit stops (its cgroups empty): gone. */
        test_write(t->dir, "sys/fs/cgroup/system.slice/web.service/worker/cgroup.procs", "102\n");
        ProcTreeSample s;
        assert_int_equal(proc_tree_sample(pt, 2 * SEC, &s), 1);
        assert_int_equal(s.processes, 3);
        assert_float_equal(s.rss_bytes, 7000 * KB, 0.5);
        test_write(t->dir, "sys/fs/cgroup/system.slice/web.service/worker/cgroup.procs", "");
        test_write(t->dir, "sys/fs/cgroup/system.slice/web.service/cgroup.procs", "");
        assert_int_equal(proc_tree_sample(pt, 3 * SEC, &s), 0);
        proc_tree_free(pt);
        assert_int_equal(proc_tree_open_unit(t->root, "other.service", SEC, &pt, &e), 0);
        assert_int_equal(proc_tree_pid(pt), 200);
        assert_float_equal(proc_tree_last(pt)->rss_bytes, 9999 * KB, 0.5);
        proc_tree_free(pt);
        error_done(&e);
}

static void test_unit_errors(void **state) {
        Tree *t = *state;
        ProcTree *pt = NULL;
        Error e = ERROR_NULL;
        assert_int_equal(proc_tree_open_unit(t->root, "nginx", SEC, &pt, &e), -ENOENT);
        assert_non_null(strstr(error_message(&e), "no cgroup named nginx.service"));
        assert_int_equal(proc_tree_open_unit(t->root, "stopped.service", SEC, &pt, &e), -ESRCH);
        assert_non_null(strstr(error_message(&e), "stopped.service is not running"));
        const char *bad[] = { "", "../web.service", "system.slice/web.service", ".hidden" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_int_equal(proc_tree_open_unit(t->root, bad[i], SEC, &pt, &e), -EINVAL);
        assert_null(pt);
        error_done(&e);
}

static void test_cgroup_procs_parse(void **state) {
        (void) state;
        PidList l = {};
        const char *good = "1\n 42 \n\n2147483647\n";
        assert_int_equal(cgroup_procs_parse(good, strlen(good), &l), 0);
        assert_int_equal(l.n, 3);
        assert_int_equal(l.v[1], 42);
        assert_int_equal(l.v[2], 2147483647);
        const char *bad[] = { "0\n", "12x\n", "-3\n", "2147483648\n", "1 2\n", "99999999999999999999999\n" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                l.n = 0;
                assert_int_equal(cgroup_procs_parse(bad[i], strlen(bad[i]), &l), -EBADMSG);
        }
        pid_list_done(&l);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_pid_tree, setup, teardown),
                cmocka_unit_test_setup_teardown(test_subtree_and_exit, setup, teardown),
                cmocka_unit_test_setup_teardown(test_no_process, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unit, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unit_errors, setup, teardown),
                cmocka_unit_test(test_cgroup_procs_parse),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
