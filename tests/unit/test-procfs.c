/* SPDX-License-Identifier: MIT */
/* The one /proc walker and the one time format (common/procfs.h, common/time-util.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "procfs.h"
#include "support.h"
#include "sysroot.h"
#include "time-util.h"

static void test_walk_fixture(void **state) {
        (void) state;
        char *dir = test_tmpdir();
        test_write(dir, "proc/1/comm", "init\n");
        test_write(dir, "proc/42/comm", "nginx\n");
        test_write(dir, "proc/42/status", "Name:\tnginx\nUid:\t33\t33\t33\t33\nThreads:\t4\nVmLck:\t     12 kB\n");
        test_write(dir, "proc/42/fd/.keep", "");
        test_write(dir, "proc/42/fd/x", "");
        test_write(dir, "proc/42/fd/0", "");
        test_write(dir, "proc/42/fd/1", "");
        test_write(dir, "proc/self/comm", "not a pid\n");
        test_write(dir, "proc/0123/comm", "leading zero is no pid\n");
        test_write(dir, "proc/sys/kernel/pid_max", "32768\n");
        Sysroot *root = NULL;
        assert_int_equal(sysroot_open(dir, &root), 0);

        ProcIter it = PROC_ITER_INIT;
        assert_int_equal(proc_iter_open(&it, root), 0);
        int seen = 0, pid;
        unsigned n = 0;
        while (proc_iter_next(&it, &pid) > 0) {
                assert_true(pid == 1 || pid == 42);
                seen |= pid == 1 ? 1 : 2;
                n++;
        }
        proc_iter_close(&it);
        assert_int_equal(seen, 3);
        assert_int_equal(n, 2);

        char *comm = NULL, *status = NULL;
        assert_int_equal(proc_read_line(root, 42, "comm", &comm), 0);
        assert_string_equal(comm, "nginx");
        assert_int_equal(proc_read(root, 42, "status", &status, NULL), 0);
        assert_int_equal(proc_status_field(status, "Uid:"), 33);
        assert_int_equal(proc_status_field(status, "Threads:"), 4);
        assert_int_equal(proc_status_field(status, "VmLck:"), 12);
        assert_int_equal(proc_status_field(status, "Name:"), -1);       /* not a number */
        assert_int_equal(proc_status_field(status, "Gid:"), -1);        /* absent */
        assert_int_equal(proc_status_field("XUid:\t5\n", "Uid:"), -1);  /* only at a line start */
        /* fd/.keep is hidden: 0, 1 and x count. */
        assert_int_equal(proc_count_fds(root, 42, 100), 3);
        assert_int_equal(proc_count_fds(root, 42, 2), 2);
        assert_int_equal(proc_count_fds(root, 7, 100), -ENOENT);
        free(comm);
        free(status);
        sysroot_free(root);
        test_rm_rf(dir);
        free(dir);
}

static void test_walk_host(void **state) {
        (void) state;
        Sysroot *root = NULL;
        assert_int_equal(sysroot_open("/", &root), 0);
        ProcIter it = PROC_ITER_INIT;
        assert_int_equal(proc_iter_open(&it, root), 0);
        bool self = false;
        for (int pid; proc_iter_next(&it, &pid) > 0;)
                self |= pid == getpid();
        proc_iter_close(&it);
        assert_true(self);
        long long fds = proc_count_fds(root, getpid(), 1 << 20);
        assert_true(fds >= 3);
        sysroot_free(root);
}

static void test_time_format(void **state) {
        (void) state;
        char buf[ISO8601_USEC_SIZE];
        assert_string_equal(time_format_iso8601(1764700000123456ull, buf), "2025-12-02T18:26:40.123456Z");
        assert_string_equal(time_format_iso8601(0, buf), "1970-01-01T00:00:00.000000Z");
        uint64_t u = 0;
        assert_int_equal(time_parse_iso8601("2025-12-02T18:26:40.123456Z", &u), 0);
        assert_int_equal(u, 1764700000123456ull);
        assert_int_equal(time_parse_iso8601("2025-12-02T18:26:40Z", &u), 0);
        assert_int_equal(u, 1764700000000000ull);
        assert_int_equal(time_parse_iso8601("2025-12-02T18:26:40.5Z", &u), 0);
        assert_int_equal(u, 1764700000500000ull);
        const char *bad[] = { "2025-12-02T18:26:40", "2025-12-02T18:26:40.Z", "2025-12-02 18:26:40Z", "",
                              "2025-12-02T18:26:40Zjunk", "2025-12-02T18:26:40+01:00" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_int_equal(time_parse_iso8601(bad[i], &u), -EINVAL);
        assert_int_equal(time_parse_iso8601(NULL, &u), -EINVAL);
        char *now = time_now_iso8601();
        assert_non_null(now);
        assert_int_equal(strlen(now), 27);
        assert_int_equal(time_parse_iso8601(now, &u), 0);
        free(now);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_walk_fixture),
                cmocka_unit_test(test_walk_host),
                cmocka_unit_test(test_time_format),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
