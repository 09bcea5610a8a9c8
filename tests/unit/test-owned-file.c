/* SPDX-License-Identifier: MIT */
/* The owned sysctl.d file as both the dry run and skytune-helper render it (common/owned-file.c): a
 * line for one of the coupled sysctls (vm.dirty_bytes / vm.dirty_ratio, vm.dirty_background_bytes /
 * vm.dirty_background_ratio) replaces its partner's line left by an earlier transaction, in both
 * directions, while the other lines stay; and the pair table itself (common/tunable-sysctl.c). */
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

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_partner_table),
                cmocka_unit_test(test_bytes_replace_ratio),
                cmocka_unit_test(test_ratio_replaces_bytes),
                cmocka_unit_test(test_same_key_and_unrelated),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
