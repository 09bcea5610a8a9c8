/* SPDX-License-Identifier: MIT */
/* The owned sysctl.d file as both the dry run and skytune-helper render it (common/owned-file.c): a
 * line for one of the coupled sysctls (vm.dirty_bytes / vm.dirty_ratio, vm.dirty_background_bytes /
 * vm.dirty_background_ratio) replaces its partner's line left by an earlier transaction, in both
 * directions, while the other lines stay; and the pair table itself (common/tunable-sysctl.c). And
 * the rollback side (owned-file-edit.c): entry keys a transaction changed, line edits that keep every
 * other line, and the check of journal lines against the allowlist. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "owned-file.h"
#include "support.h"
#include "tunable.h"

#define CONF "etc/sysctl.d/90-skytune.conf"
#define HEADER "# Written by skytune-helper; skytune rollback restores or removes this file.\n"

/* The file owned_file_render makes of old content and "key=value" sysctl changes. */
static char *render(const char *old, const char *const *changes) {
        json_t *list = json_array();
        for (; *changes; changes++) {
                const char *eq = strchr(*changes, '=');
                char *key = strndup(*changes, (size_t) (eq - *changes));
                json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind", "sysctl", "key", key, "proposed", eq + 1,
                                                      "file", CONF, "status", "applied"));
                free(key);
        }
        char *out = NULL;
        assert_int_equal(owned_file_render(CONF, old, list, &out), 0);
        json_decref(list);
        return out;
}

static void test_partner_table(void **state) {
        assert_string_equal(sysctl_coupled_partner("vm.dirty_bytes"), "vm.dirty_ratio");
        assert_string_equal(sysctl_coupled_partner("vm.dirty_ratio"), "vm.dirty_bytes");
        assert_string_equal(sysctl_coupled_partner("vm.dirty_background_bytes"), "vm.dirty_background_ratio");
        assert_string_equal(sysctl_coupled_partner("vm.dirty_background_ratio"), "vm.dirty_background_bytes");
        assert_null(sysctl_coupled_partner("vm.swappiness"));
        assert_null(sysctl_coupled_partner("vm.dirty_expire_centisecs"));
        assert_null(sysctl_coupled_partner(NULL));
}

static void test_bytes_replace_ratio(void **state) {
        char *out = render(HEADER "vm.dirty_ratio = 30\nvm.swappiness = 10\nvm.dirty_background_ratio = 5\n",
                           (const char *const[]) { "vm.dirty_bytes=268435456", NULL });
        assert_string_equal(out, HEADER "vm.swappiness = 10\nvm.dirty_background_ratio = 5\nvm.dirty_bytes = 268435456\n");
        free(out);
        out = render(HEADER "vm.dirty_background_ratio = 5\n", (const char *const[]) { "vm.dirty_background_bytes=67108864", NULL });
        assert_string_equal(out, HEADER "vm.dirty_background_bytes = 67108864\n");
        free(out);
}

static void test_ratio_replaces_bytes(void **state) {
        char *out = render(HEADER "vm.dirty_bytes = 268435456\nvm.dirty_background_bytes = 67108864\n",
                           (const char *const[]) { "vm.dirty_ratio=20", "vm.dirty_background_ratio=10", NULL });
        assert_string_equal(out, HEADER "vm.dirty_ratio = 20\nvm.dirty_background_ratio = 10\n");
        free(out);
}

static void test_same_key_and_unrelated(void **state) {
        /* Setting the key already in the file replaces its line in place; no partner, nothing removed. */
        char *out = render(HEADER "vm.dirty_ratio = 30\nvm.swappiness = 10\n", (const char *const[]) { "vm.dirty_ratio=25", "vm.swappiness=20", NULL });
        assert_string_equal(out, HEADER "vm.dirty_ratio = 25\nvm.swappiness = 20\n");
        free(out);
        out = render(NULL, (const char *const[]) { "vm.dirty_bytes=268435456", NULL });
        assert_string_equal(out, HEADER "vm.dirty_bytes = 268435456\n");
        free(out);
}

