/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "proc-loadavg.h"
#include "support.h"

static const char loadavg[] = "0.04 1.07 12.50 3/188 11291\n";

static void test_parse(void **state) {
        LoadAvg l;
        assert_int_equal(loadavg_parse(loadavg, strlen(loadavg), &l), 0);
        assert_float_equal(l.load1, 0.04, 1e-12);
        assert_float_equal(l.load5, 1.07, 1e-12);
        assert_float_equal(l.load15, 12.5, 1e-12);
        assert_int_equal(l.runnable, 3);
        assert_int_equal(l.threads, 188);
        assert_int_equal(l.last_pid, 11291);
}

static void test_malformed(void **state) {
        LoadAvg l;
        assert_int_equal(loadavg_parse("", 0, &l), -EBADMSG);
        const char *bad[] = {
                "0.04 0.07 0.03 188 11291\n",          /* no slash */
                "0.04 0.07 0.03 1/ 11291\n",
                "0.04 0.07 0.03 /88 11291\n",
                "0.04 0.07 0.03 1/8x8 11291\n",
                "0.04 -0.07 0.03 1/88 11291\n",
                "0.04 nan 0.03 1/88 11291\n",
                "0.04 0.07 0.03 1/88\n",
                "x 0.07 0.03 1/88 1\n",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_int_equal(loadavg_parse(bad[i], strlen(bad[i]), &l), -EBADMSG);
        /* Truncated at every byte: an error until the last PID has at least one digit. */
        size_t need = strlen("0.04 1.07 12.50 3/188 1");
        for (size_t n = 0; n <= strlen(loadavg); n++) {
                char *copy = malloc(n ? n : 1);
                memcpy(copy, loadavg, n);
                int r = loadavg_parse(copy, n, &l);
                assert_int_equal(r, n >= need ? 0 : -EBADMSG);
                free(copy);
        }
}

typedef struct Tasks {
        unsigned threads[3];
        const char *threads_max;
} Tasks;

static void step(const char *dir, unsigned i, void *userdata) {
        const Tasks *t = userdata;
        test_writef(dir, "proc/loadavg", "%u.00 0.50 0.25 2/%u 4242\n", i, t->threads[i]);
        test_write(dir, "proc/sys/kernel/threads-max", t->threads_max);
        test_write(dir, "proc/sys/kernel/pid_max", "32768\n");
}

static void test_metrics_and_findings(void **state) {
        char *dir = test_tmpdir();
        test_copy_fixture("captured-vm", dir);
        Tasks idle = { { 100, 200, 300 }, "10000\n" };
        json_t *doc = test_profile(dir, 3, step, &idle);
        assert_float_equal(test_num(doc, "resources.tasks.threads.value"), 200, 1e-9);
        assert_float_equal(test_num(doc, "resources.tasks.threads.max"), 300, 1e-9);
        assert_float_equal(test_num(doc, "resources.tasks.threads_max.value"), 10000, 1e-9);
        assert_float_equal(test_num(doc, "resources.tasks.threads_pct.value"), 2.0, 1e-9);
        assert_float_equal(test_num(doc, "resources.tasks.pid_max.value"), 32768, 1e-9);
        assert_float_equal(test_num(doc, "resources.tasks.pids_pct.max"), 300.0 / 32768 * 100, 1e-4);
        assert_float_equal(test_num(doc, "resources.tasks.load1.value"), 1.0, 1e-9);
        assert_float_equal(test_num(doc, "resources.tasks.load5.value"), 0.5, 1e-9);
        assert_float_equal(test_num(doc, "resources.tasks.load15.value"), 0.25, 1e-9);
        assert_string_equal(json_string_value(test_path(doc, "resources.tasks.load1.unit")), "tasks");
        assert_null(test_find_finding(doc, "tasks.*"));
        json_decref(doc);

        Tasks full = { { 900, 950, 1000 }, "1100\n" };
        doc = test_profile(dir, 3, step, &full);
        json_t *f = test_find_finding(doc, "tasks.threads_pct");
        assert_non_null(f);
        assert_string_equal(json_string_value(json_object_get(f, "kind")), "saturation");
        assert_float_equal(json_number_value(json_object_get(f, "threshold")), 80, 1e-9);
        assert_non_null(strstr(json_string_value(json_object_get(f, "message")), "kernel.threads-max"));
        assert_null(test_find_finding(doc, "tasks.pids_pct"));
        json_decref(doc);

        /* A limit that cannot be read is unavailable; the rest is still reported. */
        Tasks broken = { { 1, 1, 1 }, "lots\n" };
        doc = test_profile(dir, 3, step, &broken);
        const char *why = json_string_value(test_path(doc, "resources.tasks.unavailable.threads_max"));
        assert_non_null(why);
        assert_non_null(strstr(why, "/proc/sys/kernel/threads-max"));
        assert_null(test_path(doc, "resources.tasks.threads_pct"));
        assert_non_null(test_path(doc, "resources.tasks.pids_pct"));
        json_decref(doc);
        test_rm_rf(dir);
        free(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_metrics_and_findings),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
