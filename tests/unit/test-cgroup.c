/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-cpu-stat.h"
#include "macro.h"
#include "support.h"

static const char cpu_stat[] =
        "usage_usec 145336977\n"
        "user_usec 91783513\n"
        "system_usec 53553464\n"
        "nice_usec 0\n"
        "core_sched.force_idle_usec 0\n"
        "nr_periods 1200\n"
        "nr_throttled 300\n"
        "throttled_usec 4500000\n"
        "nr_bursts 0\n"
        "burst_usec 0\n";

static void test_parse(void **state) {
        CgroupCpuStat s;
        assert_int_equal(cgroup_cpu_stat_parse(cpu_stat, strlen(cpu_stat), &s), 0);
        assert_true(s.has_bandwidth);
        assert_int_equal(s.usage_usec, 145336977);
        assert_int_equal(s.nr_periods, 1200);
        assert_int_equal(s.nr_throttled, 300);
        assert_int_equal(s.throttled_usec, 4500000);
        /* The root cgroup (and a cgroup without the cpu controller) has no bandwidth keys. */
        const char root[] = "usage_usec 10\nuser_usec 5\nsystem_usec 5\n";
        assert_int_equal(cgroup_cpu_stat_parse(root, strlen(root), &s), 0);
        assert_false(s.has_bandwidth);
}

static void test_malformed(void **state) {
        CgroupCpuStat s;
        assert_int_equal(cgroup_cpu_stat_parse("", 0, &s), -EBADMSG);
        const char bad[] = "usage_usec 1\nnr_periods x\n";
        assert_int_equal(cgroup_cpu_stat_parse(bad, strlen(bad), &s), -EBADMSG);
        const char none[] = "nr_periods 1\nnr_throttled 1\nthrottled_usec 1\n";
        assert_int_equal(cgroup_cpu_stat_parse(none, strlen(none), &s), -EBADMSG);
        size_t bw_end = (size_t) (strstr(cpu_stat, "throttled_usec") - cpu_stat) + strlen("throttled_usec 4");
        for (size_t n = 0; n <= strlen(cpu_stat); n++) {
                char *copy = malloc(n ? n : 1);
                memcpy(copy, cpu_stat, n);
                int r = cgroup_cpu_stat_parse(copy, n, &s);
                /* Cut after a key but before its value: -EBADMSG; otherwise the keys seen so far. */
                assert_true(r == 0 || r == -EBADMSG);
                if (n < strlen("usage_usec 1"))
                        assert_int_equal(r, -EBADMSG);
                if (n == strlen("usage_usec 1") || n == bw_end || n == strlen(cpu_stat))
                        assert_int_equal(r, 0);
                if (r == 0)
                        assert_true(s.has_bandwidth == (n >= bw_end));
                free(copy);
        }
}

static const char unified_mountinfo[] =
        "24 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
        "30 24 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";

static void write_cg(const char *dir, const char *cg, const char *max, unsigned long periods, unsigned long throttled,
                     unsigned long usec) {
        char rel[512];
        snprintf(rel, sizeof(rel), "sys/fs/cgroup/%s/cpu.max", cg);
        test_write(dir, rel, max);
        snprintf(rel, sizeof(rel), "sys/fs/cgroup/%s/cpu.stat", cg);
        test_writef(dir, rel, "usage_usec 1000\nuser_usec 500\nsystem_usec 500\nnr_periods %lu\nnr_throttled %lu\n"
                              "throttled_usec %lu\nnr_bursts 0\nburst_usec 0\n", periods, throttled, usec);
}

static void make_unified(const char *dir) {
        test_copy_fixture("captured-vm", dir);
        test_write(dir, "proc/self/mountinfo", unified_mountinfo);
        test_write(dir, "sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n");
        test_write(dir, "sys/fs/cgroup/cpu.stat", "usage_usec 5\nuser_usec 3\nsystem_usec 2\n");
        test_write(dir, "sys/fs/cgroup/cgroup.procs", "1\n");
}

