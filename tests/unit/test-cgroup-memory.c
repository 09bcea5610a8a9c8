/* SPDX-License-Identifier: MIT */
/* Reclaim and limit hits per cgroup (resources.memory.cgroups), on copies of tests/fixtures/
 * cgroup-memory whose memory.stat and memory.events a step rewrites between samples. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

#define READER "sys/fs/cgroup/batch.slice/reader.service"
#define MIB (1024.0 * 1024.0)
/* The profile rounds to 4 decimals. */
#define assert_near(a, b) assert_float_equal((a), (b), 1e-4 + 1e-9 * fabs((double) (b)))

typedef struct MemCounters {
        unsigned long long current, scan, steal, refault, high, max, oom_kill;
} MemCounters;

static void write_mem(const char *dir, const char *cg, const MemCounters *m) {
        char rel[512];
        snprintf(rel, sizeof(rel), "%s/memory.stat", cg);
        test_writef(dir, rel, "anon 1048576\nfile %llu\npgscan %llu\npgsteal %llu\npgscan_kswapd 0\npgscan_direct %llu\n"
                              "pgsteal_kswapd 0\npgsteal_direct %llu\nworkingset_refault_anon 0\n"
                              "workingset_refault_file %llu\n", m->current, m->scan, m->steal, m->scan, m->steal, m->refault);
        snprintf(rel, sizeof(rel), "%s/memory.events", cg);
        test_writef(dir, rel, "low 0\nhigh %llu\nmax %llu\noom %llu\noom_kill %llu\noom_group_kill 0\n", m->high, m->max,
                    m->oom_kill, m->oom_kill);
        snprintf(rel, sizeof(rel), "%s/memory.current", cg);
        test_writef(dir, rel, "%llu\n", m->current);
}

/* reader.service (memory.max 256 MiB) reads a large file: 900 000 pages/s scanned for the first 4 s of
 * a 7 s window, then nothing, and memory.max is hit 100 times/s meanwhile; user.slice has no limit
 * and is scanned by kswapd-like host reclaim, which is not its own limit's doing. */
static void burst(const char *dir, unsigned i, void *userdata) {
        unsigned long long t = i < 4 ? i : 4;
        const unsigned long long *refault_per_s = userdata;
        MemCounters r = { 267000000, 5000000 + 900000 * t, 4900000 + 880000 * t, 100 + *refault_per_s * t, 0, 10 + 100 * t,
                          0 };
        write_mem(dir, READER, &r);
        MemCounters u = { 104857600, 1000 + 50000ull * i, 900 + 50000ull * i, 0, 0, 0, 0 };
        write_mem(dir, "sys/fs/cgroup/user.slice", &u);
}

static void test_reclaim_under_limit(void **state) {
        char *dir = test_tmpdir();
        unsigned long long refault = 100;
        test_copy_fixture("cgroup-memory", dir);
        /* Costly sources at full samples only, as `skytune profile` reads them: 0, 5 and 7 s. The mean
         * of the two intervals' rates (720 000 and 0) would be 360 000; the window's is 3.6 M / 7 s. */
        json_t *doc = test_profile_cadence(dir, 8, burst, &refault);
        json_t *cg = json_object_get(test_path(doc, "resources.memory.cgroups"), "reader.service");
        assert_non_null(cg);
        assert_string_equal(json_string_value(json_object_get(cg, "path")), "batch.slice/reader.service");
        assert_near(test_num(cg, "window_s.value"), 7.0);
        assert_near(test_num(cg, "reclaim_scan_per_s.value"), 3600000.0 / 7);
        assert_string_equal(json_string_value(test_path(cg, "reclaim_scan_per_s.unit")), "pages/s");
        assert_near(test_num(cg, "reclaim_steal_per_s.value"), 3520000.0 / 7);
        assert_near(test_num(cg, "scan_direct_per_s.value"), 3600000.0 / 7);
        assert_near(test_num(cg, "scan_kswapd_per_s.value"), 0);
        assert_near(test_num(cg, "refault_file_per_s.value"), 400.0 / 7);
        assert_near(test_num(cg, "max_events_per_s.value"), 400.0 / 7);
        assert_string_equal(json_string_value(test_path(cg, "max_events_per_s.unit")), "1/s");
        assert_near(test_num(cg, "max_bytes.value"), 256 * MIB);
        assert_null(json_object_get(cg, "high_bytes"));
        /* memory.current at every sample, against the limit. */
        assert_int_equal(test_num(cg, "current_bytes.n"), 8);
        assert_near(test_num(cg, "peak_pct_of_limit.value"), 267000000 / (256 * MIB) * 100);
        assert_near(test_num(cg, "oom_kills.value"), 0);

        json_t *f = test_expect_finding(doc, "memory.cgroups.reader.service.reclaim_scan_per_s", "saturation", "warning");
        const char *msg = test_finding_str(f, "message");
        assert_non_null(strstr(msg, "cgroup reader.service reclaims 514286 pages/s"));
        assert_non_null(strstr(msg, "memory.max 256 MiB"));
        assert_non_null(strstr(msg, "raise memory.max"));
        assert_near(test_finding_value(f), 3600000.0 / 7);
        /* user.slice reclaims too, but it has no limit of its own: no finding on it. */
        json_t *user = json_object_get(test_path(doc, "resources.memory.cgroups"), "user.slice");
        assert_near(test_num(user, "reclaim_scan_per_s.value"), 50000);
        assert_null(test_find_finding(doc, "memory.cgroups.user.slice*"));
        assert_null(test_find_finding(doc, "memory.cgroups.reader.service.oom_kills"));
        json_decref(doc);

        /* Evicted pages read back at a tenth of the steal rate: the working set itself does not fit. */
        refault = 88000;
        doc = test_profile_cadence(dir, 8, burst, &refault);
        f = test_expect_finding(doc, "memory.cgroups.reader.service.reclaim_scan_per_s", "saturation", "critical");
        assert_non_null(strstr(test_finding_str(f, "message"), "working set does not fit"));
        test_profile_done(doc, dir);
}

