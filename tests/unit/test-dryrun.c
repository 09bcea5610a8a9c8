/* SPDX-License-Identifier: MIT */
/* Dry run: owned files rendered for each mechanism, unified diffs that patch(1) applies, and the live
 * effect of a plan read again from the tree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dryrun.h"
#include "owned-file.h"
#include "plan-validate.h"
#include "support.h"
#include "udiff.h"

static char *dir;

static int setup(void **state) {
        dir = test_tmpdir();
        test_copy_fixture("opt-host", dir);
        return 0;
}

static int teardown(void **state) {
        test_rm_rf(dir);
        free(dir);
        return 0;
}

static json_t *change(const char *kind, const char *key, const char *proposed) {
        return json_pack("{s:s, s:s, s:s}", "kind", kind, "key", key, "proposed", proposed);
}

static void test_owned_files(void **state) {
        json_t *changes = json_array();
        json_array_append_new(changes, change("sysctl", "vm.dirty_bytes", "536870912"));
        json_array_append_new(changes, change("sysctl", "net.core.somaxconn", "4096"));
        json_array_append_new(changes, change("io_scheduler", "sda", "mq-deadline"));
        json_array_append_new(changes, change("read_ahead_kb", "sda", "4096"));
        json_array_append_new(changes, change("cpu_governor", "policy0", "performance"));
        json_array_append_new(changes, change("ulimit", "login:@web:nofile", "65536:131072"));
        json_array_append_new(changes, change("ulimit", "unit:nginx.service:nofile", "65536"));
        json_array_append_new(changes, change("ulimit", "default:*:nproc", "infinity"));
        /* memlock: bytes in the plan and in systemd's files, KiB in limits.conf (rounded up). */
        json_array_append_new(changes, change("ulimit", "login:@dba:memlock", "65536:8388608"));
        json_array_append_new(changes, change("ulimit", "login:carol:memlock", "1000:infinity"));
        json_array_append_new(changes, change("ulimit", "unit:nginx.service:memlock", "65536:infinity"));
        json_array_append_new(changes, change("ulimit", "default:*:memlock", "8388608:8388608"));
        char *out = NULL;
        /* The ratio form of the pair leaves the owned file when the bytes form is set. */
        assert_int_equal(owned_file_render("/etc/sysctl.d/90-skytune.conf",
                                           "# old\nvm.dirty_ratio = 10\nvm.swappiness = 10\n", changes, &out), 0);
        assert_null(strstr(out, "vm.dirty_ratio"));
        assert_non_null(strstr(out, "\nvm.dirty_bytes = 536870912\n"));
        assert_non_null(strstr(out, "\nnet.core.somaxconn = 4096\n"));
        assert_non_null(strstr(out, "\nvm.swappiness = 10\n"));
        free(out);
        assert_int_equal(owned_file_render("/etc/udev/rules.d/90-skytune.rules", NULL, changes, &out), 0);
        assert_non_null(strstr(out, "KERNEL==\"sda\", ATTR{queue/scheduler}=\"mq-deadline\""));
        assert_non_null(strstr(out, "KERNEL==\"sda\", ATTR{queue/read_ahead_kb}=\"4096\""));
        free(out);
        assert_int_equal(owned_file_render("/etc/tmpfiles.d/90-skytune.conf", NULL, changes, &out), 0);
        assert_non_null(strstr(out, "w /sys/devices/system/cpu/cpufreq/policy0/scaling_governor - - - - performance\n"));
        free(out);
        assert_int_equal(owned_file_render("/etc/security/limits.d/90-skytune.conf", NULL, changes, &out), 0);
        assert_non_null(strstr(out, "@web soft nofile 65536\n"));
        assert_non_null(strstr(out, "@web hard nofile 131072\n"));
        assert_non_null(strstr(out, "@dba soft memlock 64\n"));
        assert_non_null(strstr(out, "@dba hard memlock 8192\n"));
        assert_non_null(strstr(out, "carol soft memlock 1\n"));
        assert_non_null(strstr(out, "carol hard memlock unlimited\n"));
        /* Read back in bytes, whatever the spelling of unlimited. */
        test_write(dir, "etc/security/limits.d/90-skytune.conf", out);
        test_write(dir, "etc/systemd/system/nginx.service.d/90-skytune.conf", "[Service]\nLimitMEMLOCK=64K:infinity\n");
        static const char *const back[][2] = { { "login:@dba:memlock", "65536:8388608" },
                                               { "login:carol:memlock", "1024:infinity" },
                                               { "unit:nginx.service:memlock", "65536:infinity" } };
        Sysroot *root = NULL;
        assert_int_equal(sysroot_open(dir, &root), 0);
        for (size_t i = 0; i < sizeof(back) / sizeof(back[0]); i++) {
                char *v = NULL;
                assert_int_equal(owned_file_value(root, TUNABLE_ULIMIT, back[i][0], &v), 0);
                assert_string_equal(v, back[i][1]);
                free(v);
        }
        sysroot_free(root);
        free(out);
        assert_int_equal(owned_file_render("/etc/systemd/system/nginx.service.d/90-skytune.conf", NULL, changes, &out), 0);
        assert_non_null(strstr(out, "[Service]\nLimitNOFILE=65536:65536\nLimitMEMLOCK=65536:infinity\n"));
        free(out);
        assert_int_equal(owned_file_render("/etc/systemd/system.conf.d/90-skytune.conf", NULL, changes, &out), 0);
        assert_non_null(strstr(out, "[Manager]\nDefaultLimitNPROC=infinity:infinity\nDefaultLimitMEMLOCK=8388608:8388608\n"));
        free(out);
        assert_int_equal(owned_file_render("/etc/passwd", NULL, changes, &out), -EINVAL);
        json_decref(changes);

        char *p = NULL;
        assert_int_equal(owned_file_for(TUNABLE_ULIMIT, "process:nginx:nofile", &p), 0);
        assert_null(p);
        assert_string_equal(owned_mechanism(TUNABLE_ULIMIT, "process:nginx:nofile"), "prlimit");
        assert_string_equal(owned_mechanism(TUNABLE_ULIMIT, "login:*:nofile"), "limits.d");
        assert_string_equal(owned_mechanism(TUNABLE_ULIMIT, "default:*:nofile"), "system.conf.d");
}

