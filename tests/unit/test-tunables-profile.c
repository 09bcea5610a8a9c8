/* SPDX-License-Identifier: MIT */
/* The tunables collector: current values of every tunable a shipped policy can touch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"
#include "tunable.h"

static void test_allowlist_enumeration(void **state) {
        size_t n = 0;
        bool swappiness = false, wildcard = false;
        for (const char *name; (name = tunable_sysctl_allowlist_entry(n)); n++) {
                if (strcmp(name, "vm.swappiness") == 0)
                        swappiness = true;
                if (strchr(name, '*')) {
                        wildcard = true;
                        continue;
                }
                /* Every entry is a name the allowlist accepts, in canonical form. */
                char *canon = NULL;
                assert_int_equal(tunable_check(TUNABLE_SYSCTL, name, NULL, &canon, NULL), 0);
                assert_string_equal(canon, name);
                free(canon);
        }
        assert_true(n > 40);
        assert_true(swappiness && wildcard);
        assert_null(tunable_sysctl_allowlist_entry(n));
        assert_null(tunable_sysctl_allowlist_entry(SIZE_MAX));
}

static json_t *unavailable_entry(json_t *doc, const char *kind, const char *key) {
        size_t i;
        json_t *v;
        json_array_foreach(test_path(doc, "tunables.unavailable"), i, v) {
                const char *k = json_string_value(json_object_get(v, "key"));
                if (strcmp(json_string_value(json_object_get(v, "kind")), kind) == 0 &&
                    (key ? k && strcmp(k, key) == 0 : !k))
                        return v;
        }
        return NULL;
}

static void test_captured_vm(void **state) {
        char *dir = test_tmpdir(), *path;
        test_copy_fixture("captured-vm", dir);
        assert_true(asprintf(&path, "%s/proc/sys/net/core/busy_poll", dir) > 0);
        assert_int_equal(unlink(path), 0);
        test_write(dir, "proc/sys/vm/swappiness", "  33\n");
        test_write(dir, "proc/sys/net/ipv4/tcp_rmem", "4096\t131072\t6291456\n");
        json_t *doc = test_profile(dir, 1, NULL, NULL);

        /* Values are normalized as the backends do for comparison. */
        json_t *sysctl = test_path(doc, "tunables.sysctl");
        assert_non_null(sysctl);
        assert_string_equal(json_string_value(json_object_get(sysctl, "vm.swappiness")), "33");
        assert_string_equal(json_string_value(json_object_get(sysctl, "net.ipv4.tcp_rmem")), "4096 131072 6291456");
        assert_string_equal(json_string_value(json_object_get(sysctl, "net.core.somaxconn")), "4096");

        /* Every non-wildcard allowlisted sysctl is either reported or listed as unavailable. */
        const char *name;
        for (size_t i = 0; (name = tunable_sysctl_allowlist_entry(i)); i++) {
                if (strchr(name, '*'))
                        continue;
                assert_true(json_object_get(sysctl, name) || unavailable_entry(doc, "sysctl", name));
        }
        assert_null(json_object_get(sysctl, "net.ipv4.conf.*.rp_filter"));
        json_t *u = unavailable_entry(doc, "sysctl", "net.core.busy_poll");
        assert_non_null(u);
        assert_non_null(strstr(json_string_value(json_object_get(u, "reason")), "/proc/sys/net/core/busy_poll does not exist"));
        assert_null(json_object_get(sysctl, "net.core.busy_poll"));

        /* Block devices: the selected scheduler, read-ahead and queue depth. */
        assert_string_equal(json_string_value(test_path(doc, "tunables.io_scheduler.vda")), "mq-deadline");
        assert_string_equal(json_string_value(test_path(doc, "tunables.read_ahead_kb.vda")), "8192");
        assert_string_equal(json_string_value(test_path(doc, "tunables.nr_requests.vda")), "256");
        /* zram is bio based: no scheduler. */
        assert_non_null(unavailable_entry(doc, "io_scheduler", "zram0"));
        assert_non_null(test_path(doc, "tunables.read_ahead_kb.zram0"));

        /* No cpufreq on this VM: one entry, without a key. */
        u = unavailable_entry(doc, "cpu_governor", NULL);
        assert_non_null(u);
        assert_non_null(strstr(json_string_value(json_object_get(u, "reason")), "no cpufreq"));
        assert_null(test_path(doc, "tunables.cpu_governor"));
        assert_null(unavailable_entry(doc, "cpu_epp", NULL));
        json_decref(doc);
        free(path);
        test_rm_rf(dir);
        free(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_allowlist_enumeration),
                cmocka_unit_test(test_captured_vm),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