static void ooms(const char *dir, unsigned i, void *userdata) {
        MemCounters r = { 67100000, 100, 90, 0, 0, 5 + 40ull * i, i };
        write_mem(dir, READER, &r);
}

static void test_oom_kills(void **state) {
        char *dir;
        json_t *doc = test_profile_fixture("cgroup-memory", 4, ooms, NULL, &dir);
        json_t *cg = json_object_get(test_path(doc, "resources.memory.cgroups"), "reader.service");
        assert_near(test_num(cg, "oom_kills.value"), 3);
        assert_near(test_num(cg, "oom_events.value"), 3);
        assert_near(test_num(cg, "max_events_per_s.value"), 40);
        json_t *f = test_expect_finding(doc, "memory.cgroups.reader.service.oom_kills", "errors", "critical");
        assert_non_null(strstr(test_finding_str(f, "message"), "3 processes killed by the OOM killer"));
        assert_non_null(strstr(test_finding_str(f, "message"), "memory.max 256 MiB"));
        /* 30 pages/s scanned: below the reclaim threshold. */
        assert_null(test_find_finding(doc, "memory.cgroups.reader.service.reclaim_scan_per_s"));
        test_profile_done(doc, dir);
}

static void test_idle(void **state) {
        char *dir;
        json_t *doc = test_profile_fixture("cgroup-memory", 3, NULL, NULL, &dir);
        json_t *cgs = test_path(doc, "resources.memory.cgroups");
        assert_int_equal(json_object_size(cgs), 4);
        json_t *cg = json_object_get(cgs, "reader.service");
        assert_near(test_num(cg, "reclaim_scan_per_s.value"), 0);
        assert_near(test_num(cg, "max_events_per_s.value"), 0);
        assert_null(test_find_finding(doc, "memory.cgroups.*"));
        json_t *un = test_path(doc, "resources.memory.unavailable");
        const char *key;
        json_t *v;
        json_object_foreach(un, key, v)
                assert_null(strstr(key, "cgroup"));
        test_profile_done(doc, dir);
}

/* reader.service is removed after the sample at 2 s; the window goes on to 4 s. */
static void vanish(const char *dir, unsigned i, void *userdata) {
        if (i < 3) {
                MemCounters r = { 267000000, 5000000 + 10000ull * i, 4900000 + 9000ull * i, 0, 0, 10 + 5ull * i, 0 };
                write_mem(dir, READER, &r);
                return;
        }
        char *cg;
        assert_true(asprintf(&cg, "%s/%s", dir, READER) > 0);
        test_rm_rf(cg);
        free(cg);
}