static void check_patch(const char *old, const char *new) {
        char *diff = NULL;
        assert_int_equal(udiff("/etc/x.conf", old, new, &diff), 0);
        test_write(dir, "patch/a/etc/x.conf", old ? old : "");
        test_write(dir, "patch/d.diff", diff);
        char *cmd = NULL;
        assert_true(asprintf(&cmd, "cd '%s/patch/a' && patch -s -p1 < ../d.diff >/dev/null 2>&1", dir) > 0);
        if (*diff)
                assert_int_equal(system(cmd), 0);
        free(cmd);
        char *path = NULL, got[4096] = "";
        assert_true(asprintf(&path, "%s/patch/a/etc/x.conf", dir) > 0);
        FILE *f = fopen(path, "re");
        assert_non_null(f);
        size_t n = fread(got, 1, sizeof(got) - 1, f);
        got[n] = '\0';
        fclose(f);
        if (strcmp(got, new) != 0)
                fail_msg("patch with\n%s\ngave\n%s\nwant\n%s", diff, got, new);
        free(path);
        free(diff);
}

static void test_udiff(void **state) {
        char *d = NULL;
        assert_int_equal(udiff("/etc/x", "a\n", "a\n", &d), 0);
        assert_string_equal(d, "");
        free(d);
        assert_int_equal(udiff("/etc/x", NULL, "a\nb\n", &d), 0);
        assert_string_equal(d, "--- /dev/null\n+++ b/etc/x\n@@ -0,0 +1,2 @@\n+a\n+b\n");
        free(d);
        check_patch("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", "1\n2\nthree\n4\n5\n6\n7\n8\n9\n10\neleven\n12\n13\n");
        check_patch("a\nb\nc\n", "c\nb\na\n");
        check_patch("x\n", "");
        check_patch("# h\nk = 1\n", "# h\nk = 2\nz = 3\n");
}