/* system.slice/nginx.service is throttled in 30% of its periods; batch.slice has a quota but uses
 * none of it; user.slice has no quota. */
static void step(const char *dir, unsigned i, void *userdata) {
        write_cg(dir, "system.slice", "max 100000\n", 0, 0, 0);
        write_cg(dir, "system.slice/nginx.service", "50000 100000\n", 100 + 100 * i, 10 + 30 * i, 500000 * i);
        write_cg(dir, "system.slice/cron.service", "max 100000\n", 0, 0, 0);
        write_cg(dir, "batch.slice", "200000 100000\n", 7, 0, 0);
        write_cg(dir, "user.slice", "max 100000\n", 0, 0, 0);
}

static void test_throttling(void **state) {
        char *dir = test_tmpdir();
        make_unified(dir);
        json_t *doc = test_profile(dir, 3, step, NULL);
        assert_string_equal(json_string_value(test_path(doc, "host.cgroup.mode")), "unified");
        assert_string_equal(json_string_value(test_path(doc, "host.cgroup.cgroup2_mount")), "/sys/fs/cgroup");
        json_t *cgs = test_path(doc, "resources.cpu.cgroups");
        assert_non_null(cgs);
        json_t *nginx = json_object_get(cgs, "nginx.service");
        assert_non_null(nginx);
        assert_float_equal(test_num(nginx, "throttled_pct.value"), 30.0, 1e-9);
        assert_int_equal(test_num(nginx, "throttled_pct.n"), 2);
        assert_float_equal(test_num(nginx, "throttled_ms_per_s.value"), 500.0, 1e-9);
        assert_string_equal(json_string_value(test_path(nginx, "throttled_ms_per_s.unit")), "ms/s");
        /* No period went by in batch.slice, and the others have no quota. */
        assert_int_equal(json_object_size(cgs), 1);
        assert_null(test_path(doc, "resources.cpu.unavailable.cgroups"));

        json_t *f = test_find_finding(doc, "cpu.cgroups.nginx.service.throttled_pct");
        assert_non_null(f);
        assert_string_equal(json_string_value(json_object_get(f, "kind")), "saturation");
        assert_non_null(strstr(json_string_value(json_object_get(f, "message")), "cpu.max"));
        json_decref(doc);
        test_rm_rf(dir);
        free(dir);
}

static void light(const char *dir, unsigned i, void *userdata) {
        /* 5% of periods throttled: reported, but under the 10% threshold. A counter reset in the
         * last interval (cgroup re-created) is skipped. */
        unsigned long periods[] = { 100, 200, 20 }, throttled[] = { 0, 5, 0 };
        write_cg(dir, "app.slice", "50000 100000\n", periods[i], throttled[i], 1000 * i);
}

static void test_light_and_reset(void **state) {
        char *dir = test_tmpdir();
        make_unified(dir);
        json_t *doc = test_profile(dir, 3, light, NULL);
        json_t *app = json_object_get(test_path(doc, "resources.cpu.cgroups"), "app.slice");
        assert_float_equal(test_num(app, "throttled_pct.value"), 5.0, 1e-9);
        assert_int_equal(test_num(app, "throttled_pct.n"), 1);
        assert_null(test_find_finding(doc, "cpu.cgroups.*"));
        json_decref(doc);
        test_rm_rf(dir);
        free(dir);
}

static void many(const char *dir, unsigned i, void *userdata) {
        for (int k = 0; k < 70; k++) {
                char name[64];
                snprintf(name, sizeof(name), "system.slice/svc%02d.service", k);
                write_cg(dir, name, "10000 100000\n", 10 * (i + 1), 0, 0);
        }
}

static void test_cap(void **state) {
        char *dir = test_tmpdir();
        make_unified(dir);
        json_t *doc = test_profile(dir, 2, many, NULL);
        assert_int_equal(json_object_size(test_path(doc, "resources.cpu.cgroups")), 64);
        const char *why = json_string_value(test_path(doc, "resources.cpu.unavailable.cgroups"));
        assert_non_null(why);
        assert_non_null(strstr(why, "6 more cgroups"));
        /* Natural order: the first 64 are watched. */
        assert_non_null(json_object_get(test_path(doc, "resources.cpu.cgroups"), "svc63.service"));
        assert_null(json_object_get(test_path(doc, "resources.cpu.cgroups"), "svc64.service"));
        json_decref(doc);
        test_rm_rf(dir);
        free(dir);
}