static void test_vanishing(void **state) {
        char *dir;
        json_t *doc = test_profile_fixture("cgroup-memory", 5, vanish, NULL, &dir);
        json_t *cg = json_object_get(test_path(doc, "resources.memory.cgroups"), "reader.service");
        assert_non_null(cg);
        assert_near(test_num(cg, "window_s.value"), 2);
        assert_near(test_num(cg, "reclaim_scan_per_s.value"), 10000);
        assert_int_equal(test_num(cg, "current_bytes.n"), 3);
        const char *why = json_string_value(json_object_get(test_path(doc, "resources.memory.unavailable"), "cgroups.reader.service"));
        assert_non_null(why);
        assert_non_null(strstr(why, "batch.slice/reader.service was gone 3.0 s into the window (removed): its rates "
                                    "cover the 2.0 s to its last full reading"));
        /* The others are still there and whole. */
        json_t *user = json_object_get(test_path(doc, "resources.memory.cgroups"), "user.slice");
        assert_near(test_num(user, "window_s.value"), 4);
        test_profile_done(doc, dir);

        /* Read as `skytune profile` does (counters at 0, 5 and 7 s): gone before the second reading. */
        dir = test_tmpdir();
        test_copy_fixture("cgroup-memory", dir);
        doc = test_profile_cadence(dir, 8, vanish, NULL);
        cg = json_object_get(test_path(doc, "resources.memory.cgroups"), "reader.service");
        assert_null(json_object_get(cg, "reclaim_scan_per_s"));
        assert_non_null(json_object_get(cg, "max_bytes"));
        why = json_string_value(json_object_get(test_path(doc, "resources.memory.unavailable"), "cgroups.reader.service"));
        assert_non_null(why);
        assert_non_null(strstr(why, "before a second full reading of its counters: no rates"));
        test_profile_done(doc, dir);
}

static void test_hostile_files(void **state) {
        char *dir = test_tmpdir();
        test_copy_fixture("cgroup-memory", dir);
        test_write(dir, READER "/memory.stat", "pgscan 18446744073709551616\npgsteal x\n\0\n");
        test_write(dir, READER "/memory.events", "max\n");
        test_write(dir, READER "/memory.max", "lots\n");
        json_t *doc = test_profile(dir, 3, NULL, NULL);
        const char *why = json_string_value(json_object_get(test_path(doc, "resources.memory.unavailable"),
                                                            "cgroups.reader.service"));
        assert_non_null(why);
        assert_non_null(strstr(why, "could not be parsed in 3 sample(s)"));
        assert_null(test_find_finding(doc, "memory.cgroups.*"));
        json_decref(doc);
        test_rm_rf(dir);
        free(dir);
}

static void test_unavailable(void **state) {
        char *dir = test_tmpdir();
        test_copy_fixture("cgroup-memory", dir);
        test_write(dir, "sys/fs/cgroup/cgroup.controllers", "cpu io pids\n");
        json_t *doc = test_profile(dir, 2, NULL, NULL);
        const char *why = json_string_value(test_path(doc, "resources.memory.unavailable.cgroups"));
        assert_non_null(why);
        assert_non_null(strstr(why, "memory controller is not on cgroup2"));
        assert_null(test_path(doc, "resources.memory.cgroups"));
        json_decref(doc);
        test_write(dir, "proc/self/mountinfo", "24 1 8:1 / / rw - ext4 /dev/sda1 rw\n");
        doc = test_profile(dir, 2, NULL, NULL);
        assert_non_null(strstr(json_string_value(test_path(doc, "resources.memory.unavailable.cgroups")), "no cgroup2"));
        json_decref(doc);
        test_rm_rf(dir);
        free(dir);
}

/* 12 services: the 8 busiest are watched, those at their own limit first however small they are. */
static void many(const char *dir, unsigned i, void *userdata) {
        for (unsigned k = 0; k < 12; k++) {
                char cg[128], rel[160];
                snprintf(cg, sizeof(cg), "sys/fs/cgroup/system.slice/svc%02u.service", k);
                MemCounters m = { (k + 1) * 100ull << 20, 0, 0, 0, 0, 0, 0 };
                if (k == 0)
                        m.current = 60ull << 20;
                write_mem(dir, cg, &m);
                snprintf(rel, sizeof(rel), "%s/memory.max", cg);
                test_write(dir, rel, k == 0 ? "62914560\n" : "max\n");
        }
}

