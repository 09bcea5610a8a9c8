/* SPDX-License-Identifier: MIT */
/* The metric catalogue: it covers every path a real profile of each fixture tree holds, every shipped
 * policy reads only catalogued paths, and a mistyped path is refused with the nearest name. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metric-catalog.h"
#include "nearest.h"
#include "policy-metrics.h"
#include "policy.h"
#include "profiler.h"
#include "support.h"

/* libconfig 1.5 leaks its string buffer on some errors: not ours to fix. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) {
        return "leak:libconfig.so\n";
}

static MetricCatalog cat;

static int setup(void **state) {
        assert_int_equal(profiler_metric_catalog(&cat), 0);
        assert_int_equal(policy_metric_catalog(&cat), 0);
        return 0;
}

static int teardown(void **state) {
        metric_catalog_done(&cat);
        return 0;
}

/* Every metric object and every scalar fact below node, as "prefix.key...", must be catalogued. */
static size_t check_tree(const json_t *node, const char *prefix) {
        if (json_is_object(node) && json_object_get(node, "value") && json_object_get(node, "unit")) {
                if (!metric_catalog_has(&cat, prefix))
                        fail_msg("the profile has metric '%s', which no collector declares", prefix);
                char *v;
                assert_true(asprintf(&v, "%s.value", prefix) > 0);
                assert_true(metric_catalog_has(&cat, v));
                free(v);
                return 1;
        }
        if (!json_is_object(node)) {
                if (!metric_catalog_has(&cat, prefix))
                        fail_msg("the profile has '%s', which no collector declares", prefix);
                return 1;
        }
        size_t n = 0;
        const char *key;
        json_t *v;
        json_object_foreach((json_t *) node, key, v) {
                char *path;
                assert_true(asprintf(&path, "%s%s%s", prefix, *prefix ? "." : "", key) > 0);
                n += check_tree(v, path);
                free(path);
        }
        return n;
}

static void test_covers_fixture_profiles(void **state) {
        DIR *d = opendir(SKYTUNE_FIXTURES);
        assert_non_null(d);
        size_t trees = 0, paths = 0;
        for (struct dirent *e; (e = readdir(d));) {
                char *sys;
                assert_true(asprintf(&sys, "%s/%s/sys", SKYTUNE_FIXTURES, e->d_name) > 0);
                bool tree = e->d_name[0] != '.' && access(sys, F_OK) == 0;
                free(sys);
                if (!tree)
                        continue;
                char *root;
                assert_true(asprintf(&root, "%s/%s", SKYTUNE_FIXTURES, e->d_name) > 0);
                json_t *p = test_profile(root, 3, NULL, NULL);
                assert_non_null(p);
                paths += check_tree(json_object_get(p, "resources"), "");
                paths += check_tree(json_object_get(p, "host"), "host");
                paths += check_tree(json_object_get(p, "window"), "window");
                json_decref(p);
                free(root);
                trees++;
        }
        closedir(d);
        assert_true(trees >= 5);
        assert_true(paths > 300);
}

static void test_paths(void **state) {
        assert_true(metric_catalog_has(&cat, "network.tcp.listen_overflows_per_s.max"));
        assert_true(metric_catalog_has(&cat, "network.tcp.listen_overflows_per_s"));
        assert_true(metric_catalog_has(&cat, "network.tcp"));
        assert_true(metric_catalog_has(&cat, "disk.devices"));
        assert_true(metric_catalog_has(&cat, "disk.devices.$.type"));
        assert_true(metric_catalog_has(&cat, "disk.devices.vda.util_pct.p95"));
        assert_true(metric_catalog_has(&cat, "network.interfaces.eth0.100.rx_drops_per_s.max"));
        assert_true(metric_catalog_has(&cat, "host.cpufreq.policies.$.epp"));
        assert_true(metric_catalog_has(&cat, "targets.$.nofile.pct"));
        assert_true(metric_catalog_has(&cat, "memory.oom_kills.value"));
        /* Issue 21: the total page-fault rate, and the time a weighted series covers. */
        assert_true(metric_catalog_has(&cat, "memory.page_faults_per_s"));
        assert_true(metric_catalog_has(&cat, "network.tcp.listen_overflows_per_s.span_s"));
        assert_true(metric_catalog_has(&cat, "memory.swap_in_per_s.shortest_interval_s"));
        assert_false(metric_catalog_has(&cat, "network.tcp.listen_overflow_per_s.max"));
        assert_false(metric_catalog_has(&cat, "disk.devices.$.type.max"));     /* a fact has no statistics */
        assert_false(metric_catalog_has(&cat, "memory.oom_kills.p95"));        /* a gauge has none either */
        assert_false(metric_catalog_has(&cat, "disk.devices.$"  ".r_awiat_ms"));
        assert_false(metric_catalog_has(&cat, "cpu.utilisation_pct"));

        char *n = metric_catalog_nearest(&cat, "network.tcp.listen_overflow_per_s.max");
        assert_string_equal(n, "network.tcp.listen_overflows_per_s.max");
        free(n);
        n = metric_catalog_nearest(&cat, "disk.devices.$.r_awiat_ms.p95");
        assert_string_equal(n, "disk.devices.$.r_await_ms.p95");
        free(n);
        n = metric_catalog_nearest(&cat, "cpu.utilisation_pct");
        assert_string_equal(n, "cpu.utilization_pct");
        free(n);
        assert_null(metric_catalog_nearest(&cat, "gpu.shader_clock_mhz"));
}

