/* SPDX-License-Identifier: MIT */
/* monitor/http-request: a query string's arguments decoded (%XX, '+'), repeated keys in order, a
 * key without '=' as "", bad escapes and %00 refused, the bounds on count and length refused with a
 * message, unknown keys named, and the first refusal kept. */
#include <string.h>

#include "http-request.h"
#include "support.h"

static HttpRequest *parsed(const char *query, int want) {
        HttpRequest *r = NULL;
        assert_int_equal(http_request_new(false, &r), 0);
        assert_int_equal(http_request_parse_query(r, query), want);
        return r;
}

static void test_arguments(void **state) {
        HttpRequest *r = parsed("series=cpu.busy_pct&series=mem%2Eused&from=-24h&step=1m&x&to=a+b&&", 0);
        assert_false(http_request_head(r));
        assert_int_equal(http_request_count(r, "series"), 2);
        assert_string_equal(http_request_arg(r, "series", 0), "cpu.busy_pct");
        assert_string_equal(http_request_arg(r, "series", 1), "mem.used");
        assert_null(http_request_arg(r, "series", 2));
        assert_string_equal(http_request_arg(r, "from", 0), "-24h");
        assert_string_equal(http_request_arg(r, "x", 0), "");
        assert_string_equal(http_request_arg(r, "to", 0), "a b");
        assert_null(http_request_arg(r, "prefix", 0));
        static const char *const known[] = { "series", "from", "to", "step", "x", NULL };
        assert_null(http_request_unknown(r, known));
        static const char *const fewer[] = { "series", "from", NULL };
        assert_string_equal(http_request_unknown(r, fewer), "step");
        assert_null(http_request_refusal(r, NULL, NULL));
        http_request_free(r);
}

static void test_bad_escapes(void **state) {
        static const char *const bad[] = { "a=%", "a=%4", "a=%zz", "a=%00", "%=1", "a=b%2" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                HttpRequest *r = parsed(bad[i], -EINVAL);
                const char *accepted = NULL;
                const char *why = http_request_refusal(r, NULL, &accepted);
                if (!why || !strstr(why, "escape") || !accepted)
                        fail_msg("'%s': %s", bad[i], why ? why : "(no refusal)");
                http_request_free(r);
        }
}

static void test_bounds(void **state) {
        char q[HTTP_REQUEST_ARGS_MAX * 4 + 8] = "";
        for (int i = 0; i <= HTTP_REQUEST_ARGS_MAX; i++)
                strcat(q, "a=1&");
        HttpRequest *r = parsed(q, -E2BIG);
        assert_int_equal(http_request_count(r, "a"), HTTP_REQUEST_ARGS_MAX);
        assert_non_null(strstr(http_request_refusal(r, NULL, NULL), "too many"));
        http_request_free(r);

        char long_value[HTTP_REQUEST_ARG_MAX + 8];
        strcpy(long_value, "a=");
        memset(long_value + 2, 'x', HTTP_REQUEST_ARG_MAX + 1);
        long_value[HTTP_REQUEST_ARG_MAX + 3] = '\0';
        r = parsed(long_value, -E2BIG);
        assert_non_null(strstr(http_request_refusal(r, NULL, NULL), "too long"));
        http_request_free(r);
        long_value[HTTP_REQUEST_ARG_MAX + 2] = '\0'; /* exactly the bound */
        r = parsed(long_value, 0);
        assert_int_equal(strlen(http_request_arg(r, "a", 0)), HTTP_REQUEST_ARG_MAX);
        http_request_free(r);
}

static void test_refusal(void **state) {
        HttpRequest *r = NULL;
        assert_int_equal(http_request_new(true, &r), 0);
        assert_true(http_request_head(r));
        assert_int_equal(http_request_add_arg(r, "step", NULL), 0);
        assert_string_equal(http_request_arg(r, "step", 0), "");
        assert_int_equal(http_request_refuse(r, "step", "not a step", "1s, 10s, 1m, 1h or ms"), -EINVAL);
        assert_int_equal(http_request_refuse(r, "from", "later", NULL), -EINVAL);
        const char *key = NULL, *accepted = NULL;
        assert_string_equal(http_request_refusal(r, &key, &accepted), "not a step");
        assert_string_equal(key, "step");
        assert_string_equal(accepted, "1s, 10s, 1m, 1h or ms");
        http_request_free(r);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_arguments),
                cmocka_unit_test(test_bad_escapes),
                cmocka_unit_test(test_bounds),
                cmocka_unit_test(test_refusal),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