static void test_busiest(void **state) {
        char *dir;
        json_t *doc = test_profile_fixture("cgroup-memory", 2, many, NULL, &dir);
        json_t *cgs = test_path(doc, "resources.memory.cgroups");
        assert_int_equal(json_object_size(cgs), 8);
        assert_non_null(json_object_get(cgs, "svc00.service"));
        assert_near(test_num(json_object_get(cgs, "svc00.service"), "peak_pct_of_limit.value"), 100);
        assert_non_null(json_object_get(cgs, "svc11.service"));
        /* reader.service is at 99 % of its memory.max: picked before larger cgroups. */
        assert_non_null(json_object_get(cgs, "reader.service"));
        assert_non_null(json_object_get(cgs, "svc06.service"));
        assert_null(json_object_get(cgs, "svc05.service"));
        assert_null(json_object_get(cgs, "user.slice"));
        const char *why = json_string_value(test_path(doc, "resources.memory.unavailable.cgroups_not_watched"));
        assert_non_null(why);
        assert_non_null(strstr(why, "8 more cgroups"));
        assert_non_null(strstr(why, "--target"));
        test_profile_done(doc, dir);
}

/* Two cgroups with one leaf name, under different slices: both are reported, each named by its
 * path, with its own figures and finding. */
static void same_leaf(const char *dir, unsigned i, void *userdata) {
        burst(dir, i, userdata);
        MemCounters u = { 1048576, 7000 + 3000ull * i, 7000 + 3000ull * i, 0, 0, 0, 0 };
        write_mem(dir, "sys/fs/cgroup/user.slice/reader.service", &u);
}

static void test_same_leaf(void **state) {
        char *dir;
        unsigned long long refault = 0;
        json_t *doc = test_profile_fixture("cgroup-memory", 8, same_leaf, &refault, &dir);
        json_t *cgs = test_path(doc, "resources.memory.cgroups");
        assert_null(json_object_get(cgs, "reader.service"));
        json_t *b = json_object_get(cgs, "batch.slice:reader.service");
        json_t *u = json_object_get(cgs, "user.slice:reader.service");
        assert_non_null(b);
        assert_non_null(u);
        assert_string_equal(json_string_value(json_object_get(b, "path")), "batch.slice/reader.service");
        assert_string_equal(json_string_value(json_object_get(u, "path")), "user.slice/reader.service");
        assert_near(test_num(u, "reclaim_scan_per_s.value"), 3000);
        assert_true(test_num(b, "reclaim_scan_per_s.value") > 400000);
        test_expect_finding(doc, "memory.cgroups.batch.slice:reader.service.reclaim_scan_per_s", "saturation", "warning");
        assert_null(test_find_finding(doc, "memory.cgroups.user.slice:reader.service.reclaim_scan_per_s"));
        test_profile_done(doc, dir);
}

/* Cgroup names are bytes a delegated user may choose: an escape sequence and a byte that is not
 * UTF-8 come out escaped, and a name too long for a metric path is left out, not a failed profile. */
static void hostile_names(const char *dir, unsigned i, void *userdata) {
        MemCounters r = { 267000000, 5000000 + 900000ull * i, 4900000 + 880000ull * i, 0, 0, 10 + 100ull * i, 0 };
        char evil[64], longname[300], a[231];
        snprintf(evil, sizeof(evil), "%s/evil\x1b[31m\xff.service", "sys/fs/cgroup/batch.slice");
        write_mem(dir, evil, &r);
        test_write(dir, "sys/fs/cgroup/batch.slice/evil\x1b[31m\xff.service/memory.max", "268435456\n");
        memset(a, 'a', sizeof(a) - 1);
        a[sizeof(a) - 1] = '\0';
        snprintf(longname, sizeof(longname), "sys/fs/cgroup/system.slice/%s", a);
        write_mem(dir, longname, &r);
}

static void test_hostile_names(void **state) {
        char *dir;
        json_t *doc = test_profile_fixture("cgroup-memory", 3, hostile_names, NULL, &dir);
        json_t *cg = json_object_get(test_path(doc, "resources.memory.cgroups"), "evil\\x1b[31m\\xff.service");
        assert_non_null(cg);
        assert_near(test_num(cg, "reclaim_scan_per_s.value"), 900000);
        json_t *f = test_expect_finding(doc, "memory.cgroups.evil\\x1b[31m\\xff.service.reclaim_scan_per_s", "saturation",
                                        NULL);
        assert_null(strchr(test_finding_str(f, "message"), '\x1b'));
        const char *why = json_string_value(test_path(doc, "resources.memory.unavailable.cgroups_long_names"));
        assert_non_null(why);
        assert_non_null(strstr(why, "1 cgroups"));
        test_profile_done(doc, dir);
}

/* A hybrid host (this VM): cgroup2 without the memory controller, which is bound to the v1
 * hierarchy at /sys/fs/cgroup/memory. v1 has no reclaim counter per cgroup: the finding is on
 * memory.failcnt, the limit hits. "Unlimited" reads 9223372036854771712. */
