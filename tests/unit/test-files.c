/* SPDX-License-Identifier: MIT */
/* The files collector against the files-basic fixture: file-nr against fs.file-max, and processes
 * near their nofile soft limit (busyd at 95 %, webd at 85 %, leaky past its limit, systemd at 1 %). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "profiler.h"
#include "scenario.h"

static void remove_path(const char *dir, const char *rel) {
        char *cmd;
        assert_true(asprintf(&cmd, "rm -rf -- '%s/%s'", dir, rel) > 0);
        assert_int_equal(system(cmd), 0);
        free(cmd);
}

static json_t *top_entry(const json_t *doc, size_t i) {
        return json_array_get(test_path(doc, "resources.files.top_processes"), i);
}

static void test_processes_near_limit(void **state) {
        char *dir;
        json_t *doc = test_profile_fixture("files-basic", 2, NULL, NULL, &dir);
        assert_true(test_num(doc, "resources.files.scanned.value") == 4);
        assert_true(test_num(doc, "resources.files.unreadable.value") == 0);
        assert_true(test_num(doc, "resources.files.max_process_nofile_pct.value") == 100);
        /* Closest to the limit first; leaky has 70 fds but counting stops at its limit of 64. */
        assert_int_equal(json_array_size(test_path(doc, "resources.files.top_processes")), 4);
        assert_string_equal(json_string_value(json_object_get(top_entry(doc, 0), "comm")), "leaky");
        assert_int_equal(json_integer_value(json_object_get(top_entry(doc, 0), "fds")), 64);
        assert_string_equal(json_string_value(json_object_get(top_entry(doc, 1), "comm")), "busyd");
        assert_int_equal(json_integer_value(json_object_get(top_entry(doc, 1), "pid")), 4242);
        assert_int_equal(json_integer_value(json_object_get(top_entry(doc, 1), "fds")), 19);
        assert_int_equal(json_integer_value(json_object_get(top_entry(doc, 1), "soft_limit")), 20);
        assert_true(json_number_value(json_object_get(top_entry(doc, 1), "pct")) == 95);
        assert_string_equal(json_string_value(json_object_get(top_entry(doc, 2), "comm")), "webd");
        assert_string_equal(json_string_value(json_object_get(top_entry(doc, 3), "comm")), "systemd");

        /* One finding per process at or above 80 %: critical from 95 %. */
        size_t i, seen = 0;
        json_t *f;
        json_array_foreach(json_object_get(doc, "findings"), i, f) {
                if (strcmp(test_finding_str(f, "metric"), "files.max_process_nofile_pct") != 0)
                        continue;
                const char *m = test_finding_str(f, "message");
                seen++;
                if (strstr(m, "process 4242 (busyd) has 19 files open, 95% of its soft limit of 20")) {
                        assert_string_equal(test_finding_str(f, "severity"), "critical");
                        assert_string_equal(test_finding_str(f, "kind"), "saturation");
                } else if (strstr(m, "process 777 (webd) has 85 files open")) {
                        assert_string_equal(test_finding_str(f, "severity"), "warning");
                        assert_true(test_finding_value(f) == 85);
                } else
                        assert_non_null(strstr(m, "process 555 (leaky) has at least 64 files open, 100%"));
        }
        assert_int_equal(seen, 3);
        /* The system-wide count is far from fs.file-max. */
        assert_true(test_num(doc, "resources.files.used_pct.value") == 1.234);
        assert_true(test_num(doc, "resources.files.max.value") == 100000);
        assert_true(test_num(doc, "resources.files.nr_open.value") == 1048576);
        assert_null(test_find_finding(doc, "files.used_pct"));
        test_profile_done(doc, dir);
}

