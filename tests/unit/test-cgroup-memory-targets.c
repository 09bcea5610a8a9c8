/* SPDX-License-Identifier: MIT */
/* --target adds cgroups to the busiest ones the cgroup memory collector picks: by unit name, by
 * NAME.service, by the cgroup of a process found by comm, and says which targets have no cgroup. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profiler.h"
#include "support.h"

static void write_cg(const char *dir, const char *cg, unsigned long long current) {
        char rel[256];
        snprintf(rel, sizeof(rel), "sys/fs/cgroup/%s/memory.stat", cg);
        test_write(dir, rel, "pgscan 10\npgsteal 9\n");
        snprintf(rel, sizeof(rel), "sys/fs/cgroup/%s/memory.events", cg);
        test_write(dir, rel, "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
        snprintf(rel, sizeof(rel), "sys/fs/cgroup/%s/memory.current", cg);
        test_writef(dir, rel, "%llu\n", current);
        snprintf(rel, sizeof(rel), "sys/fs/cgroup/%s/memory.max", cg);
        test_write(dir, rel, "max\n");
}

static json_t *profile_targets(const char *dir, char *const *targets, size_t n) {
        Sysroot *root = NULL;
        Profiler *p = NULL;
        json_t *doc = NULL;
        assert_int_equal(sysroot_open(dir, &root), 0);
        assert_int_equal(profiler_new_targets(root, targets, n, &p), 0);
        profiler_set_full_period(p, 0);
        for (unsigned i = 0; i < 2; i++)
                assert_int_equal(profiler_sample(p, 1000000ull * (i + 1), i == 1), 0);
        assert_int_equal(profiler_report(p, 1, 1, &doc), 0);
        profiler_free(p);
        sysroot_free(root);
        return doc;
}

static void test_targets(void **state) {
        char *dir = test_tmpdir();
        test_copy_fixture("cgroup-memory", dir);
        /* 10 large services push the small ones out of the busiest 8. */
        for (unsigned k = 0; k < 10; k++) {
                char cg[64];
                snprintf(cg, sizeof(cg), "system.slice/big%u.service", k);
                write_cg(dir, cg, (10ull + k) << 30);
        }
        write_cg(dir, "system.slice/nginx.service", 1 << 20);
        write_cg(dir, "system.slice/postgresql.service", 1 << 20);
        write_cg(dir, "app.slice/worker-7.scope", 1 << 20);
        test_write(dir, "proc/4242/comm", "worker\n");
        test_write(dir, "proc/4242/cgroup", "12:memory:/\n0::/app.slice/worker-7.scope\n");

        json_t *doc = profile_targets(dir, NULL, 0);
        json_t *cgs = test_path(doc, "resources.memory.cgroups");
        assert_int_equal(json_object_size(cgs), 8);
        assert_null(json_object_get(cgs, "nginx.service"));
        json_decref(doc);

        char *targets[] = { "nginx", "postgresql.service", "worker", "nosuch", "big9.service" };
        doc = profile_targets(dir, targets, 5);
        cgs = test_path(doc, "resources.memory.cgroups");
        assert_int_equal(json_object_size(cgs), 11);
        json_t *nginx = json_object_get(cgs, "nginx.service");
        assert_string_equal(json_string_value(json_object_get(nginx, "target")), "nginx");
        assert_string_equal(json_string_value(json_object_get(nginx, "path")), "system.slice/nginx.service");
        assert_float_equal(test_num(nginx, "reclaim_scan_per_s.value"), 0, 1e-9);
        json_t *pg = json_object_get(cgs, "postgresql.service");
        assert_string_equal(json_string_value(json_object_get(pg, "target")), "postgresql.service");
        json_t *w = json_object_get(cgs, "worker-7.scope");
        assert_string_equal(json_string_value(json_object_get(w, "path")), "app.slice/worker-7.scope");
        assert_string_equal(json_string_value(json_object_get(w, "target")), "worker");
        /* Already among the busiest: watched once, marked as the target. */
        json_t *big = json_object_get(cgs, "big9.service");
        assert_string_equal(json_string_value(json_object_get(big, "target")), "big9.service");
        const char *why = json_string_value(test_path(doc, "resources.memory.unavailable.cgroup_targets"));
        assert_non_null(why);
        assert_non_null(strstr(why, "nosuch (no cgroup, unit or running process of that name)"));
        assert_null(strstr(why, "nginx"));
        json_decref(doc);
        test_rm_rf(dir);
        free(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_targets),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