static void test_unavailable(void **state) {
        char *dir = test_tmpdir();
        make_unified(dir);
        /* cgroup v1 only. */
        test_write(dir, "proc/self/mountinfo",
                   "24 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
                   "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n");
        json_t *doc = test_profile(dir, 2, step, NULL);
        const char *why = json_string_value(test_path(doc, "resources.cpu.unavailable.cgroups"));
        assert_non_null(why);
        assert_non_null(strstr(why, "no cgroup2"));
        assert_non_null(strstr(why, "legacy"));
        assert_string_equal(json_string_value(test_path(doc, "host.cgroup.mode")), "legacy");
        assert_true(json_is_null(test_path(doc, "host.cgroup.cgroup2_mount")) ||
                    !test_path(doc, "host.cgroup.cgroup2_mount"));
        assert_null(test_path(doc, "resources.cpu.cgroups"));
        json_decref(doc);

        /* cgroup2 mounted but without the cpu controller (this VM: it is bound to v1). */
        test_write(dir, "proc/self/mountinfo", unified_mountinfo);
        test_write(dir, "sys/fs/cgroup/cgroup.controllers", "memory pids\n");
        doc = test_profile(dir, 2, step, NULL);
        why = json_string_value(test_path(doc, "resources.cpu.unavailable.cgroups"));
        assert_non_null(why);
        assert_non_null(strstr(why, "cgroup.controllers"));
        assert_null(test_path(doc, "resources.cpu.cgroups"));
        json_decref(doc);

        /* mountinfo missing entirely: unavailable, the profile still succeeds. */
        char *mi;
        assert_true(asprintf(&mi, "%s/proc/self/mountinfo", dir) > 0);
        assert_int_equal(unlink(mi), 0);
        doc = test_profile(dir, 2, NULL, NULL);
        why = json_string_value(test_path(doc, "resources.cpu.unavailable.cgroups"));
        assert_non_null(why);
        assert_non_null(strstr(why, "/proc/self/mountinfo"));
        json_decref(doc);
        free(mi);
        test_rm_rf(dir);
        free(dir);
}

/* A cgroup name is bytes a delegated user may choose: one that is not UTF-8 is escaped in the metric
 * path and the finding (it failed the whole profile with ENOMEM), one too long for an object path
 * is left out. */
static void hostile(const char *dir, unsigned i, void *userdata) {
        char name[300];
        write_cg(dir, "system.slice/evil\xff.service", "50000 100000\n", 100 + 100 * i, 10 + 30 * i, 500000 * i);
        memset(name, 'a', sizeof(name));
        memcpy(name, "system.slice/", STRLEN("system.slice/"));
        name[STRLEN("system.slice/") + 230] = '\0';
        write_cg(dir, name, "50000 100000\n", 100 + 100 * i, 10 + 30 * i, 500000 * i);
}

static void test_hostile_names(void **state) {
        char *dir = test_tmpdir();
        make_unified(dir);
        json_t *doc = test_profile(dir, 3, hostile, NULL);
        json_t *cgs = test_path(doc, "resources.cpu.cgroups");
        assert_int_equal(json_object_size(cgs), 1);
        assert_float_equal(test_num(json_object_get(cgs, "evil\\xff.service"), "throttled_pct.value"), 30.0, 1e-9);
        assert_non_null(test_find_finding(doc, "cpu.cgroups.evil\\xff.service.throttled_pct"));
        json_decref(doc);
        test_rm_rf(dir);
        free(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_throttling),
                cmocka_unit_test(test_light_and_reset),
                cmocka_unit_test(test_cap),
                cmocka_unit_test(test_unavailable),
                cmocka_unit_test(test_hostile_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