static void test_idle(void **state) {
        char *dir = test_tmpdir();
        test_copy_fixture("files-basic", dir);
        remove_path(dir, "proc/4242");
        remove_path(dir, "proc/777");
        remove_path(dir, "proc/555");
        json_t *doc = test_profile(dir, 2, NULL, NULL);
        assert_null(test_find_finding(doc, "files.*"));
        assert_true(test_num(doc, "resources.files.max_process_nofile_pct.value") < 1);
        assert_true(test_num(doc, "resources.files.scanned.value") == 1);
        test_profile_done(doc, dir);
}

static void file_nr_step(const char *dir, unsigned i, void *userdata) {
        test_writef(dir, "proc/sys/fs/file-nr", "%u\t0\t100000\n", 50000 + 17500 * i);
}

static void test_file_max(void **state) {
        char *dir;
        json_t *doc = test_profile_fixture("files-basic", 3, file_nr_step, NULL, &dir);
        assert_true(test_num(doc, "resources.files.allocated.max") == 85000);
        json_t *f = test_expect_finding(doc, "files.used_pct", "saturation", NULL);
        assert_true(test_finding_value(f) == 85);
        assert_string_equal(test_finding_str(f, "severity"), "warning");
        assert_non_null(strstr(test_finding_str(f, "message"), "fs.file-max"));
        test_profile_done(doc, dir);

        /* Malformed and missing file-nr: said, never fatal. */
        dir = test_tmpdir();
        test_copy_fixture("files-basic", dir);
        test_write(dir, "proc/sys/fs/file-nr", "12 x\n");
        doc = test_profile(dir, 2, NULL, NULL);
        assert_non_null(json_string_value(test_path(doc, "resources.files.unavailable.file_nr")));
        assert_true(test_num(doc, "resources.files.scanned.value") == 4);
        test_profile_done(doc, dir);
}

/* As an unprivileged user, root's processes have unreadable fd directories: counted, not errors. */
static void test_unreadable(void **state) {
        char *dir = test_tmpdir();
        test_copy_fixture("files-basic", dir);
        assert_int_equal(chmod(dir, 0755), 0);
        char *fd;
        assert_true(asprintf(&fd, "%s/proc/4242/fd", dir) > 0);
        assert_int_equal(chmod(fd, 0700), 0);
        free(fd);
        if (geteuid() != 0) {
                /* Already unprivileged: the fixture belongs to us, so drop the directory's read bit. */
                assert_true(asprintf(&fd, "%s/proc/4242/fd", dir) > 0);
                assert_int_equal(chmod(fd, 0), 0);
                free(fd);
        }
        int pipefd[2];
        assert_int_equal(pipe(pipefd), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(pipefd[0]);
                if (geteuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
                        _exit(2);
                Sysroot *root = NULL;
                Profiler *p = NULL;
                json_t *doc = NULL;
                if (sysroot_open(dir, &root) < 0 || profiler_new(root, &p) < 0 || profiler_sample(p, 1000000, true) < 0 ||
                    profiler_report(p, 0, 1, &doc) < 0)
                        _exit(3);
                dprintf(pipefd[1], "%g %g %g", json_number_value(test_path(doc, "resources.files.scanned.value")),
                        json_number_value(test_path(doc, "resources.files.unreadable.value")),
                        json_number_value(test_path(doc, "resources.files.max_process_nofile_pct.value")));
                _exit(0);
        }
        close(pipefd[1]);
        char buf[128] = "";
        ssize_t n = read(pipefd[0], buf, sizeof(buf) - 1);
        close(pipefd[0]);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        assert_true(n > 0);
        double scanned, unreadable, pct;
        assert_int_equal(sscanf(buf, "%lf %lf %lf", &scanned, &unreadable, &pct), 3);
        assert_true(scanned == 3);
        assert_true(unreadable == 1);
        assert_true(pct == 100);
        test_rm_rf(dir);
        free(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_processes_near_limit),
                cmocka_unit_test(test_idle),
                cmocka_unit_test(test_file_max),
                cmocka_unit_test(test_unreadable),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
