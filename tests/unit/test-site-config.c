/* SPDX-License-Identifier: MIT */
/* common/site-config: skytune.conf missing is the defaults; every key; each mistake at file:line
 * (an unknown key with the nearest name, a policy given as a path, a relative store, a wrong
 * type); a failed read leaves nothing half set. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "site-config.h"
#include "support.h"

static char *load(const char *dir, const char *text, SiteConfig *c, int *ret) {
        test_write(dir, "skytune.conf", text);
        char path[4096];
        snprintf(path, sizeof(path), "%s/skytune.conf", dir);
        Error e = ERROR_NULL;
        *ret = site_config_load(path, c, &e);
        char *msg = *ret < 0 ? error_format(&e) : NULL;
        error_done(&e);
        return msg;
}

static void test_site_config(void **state) {
        SiteConfig c = {};
        Error e = ERROR_NULL;
        assert_int_equal(site_config_load("/nonexistent/skytune.conf", &c, &e), 0);
        assert_null(c.policy);
        assert_null(c.monitor_store);
        char *dir = test_tmpdir();
        int r;
        char *msg = load(dir, "# shared\npolicy = \"throughput\";\nmonitor = { store = \"/srv/skytune/store.db\"; };\n",
                         &c, &r);
        assert_null(msg);
        assert_string_equal(c.policy, "throughput");
        assert_string_equal(c.monitor_store, "/srv/skytune/store.db");
        const struct {
                const char *text, *want;
        } bad[] = {
                { "polcy = \"x\";", "skytune.conf:1: unknown" },
                { "polcy = \"x\";", "policy" },
                { "\npolicy = \"/etc/p.conf\";", "skytune.conf:2: 'policy' must be a policy's name" },
                { "policy = 3;", "skytune.conf:1:" },
                { "monitor = { store = \"store.db\"; };", "'monitor.store' must be an absolute path" },
                { "monitor = \"x\";", "'monitor' must be a group" },
                { "monitor = { stor = \"/x\"; };", "unknown" },
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                msg = load(dir, bad[i].text, &c, &r);
                if (r >= 0 || !msg || !strstr(msg, bad[i].want))
                        fail_msg("'%s': want '%s' in: %s", bad[i].text, bad[i].want, msg ? msg : "(accepted)");
                assert_null(c.policy);
                assert_null(c.monitor_store);
                free(msg);
        }
        site_config_done(&c);
        test_rm_rf(dir);
        free(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_site_config),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
