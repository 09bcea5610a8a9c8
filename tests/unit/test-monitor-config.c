/* SPDX-License-Identifier: MIT */
/* monitor/monitor-config: the defaults, a file that sets every key, and each kind of mistake as an
 * error at its file:line that says what to write (an unknown key with the nearest name); a failed
 * read leaves the configuration in use as it was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "monitor-config.h"
#include "support.h"

static char *write_conf(const char *dir, const char *text) {
        test_write(dir, "monitor.conf", text);
        char *path = NULL;
        assert_true(asprintf(&path, "%s/monitor.conf", dir) > 0);
        return path;
}

static void test_defaults(void **state) {
        MonitorConfig c = {};
        Error e = ERROR_NULL;
        assert_int_equal(monitor_config_load("/nonexistent/monitor.conf", false, &c, &e), 0);
        assert_int_equal(c.interval_ms, 1000);
        assert_int_equal(c.flush_ms, 10000);
        assert_string_equal(c.store, TSDB_DEFAULT_PATH);
        assert_int_equal(c.max_series, 4096);
        assert_memory_equal(&c.limits, &tsdb_limits_default, sizeof(c.limits));
        assert_string_equal(c.app_socket, MONITOR_APP_SOCKET_PATH);
        assert_int_equal(c.app_max_series, 200);
        assert_string_equal(c.listen.text, "127.0.0.1:9677");
        assert_false(c.listen.off);
        /* Named on the command line, the file must be there. */
        assert_int_equal(monitor_config_load("/nonexistent/monitor.conf", true, &c, &e), -ENOENT);
        char *msg = error_format(&e);
        assert_non_null(strstr(msg, "/nonexistent/monitor.conf"));
        free(msg);
        assert_int_equal(c.interval_ms, 1000);
        error_done(&e);
        monitor_config_done(&c);
}

static void test_every_key(void **state) {
        char *dir = test_tmpdir();
        char *path = write_conf(dir,
                                "interval = \"500ms\";\n"
                                "flush = 30;\n"
                                "store = \"/srv/m/store.db\";\n"
                                "max_series = 100;\n"
                                "max_pending = 50;\n"
                                "app_socket = \"/run/x/app.sock\";\n"
                                "app_max_series = 10;\n"
                                "listen = \"[::1]:19677\";\n"
                                "retention = {\n"
                                "  seconds = { age = \"36h\"; bytes = \"1G\"; };\n"
                                "  minutes = { bytes = 1048576; };\n"
                                "  hours = { age = \"forever\"; bytes = \"unlimited\"; };\n"
                                "};\n");
        MonitorConfig c = {};
        Error e = ERROR_NULL;
        assert_int_equal(monitor_config_load(path, true, &c, &e), 0);
        assert_int_equal(c.interval_ms, 500);
        assert_int_equal(c.flush_ms, 30000);
        assert_string_equal(c.store, "/srv/m/store.db");
        assert_int_equal(c.max_series, 100);
        assert_int_equal(c.max_pending, 50);
        assert_string_equal(c.app_socket, "/run/x/app.sock");
        assert_int_equal(c.app_max_series, 10);
        assert_string_equal(c.listen.text, "[::1]:19677");
        assert_int_equal(c.limits.age_ms[TSDB_TIER_CHUNK], 36 * TSDB_HOUR_MS);
        assert_int_equal(c.limits.bytes[TSDB_TIER_CHUNK], INT64_C(1) << 30);
        assert_int_equal(c.limits.age_ms[TSDB_TIER_R1M], tsdb_limits_default.age_ms[TSDB_TIER_R1M]);
        assert_int_equal(c.limits.bytes[TSDB_TIER_R1M], 1048576);
        assert_int_equal(c.limits.age_ms[TSDB_TIER_R1H], 0);
        assert_int_equal(c.limits.bytes[TSDB_TIER_R1H], 0);
        monitor_config_done(&c);
        free(path);
        test_rm_rf(dir);
        free(dir);
}