/* Rollback's view (owned-file-edit.c): what a transaction changed, and a line edit that keeps the rest. */
static void test_changed_keys(void **state) {
        char **keys = NULL;
        assert_int_equal(owned_file_changed_keys(CONF, HEADER "vm.a = 1\nvm.b = 2\n", HEADER "vm.b = 3\nvm.c = 4\n", &keys), 0);
        assert_string_equal(keys[0], "vm.a");
        assert_string_equal(keys[1], "vm.b");
        assert_string_equal(keys[2], "vm.c");
        assert_null(keys[3]);
        owned_keys_free(keys);
        assert_int_equal(owned_file_changed_keys(CONF, NULL, HEADER "vm.a = 1\n", &keys), 0);
        assert_string_equal(keys[0], "vm.a");
        assert_null(keys[1]);
        owned_keys_free(keys);
        assert_int_equal(owned_file_changed_keys("etc/passwd", NULL, "x", &keys), -EINVAL);
}

static void test_set_line(void **state) {
        const char *cur = HEADER "# the administrator's note\nvm.a = 1\nvm.b = 2\nvm.b = 3\n\nvm.c = 4";
        char *out = NULL, *line = NULL;
        assert_int_equal(owned_file_line(CONF, cur, "vm.b", &line), 0);
        assert_string_equal(line, "vm.b = 3");        /* the last one: what sysctl reads */
        free(line);
        assert_int_equal(owned_file_line(CONF, cur, "vm.x", &line), 0);
        assert_null(line);
        /* Replaced in the first one's place (the duplicate goes), the rest byte for byte. */
        assert_int_equal(owned_file_set_line(CONF, cur, "vm.b", "vm.b = 9", &out), 0);
        assert_string_equal(out, HEADER "# the administrator's note\nvm.a = 1\nvm.b = 9\n\nvm.c = 4");
        free(out);
        assert_int_equal(owned_file_set_line(CONF, cur, "vm.a", NULL, &out), 0);
        assert_string_equal(out, HEADER "# the administrator's note\nvm.b = 2\nvm.b = 3\n\nvm.c = 4");
        free(out);
        assert_int_equal(owned_file_set_line(CONF, cur, "vm.d", "vm.d = 5", &out), 0);
        assert_string_equal(out, HEADER "# the administrator's note\nvm.a = 1\nvm.b = 2\nvm.b = 3\n\nvm.c = 4\nvm.d = 5\n");
        free(out);
        assert_int_equal(owned_file_set_line("etc/systemd/system/sshd.service.d/90-skytune.conf", NULL, "LimitNOFILE",
                                             "LimitNOFILE=8192:8192", &out), 0);
        assert_string_equal(out, HEADER "[Service]\nLimitNOFILE=8192:8192\n");
        free(out);
}

/* Two transactions into one file, undone oldest first: each takes out only its own line. */
static void test_out_of_order(void **state) {
        const char *base = NULL;
        char *a = render(base, (const char *const[]) { "vm.swappiness=10", NULL });
        char *b = render(a, (const char *const[]) { "net.core.somaxconn=8192", NULL });
        char **keys = NULL, *work = strdup(b), *o = NULL, *next = NULL;
        assert_int_equal(owned_file_changed_keys(CONF, base, a, &keys), 0);
        for (char **k = keys; *k; k++) {
                assert_int_equal(owned_file_line(CONF, base, *k, &o), 0);
                assert_int_equal(owned_file_set_line(CONF, work, *k, o, &next), 0);
                free(o);
                free(work);
                work = next;
        }
        owned_keys_free(keys);
        assert_string_equal(work, HEADER "net.core.somaxconn = 8192\n");
        assert_int_equal(owned_file_same_entries(CONF, work, a), 0);
        assert_int_equal(owned_file_same_entries(CONF, HEADER "# note\nnet.core.somaxconn = 8192\n", work), 1);
        assert_int_equal(owned_file_same_entries(CONF, HEADER, NULL), 1);
        free(work);
        free(a);
        free(b);
}