#define V1 "sys/fs/cgroup/memory"
static void v1_reader(const char *dir, unsigned i, void *userdata) {
        /* batch's pages are charged to its child job: its own (local) keys stand still, its total_
         * keys (hierarchical, like memory.usage_in_bytes) move with the child's. */
        test_writef(dir, V1 "/batch/memory.stat", "cache 0\nrss 0\npgpgin 3\npgpgout 2\n"
                    "workingset_refault_anon 0\nworkingset_refault_file 1\ntotal_pgpgin %llu\n"
                    "total_pgpgout %llu\ntotal_workingset_refault_anon 0\ntotal_workingset_refault_file %llu\n",
                    100000 + 262000ull * i, 90000 + 262000ull * i, 7ull * i);
        test_writef(dir, V1 "/batch/job/memory.stat", "cache 66000000\npgpgout %llu\ntotal_pgpgout %llu\n"
                    "total_workingset_refault_file %llu\n", 90000 + 262000ull * i, 90000 + 262000ull * i,
                    7ull * i);
        test_write(dir, V1 "/batch/job/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n");
        test_write(dir, V1 "/batch/job/memory.usage_in_bytes", "67100000\n");
        test_write(dir, V1 "/batch/job/memory.limit_in_bytes", "9223372036854771712\n");
        test_write(dir, V1 "/batch/job/memory.failcnt", "0\n");
        test_write(dir, V1 "/batch/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
        test_write(dir, V1 "/batch/memory.usage_in_bytes", "67100000\n");
        test_write(dir, V1 "/batch/memory.limit_in_bytes", "67108864\n");
        test_writef(dir, V1 "/batch/memory.failcnt", "%llu\n", 500 + 640ull * i);
        test_write(dir, V1 "/idle/memory.stat", "cache 0\npgpgin 5\npgpgout 5\ntotal_pgpgout 5\n");
        test_write(dir, V1 "/idle/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n");
        test_write(dir, V1 "/idle/memory.usage_in_bytes", "4096\n");
        test_write(dir, V1 "/idle/memory.limit_in_bytes", "9223372036854771712\n");
        test_write(dir, V1 "/idle/memory.failcnt", "0\n");
}

static void test_v1(void **state) {
        char *dir = test_tmpdir();
        test_copy_fixture("cgroup-memory", dir);
        test_write(dir, "proc/self/mountinfo",
                   "24 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
                   "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
                   "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n");
        test_write(dir, "sys/fs/cgroup/unified/cgroup.controllers", "hugetlb\n");
        json_t *doc = test_profile(dir, 4, v1_reader, NULL);
        assert_string_equal(json_string_value(test_path(doc, "resources.memory.cgroups_version")), "cgroup v1");
        json_t *cgs = test_path(doc, "resources.memory.cgroups");
        assert_int_equal(json_object_size(cgs), 2);
        json_t *cg = json_object_get(cgs, "batch");
        assert_near(test_num(cg, "uncharge_events_per_s.value"), 262000);
        assert_near(test_num(cg, "max_events_per_s.value"), 640);
        assert_near(test_num(cg, "refault_file_per_s.value"), 7);
        assert_near(test_num(cg, "max_bytes.value"), 64 * MIB);
        assert_null(json_object_get(cg, "reclaim_scan_per_s"));
        assert_null(json_object_get(cg, "oom_events"));
        json_t *f = test_expect_finding(doc, "memory.cgroups.batch.max_events_per_s", "saturation", "warning");
        assert_non_null(strstr(test_finding_str(f, "message"),
                               "cgroup batch hits its memory.limit_in_bytes 64 MiB 640 times/s (memory.failcnt"));
        json_t *idle = json_object_get(cgs, "idle");
        assert_null(json_object_get(idle, "max_bytes"));
        assert_near(test_num(idle, "uncharge_events_per_s.value"), 0);
        assert_null(test_find_finding(doc, "memory.cgroups.idle*"));
        json_decref(doc);
        test_rm_rf(dir);
        free(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_reclaim_under_limit), cmocka_unit_test(test_oom_kills),
                cmocka_unit_test(test_idle),                cmocka_unit_test(test_vanishing),
                cmocka_unit_test(test_hostile_files),       cmocka_unit_test(test_unavailable),
                cmocka_unit_test(test_busiest),             cmocka_unit_test(test_hostile_names),
                cmocka_unit_test(test_v1),
                cmocka_unit_test(test_same_leaf),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