static void test_effects(void **state) {
        Sysroot *root = NULL;
        assert_int_equal(sysroot_open(dir, &root), 0);
        json_t *plan = json_pack("{s:s, s:b, s:[o, o, o, o]}", "schema", "skytune.plan/1", "persist", 1, "changes",
                                 change("sysctl", "vm.swappiness", "10"), change("sysctl", "net.core.busy_poll", "0"),
                                 change("ulimit", "unit:nginx.service:nofile", "65536:65536"),
                                 change("sysctl", "net.core.busy_read", "50"));
        char *p = NULL;
        assert_true(asprintf(&p, "%s/proc/sys/net/core/busy_read", dir) > 0);
        assert_int_equal(unlink(p), 0);
        free(p);
        json_t *eff = NULL;
        OptError e = OPT_ERROR_INIT;
        assert_int_equal(dryrun_effects(root, plan, false, &eff, &e), 0);
        json_t *live = json_object_get(eff, "live");
        assert_string_equal(json_string_value(json_object_get(json_array_get(live, 0), "status")), "change");
        assert_string_equal(json_string_value(json_object_get(json_array_get(live, 0), "from")), "60");
        assert_string_equal(json_string_value(json_object_get(json_array_get(live, 1), "status")), "unchanged");
        assert_string_equal(json_string_value(json_object_get(json_array_get(live, 2), "status")), "file");
        assert_string_equal(json_string_value(json_object_get(json_array_get(live, 3), "status")), "unsupported");
        /* Without persist only the file that is the unit's mechanism; with it the sysctl.d file too. */
        assert_int_equal(json_array_size(json_object_get(eff, "files")), 1);
        assert_int_equal(json_integer_value(json_object_get(eff, "pending")), 2);
        json_decref(eff);
        assert_int_equal(dryrun_effects(root, plan, true, &eff, &e), 0);
        assert_int_equal(json_array_size(json_object_get(eff, "files")), 2);
        json_t *f = json_array_get(json_object_get(eff, "files"), 0);     /* in the order of the changes */
        assert_string_equal(json_string_value(json_object_get(f, "path")), "/etc/sysctl.d/90-skytune.conf");
        assert_non_null(strstr(json_string_value(json_object_get(f, "diff")), "+vm.swappiness = 10\n"));
        assert_non_null(strstr(json_string_value(json_object_get(f, "diff")), "-vm.swappiness = 60\n"));
        json_decref(eff);
        json_decref(plan);

        /* A plan file with a change outside the allowlist is refused as a whole. */
        plan = json_pack("{s:s, s:[o]}", "schema", "skytune.plan/1", "changes", change("sysctl", "kernel.modprobe", "/x"));
        assert_int_equal(dryrun_effects(root, plan, false, &eff, &e), -EINVAL);
        assert_non_null(strstr(e.message, "changes[0]"));
        assert_non_null(strstr(e.message, "allowlist"));
        opt_error_clear(&e);
        json_decref(plan);
        plan = json_pack("{s:s}", "schema", "skytune.profile/1");
        assert_int_equal(dryrun_effects(root, plan, false, &eff, &e), -EINVAL);
        opt_error_clear(&e);
        json_decref(plan);
        sysroot_free(root);
}

/* Issue 12, 10: the dry run refuses what the helper refuses, with the helper's message: it runs
 * plan_validate() over the bytes the helper would receive, host checks included. */
static void expect_refused(Sysroot *root, json_t *plan, const char *needle) {
        json_t *eff = NULL;
        OptError e = OPT_ERROR_INIT;
        char *text = json_dumps(plan, JSON_COMPACT);
        Error why = ERROR_NULL;
        assert_int_equal(plan_validate(text, strlen(text), root, NULL, &why), -EINVAL);
        assert_int_equal(dryrun_effects(root, plan, false, &eff, &e), -EINVAL);
        assert_null(eff);
        if (!strstr(e.message, needle) || strcmp(e.message, why.message) != 0)
                fail_msg("dry run: %s\nhelper:  %s\nwant: %s", e.message, why.message, needle);
        opt_error_clear(&e);
        free(text);
        error_done(&why);
        json_decref(plan);
}