static void test_nearest_name(void **state) {
        assert_int_equal(edit_distance("kitten", "sitting"), 3);
        assert_int_equal(edit_distance("", "abc"), 3);
        assert_int_equal(edit_distance("same", "same"), 0);
        static const char *const verbs[] = { "profile", "probe", "plan", "apply", "policy", "status" };
        assert_string_equal(nearest_name("proflie", verbs, 6), "profile");
        assert_string_equal(nearest_name("aply", verbs, 6), "apply");
        assert_null(nearest_name("frobnicate", verbs, 6));
}

static void test_shipped_policies_pass(void **state) {
        char *dirs[] = { (char *) SKYTUNE_SOURCE_POLICY_DIR };
        PolicySearch s = { .dirs = dirs, .n_dirs = 1 };
        DIR *d = opendir(SKYTUNE_SOURCE_POLICY_DIR);
        assert_non_null(d);
        size_t n = 0;
        for (struct dirent *e; (e = readdir(d));) {
                size_t len = strlen(e->d_name);
                if (len < 6 || strcmp(e->d_name + len - 5, ".conf") != 0)
                        continue;
                char *name = strndup(e->d_name, len - 5);
                Policy *p = NULL;
                OptError err = OPT_ERROR_INIT;
                if (policy_load(&s, name, &p, &err) < 0 || policy_check_metrics(p, &cat, &err) < 0)
                        fail_msg("%s: %s:%u: %s", name, err.file ? err.file : "", err.line, err.message);
                policy_free(p);
                opt_error_clear(&err);
                free(name);
                n++;
        }
        closedir(d);
        assert_true(n >= 9);
}

static void test_typo_refused(void **state) {
        char *dir = test_tmpdir();
        test_write(dir, "typo.conf",
                   "name = \"typo\";\ndescription = \"d\";\nrules = (\n  { id = \"x\"; kind = \"sysctl\"; key = "
                   "\"net.core.somaxconn\"; value = \">=4096\"; reason = \"r\"; effect = \"e\";\n"
                   "    when = \"network.tcp.listen_overflow_per_s.max > 0\"; }\n);\n");
        test_write(dir, "tunable.conf",
                   "name = \"tunable\";\ndescription = \"d\";\nrules = (\n  { id = \"x\"; kind = \"sysctl\"; key = "
                   "\"net.core.somaxconn\"; value = \">=4096\"; reason = \"r\"; effect = \"e\";\n"
                   "    when = \"tunables.sysctl.net.core.somaxcon < 4096\"; }\n);\n");
        PolicySearch s = {};
        char *path;
        static const char *const cases[][2] = {
                { "typo.conf", "did you mean 'network.tcp.listen_overflows_per_s.max'" },
                { "tunable.conf", "did you mean 'tunables.sysctl.net.core.somaxconn'" },
        };
        for (size_t i = 0; i < 2; i++) {
                assert_true(asprintf(&path, "%s/%s", dir, cases[i][0]) > 0);
                Policy *p = NULL;
                OptError err = OPT_ERROR_INIT;
                assert_int_equal(policy_load(&s, path, &p, &err), 0);
                assert_int_equal(policy_check_metrics(p, &cat, &err), -EINVAL);
                assert_int_equal(err.line, 5);
                if (!strstr(err.message, cases[i][1]))
                        fail_msg("%s: %s", cases[i][0], err.message);
                policy_free(p);
                opt_error_clear(&err);
                free(path);
        }
        test_rm_rf(dir);
        free(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_covers_fixture_profiles), cmocka_unit_test(test_paths),
                cmocka_unit_test(test_nearest_name),            cmocka_unit_test(test_shipped_policies_pass),
                cmocka_unit_test(test_typo_refused),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