/* Each bad file: its error names the file and line and carries the hint. */
static void test_mistakes(void **state) {
        static const struct {
                const char *text, *where, *hint;
        } cases[] = {
                { "interval = 1;\nintervall = 2;\n", ":2:", "did you mean 'interval'" },
                { "interval = \"50ms\";\n", ":1:", "from 0.1 s to 3600 s" },
                { "interval = \"soon\";\n", ":1:", "\"500ms\"" },
                { "\n\nstore = \"relative/store.db\";\n", ":3:", "absolute path" },
                { "store = 5;\n", ":1:", "string in double quotes" },
                { "max_series = 0;\n", ":1:", "from 1 to" },
                { "retention = { seconds = { age = \"2 days\"; }; };\n", ":1:", "\"30d\"" },
                { "retention = {\n  minutes = { bytes = \"12X\"; };\n};\n", ":2:", "\"256M\"" },
                { "retention = {\n  second = { };\n};\n", ":2:", "did you mean 'seconds'" },
                { "retention = { hours = { count = 3; }; };\n", ":1:", "unknown key 'count'" },
                { "retention = 3;\n", ":1:", "must be a group" },
                { "interval = 1;\nflush = = 2;\n", ":2:", "syntax error" },
                { "app_socket = \"app.sock\";\n", ":1:", "absolute path shorter than 108 bytes" },
                { "\napp_max_series = 0;\n", ":2:", "from 1 to" },
                { "max_series = 90;\napp_max_series = 11;\n",
                  ":2:", "makes up to 99 series, more than 'max_series' 90" },
                { "\nlisten = \"0.0.0.0:9677\";\n", ":2:", "is not a loopback address" },
                { "\nlisten = \"[::]:9677\";\n", ":2:", "add api_token_file" },
                { "api_token_file = \"/nonexistent/token\";\n", ":1:", "api_token_file" },
                { "listen = \"localhost:9677\";\n", ":1:", "not looked up" },
                { "listen = \"127.0.0.1\";\n", ":1:", "127.0.0.1:PORT" },
                { "listen = 9677;\n", ":1:", "\"off\"" },
        };
        char *dir = test_tmpdir();
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *path = write_conf(dir, cases[i].text);
                MonitorConfig c = {};
                assert_int_equal(monitor_config_defaults(&c), 0);
                c.interval_ms = 2000;
                Error e = ERROR_NULL;
                assert_int_equal(monitor_config_load(path, true, &c, &e), -EINVAL);
                char *msg = error_format(&e);
                char where[600];
                snprintf(where, sizeof(where), "%s%s", path, cases[i].where);
                if (!strstr(msg, where) || !strstr(msg, cases[i].hint))
                        fail_msg("case %zu: '%s' lacks '%s' or '%s'", i, msg, where, cases[i].hint);
                assert_int_equal(c.interval_ms, 2000); /* the one in use stays */
                free(msg);
                error_done(&e);
                monitor_config_done(&c);
                free(path);
        }
        test_rm_rf(dir);
        free(dir);
}

static void test_bytes(void **state) {
        int64_t b;
        assert_int_equal(monitor_parse_bytes("0", &b), 0);
        assert_int_equal(b, 0);
        assert_int_equal(monitor_parse_bytes("4096", &b), 0);
        assert_int_equal(b, 4096);
        assert_int_equal(monitor_parse_bytes("512k", &b), 0);
        assert_int_equal(b, 512 * 1024);
        assert_int_equal(monitor_parse_bytes("1.5GiB", &b), 0);
        assert_int_equal(b, 3 * (INT64_C(1) << 29));
        assert_int_equal(monitor_parse_bytes("1T", &b), 0);
        assert_int_equal(monitor_parse_bytes("2T", &b), -ERANGE);
        assert_int_equal(monitor_parse_bytes("-1", &b), -EINVAL);
        assert_int_equal(monitor_parse_bytes("12 M", &b), -EINVAL);
        assert_int_equal(monitor_parse_bytes("M", &b), -EINVAL);
        assert_int_equal(monitor_parse_bytes("nan", &b), -EINVAL);
        assert_int_equal(monitor_parse_bytes("", &b), -EINVAL);
}

static void test_app_socket_off(void **state) {
        char *dir = test_tmpdir();
        char *path = write_conf(dir, "app_socket = \"off\";\n");
        MonitorConfig c = {};
        Error e = ERROR_NULL;
        assert_int_equal(monitor_config_load(path, true, &c, &e), 0);
        assert_null(c.app_socket);
        monitor_config_done(&c);
        free(path);
        test_rm_rf(dir);
        free(dir);
}

/* Any address with a token file of mode 0600 (relative to monitor.conf's directory); a file others
 * may read is refused at the key's line, and then so is the address. */
static void test_api_token(void **state) {
        char *dir = test_tmpdir();
        char tok[4096];
        snprintf(tok, sizeof(tok), "%s/api-token", dir);
        FILE *f = fopen(tok, "w");
        assert_non_null(f);
        fputs("abc123\n", f);
        fclose(f);
        assert_int_equal(chmod(tok, 0600), 0);
        char *path = write_conf(dir, "listen = \"0.0.0.0:9677\";\napi_token_file = \"api-token\";\n");
        MonitorConfig c = {};
        Error e = ERROR_NULL;
        assert_int_equal(monitor_config_load(path, true, &c, &e), 0);
        assert_string_equal(c.api_token, "abc123");
        assert_false(c.listen.loopback);
        assert_string_equal(c.listen.text, "0.0.0.0:9677");
        monitor_config_done(&c);
        assert_int_equal(chmod(tok, 0640), 0);
        assert_int_equal(monitor_config_load(path, true, &c, &e), -EINVAL);
        char *msg = error_format(&e);
        if (!strstr(msg, ":2:") || !strstr(msg, "chmod 600"))
                fail_msg("%s", msg);
        free(msg);
        error_done(&e);
        free(path);
        test_rm_rf(dir);
        free(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults),       cmocka_unit_test(test_every_key),
                cmocka_unit_test(test_mistakes),       cmocka_unit_test(test_bytes),
                cmocka_unit_test(test_app_socket_off), cmocka_unit_test(test_api_token),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