static void test_check_line(void **state) {
        Error reason = ERROR_NULL;
        const char *udev = "etc/udev/rules.d/90-skytune.rules";
        assert_int_equal(owned_file_check_line(CONF, "vm.swappiness = 10", &reason), 0);
        assert_int_equal(owned_file_check_line(CONF, "vm.swappiness=10", &reason), 0);
        assert_int_equal(owned_file_check_line(CONF, "vm.swappiness = 300", &reason), -ERANGE);
        assert_int_equal(owned_file_check_line(CONF, "vm.swappiness = 1; reboot", &reason), -EINVAL);
        assert_int_equal(owned_file_check_line(CONF, "kernel.core_pattern = |/tmp/x", &reason), -EPERM);
        assert_int_equal(owned_file_check_line(CONF, "# a comment", &reason), -EINVAL);
        assert_string_equal(reason.message, "not a line that skytune writes in this file");
        assert_int_equal(owned_file_check_line(udev, "ACTION==\"add|change\", SUBSYSTEM==\"block\", KERNEL==\"vda\", "
                                                     "ATTR{queue/read_ahead_kb}=\"1024\"", &reason), 0);
        assert_int_equal(owned_file_check_line(udev, "ACTION==\"add|change\", SUBSYSTEM==\"block\", KERNEL==\"vda\", "
                                                     "ATTR{queue/read_ahead_kb}=\"1024\", RUN+=\"/bin/sh\"", &reason), -EINVAL);
        assert_string_equal(reason.message, "not the line skytune writes for this setting");
        assert_int_equal(owned_file_check_line(udev, "RUN+=\"/bin/sh\"", &reason), -EINVAL);
        assert_int_equal(owned_file_check_line("etc/security/limits.d/90-skytune.conf", "@dev soft nofile 8192", &reason), 0);
        assert_int_equal(owned_file_check_line("etc/security/limits.d/90-skytune.conf", "@dev soft nofile 8192 x", &reason), -EINVAL);
        assert_int_equal(owned_file_check_line("etc/systemd/system/sshd.service.d/90-skytune.conf", "LimitNOFILE=8192:8192", &reason), 0);
        assert_int_equal(owned_file_check_line("etc/systemd/system/sshd.service.d/90-skytune.conf", "ExecStart=/bin/sh", &reason), -EINVAL);
        assert_int_equal(owned_file_check_line("etc/systemd/system.conf.d/90-skytune.conf", "DefaultLimitNOFILE=8192:8192", &reason), 0);
        assert_int_equal(owned_file_check_content(CONF, HEADER "\n; x\nvm.swappiness = 10\n", &reason), 0);
        assert_int_equal(owned_file_check_content(CONF, HEADER "[Service]\nvm.swappiness = 10\n", &reason), -EINVAL);
        assert_int_equal(owned_file_check_content("etc/systemd/system.conf.d/90-skytune.conf", HEADER "[Manager]\n", &reason), 0);
        assert_int_equal(owned_file_check_content("etc/passwd", "root:x:0:0\n", &reason), -EINVAL);
        assert_string_equal(reason.message, "not a file skytune owns");
        error_done(&reason);
        assert_true(owned_file_path_valid(CONF));
        assert_true(owned_file_path_valid("etc/systemd/system/sshd.service.d/90-skytune.conf"));
        assert_false(owned_file_path_valid("etc/systemd/system/../../shadow.d/90-skytune.conf"));
        assert_false(owned_file_path_valid("etc/passwd"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_changed_keys),
                cmocka_unit_test(test_set_line),
                cmocka_unit_test(test_out_of_order),
                cmocka_unit_test(test_check_line),
                cmocka_unit_test(test_partner_table),
                cmocka_unit_test(test_bytes_replace_ratio),
                cmocka_unit_test(test_ratio_replaces_bytes),
                cmocka_unit_test(test_same_key_and_unrelated),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