static void test_same_refusals(void **state) {
        Sysroot *root = NULL;
        assert_int_equal(sysroot_open(dir, &root), 0);
#define PLAN(...) json_pack("{s:s, s:[" __VA_ARGS__ "]}", "schema", "skytune.plan/1", "changes"
        expect_refused(root, PLAN("o, o") , change("sysctl", "vm.dirty_bytes", "100000000"),
                                   change("sysctl", "vm.dirty_ratio", "20")), "exclude each other");
        expect_refused(root, PLAN("o, o"), change("sysctl", "vm.swappiness", "10"), change("sysctl", "vm/swappiness", "20")),
                       "the same key as changes[0]");
        expect_refused(root, PLAN("o"), change("io_scheduler", "sda", "kyber")), "scheduler is not offered");
        expect_refused(root, PLAN("o"), change("sysctl", "kernel.numa_balancing", "0")), "CAP_SYS_ADMIN");
        expect_refused(root, PLAN("o"), change("sysctl", "net.core.somaxconn", "0150")), "octal");
        expect_refused(root, PLAN("o"), change("ulimit", "unit:sshd:nproc", "0")), "floor");
        expect_refused(root, PLAN("o"), change("sysctl", "net.ipv4.tcp_wmem", "4096 65536 16384")), "min <= default <= max");
        expect_refused(root, PLAN("o"), change("ulimit", "login:0:65535:nofile", "65536")), "uid or gid range");
#undef PLAN
        test_write(dir, "proc/1/comm", "systemd\n");
        expect_refused(root, json_pack("{s:s, s:[o]}", "schema", "skytune.plan/1", "changes",
                                       change("ulimit", "process:systemd:nofile", "65536")), "PID 1");

        /* A plan file is checked byte for byte: a duplicate member and a plan over 1 MiB. */
        json_t *plan = NULL;
        OptError e = OPT_ERROR_INIT;
        char *path = NULL;
        assert_true(asprintf(&path, "%s/plan.json", dir) > 0);
        test_write(dir, "plan.json", "{\"schema\":\"skytune.plan/1\",\"changes\":[],\"changes\":[]}");
        assert_int_equal(dryrun_load_plan(root, path, &plan, &e), -EINVAL);
        assert_non_null(strstr(e.message, "duplicate object key"));
        opt_error_clear(&e);
        char *big = malloc(PLAN_MAX_BYTES + 64);
        int n = sprintf(big, "{\"schema\":\"skytune.plan/1\",\"changes\":[],\"pad\":\"");
        memset(big + n, 'x', PLAN_MAX_BYTES);
        strcpy(big + n + PLAN_MAX_BYTES, "\"}");
        test_write(dir, "plan.json", big);
        assert_int_equal(dryrun_load_plan(root, path, &plan, &e), -EINVAL);
        assert_non_null(strstr(e.message, "plan is larger than 1048576 bytes"));
        opt_error_clear(&e);
        free(big);
        test_write(dir, "plan.json", "{\"schema\":\"skytune.plan/1\",\"changes\":[]}");
        assert_int_equal(dryrun_load_plan(root, path, &plan, &e), 0);
        json_decref(plan);
        free(path);

        /* nginx (pid 100) has a hard open-files limit of 4096: lowering it is warned about. */
        json_t *eff = NULL;
        plan = json_pack("{s:s, s:[o]}", "schema", "skytune.plan/1", "changes", change("ulimit", "process:nginx:nofile", "1024:2048"));
        assert_int_equal(dryrun_effects(root, plan, false, &eff, &e), 0);
        json_t *w = json_array_get(json_object_get(eff, "warnings"), 0);
        assert_non_null(w);
        assert_non_null(strstr(json_string_value(json_object_get(w, "message")), "from 4096 to 2048"));
        json_decref(eff);
        json_decref(plan);
        sysroot_free(root);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_owned_files, setup, teardown),
                cmocka_unit_test_setup_teardown(test_udiff, setup, teardown),
                cmocka_unit_test_setup_teardown(test_effects, setup, teardown),
                cmocka_unit_test_setup_teardown(test_same_refusals, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
