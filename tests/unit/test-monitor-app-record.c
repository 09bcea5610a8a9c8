/* SPDX-License-Identifier: MIT */
/* monitor/app-record: the seed's request and custom records with their defaults, names mapped to the
 * series charset, and each kind of bad record refused with the field it names. */
#include <string.h>

#include "app-record.h"
#include "support.h"

static int parse(const char *line, AppRecord *r, const char **field) {
        const char *why = NULL;
        *field = NULL;
        int k = app_record_parse(line, strlen(line), r, field, &why);
        if (k == -EINVAL)
                assert_true(*field && why && why[0]);
        return k;
}

static void test_request(void **state) {
        AppRecord r;
        const char *f;
        /* timestamp is not used: any clock's number or a string passes. */
        assert_int_equal(
                parse("{\"timestamp\": 1765000000123456789, \"endpoint\": \"/x\", \"response_time\": 1}", &r, &f), 0);
        assert_int_equal(
                parse("{\"timestamp\": \"2026-12-06T23:00:00Z\", \"endpoint\": \"/x\", \"response_time\": 1}", &r, &f),
                0);
        /* The seed's ApplicationMetric, as its fields are named. */
        assert_int_equal(parse("{\"timestamp\": 1765000000.5, \"endpoint\": \"/api/v1/dashboard\", \"method\": "
                               "\"GET\", \"response_time\": 150, \"status_code\": 200, \"success\": true, "
                               "\"user_id\": \"user123\", \"tenant_id\": \"tenant1\", \"request_size\": 100, "
                               "\"response_size\": 500}",
                               &r, &f),
                         0);
        assert_int_equal(r.kind, APP_RECORD_REQUEST);
        assert_string_equal(r.name, "api_v1_dashboard");
        assert_string_equal(r.method, "GET");
        assert_true(r.response_ms == 150 && r.status == 200 && r.success);
        assert_true(r.request_bytes == 100 && r.response_bytes == 500);
        /* Defaults: GET, success from the status (none given: a success). */
        assert_int_equal(parse("{\"endpoint\": \"/\", \"response_time\": 0.25}", &r, &f), 0);
        assert_string_equal(r.name, "root");
        assert_string_equal(r.method, "GET");
        assert_true(r.success && r.status == 0 && r.response_ms == 0.25);
        assert_int_equal(parse("{\"endpoint\": \"/x\", \"method\": \"post\", \"response_time\": 3, "
                               "\"status_code\": 503}",
                               &r, &f),
                         0);
        assert_string_equal(r.method, "POST");
        assert_false(r.success);
        assert_int_equal(
                parse("{\"endpoint\": \"/x\", \"response_time\": 3, \"status_code\": 404, \"success\": true}", &r, &f),
                0);
        assert_true(r.success);
        /* Characters outside the charset become '_'; unknown fields are ignored. */
        assert_int_equal(parse("{\"endpoint\": \"/users/{id}/x.json\", \"response_time\": 1, \"extra\": [1]}", &r, &f),
                         0);
        assert_string_equal(r.name, "users__id__x_json");
}

static void test_custom(void **state) {
        AppRecord r;
        const char *f;
        assert_int_equal(parse("{\"timestamp\": 1, \"metric_name\": \"x\", \"metric\": \"custom_metric\", "
                               "\"value\": 100.0, \"unit\": \"ms\", \"tags\": [\"custom\"], \"source\": \"app\"}",
                               &r, &f),
                         0);
        assert_int_equal(r.kind, APP_RECORD_CUSTOM);
        assert_string_equal(r.name, "custom_metric");
        assert_string_equal(r.unit, "ms");
        assert_true(r.value == 100);
        assert_int_equal(parse("{\"name\": \"queue.depth-now\", \"value\": -2}", &r, &f), 0);
        assert_string_equal(r.name, "queue.depth_now");
        assert_string_equal(r.unit, "");
        assert_true(r.value == -2);
}

static void test_bad(void **state) {
        static const struct {
                const char *line, *field; /* NULL: not JSON */
        } cases[] = {
                { "not json", NULL },
                { "[1, 2]", NULL },
                { "{\"endpoint\": \"/x\", \"response_time\": 1", NULL },
                { "{\"endpoint\": \"/x\", \"endpoint\": \"/y\", \"response_time\": 1}", NULL },
                { "{\"response_time\": 1}", "endpoint" },
                { "{\"endpoint\": 5, \"response_time\": 1}", "endpoint" },
                { "{\"endpoint\": \"\", \"response_time\": 1}", "endpoint" },
                { "{\"endpoint\": \"/x\"}", "response_time" },
                { "{\"endpoint\": \"/x\", \"response_time\": -1}", "response_time" },
                { "{\"endpoint\": \"/x\", \"response_time\": \"12\"}", "response_time" },
                { "{\"endpoint\": \"/x\", \"response_time\": 1, \"method\": \"G E T\"}", "method" },
                { "{\"endpoint\": \"/x\", \"response_time\": 1, \"method\": \"\"}", "method" },
                { "{\"endpoint\": \"/x\", \"response_time\": 1, \"method\": \"ABCDEFGHIJKLMNOPQ\"}", "method" },
                { "{\"endpoint\": \"/x\", \"response_time\": 1, \"status_code\": 99}", "status_code" },
                { "{\"endpoint\": \"/x\", \"response_time\": 1, \"status_code\": 200.5}", "status_code" },
                { "{\"endpoint\": \"/x\", \"response_time\": 1, \"success\": 1}", "success" },
                { "{\"endpoint\": \"/x\", \"response_time\": 1, \"response_size\": -5}", "response_size" },
                { "{\"endpoint\": \"/x\", \"response_time\": 1, \"timestamp\": [1]}", "timestamp" },
                { "{\"endpoint\": \"/x\", \"response_time\": 1, \"user_id\": {}}", "user_id" },
                { "{\"metric\": \"m\"}", "value" },
                { "{\"metric\": \"m\", \"value\": true}", "value" },
                { "{\"metric\": \"a..b\", \"value\": 1}", "metric" },
                { "{\"metric\": \".a\", \"value\": 1}", "metric" },
                { "{\"name\": \"\", \"value\": 1}", "name" },
                { "{\"metric\": \"m\", \"value\": 1, \"unit\": \"m s\"}", "unit" },
                { "{\"metric\": \"m\", \"value\": 1, \"tags\": 3}", "tags" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                AppRecord r;
                const char *f;
                int k = parse(cases[i].line, &r, &f);
                if (!cases[i].field) {
                        if (k != -EBADMSG)
                                fail_msg("case %zu (%s): %d, not -EBADMSG", i, cases[i].line, k);
                } else if (k != -EINVAL || strcmp(f, cases[i].field) != 0)
                        fail_msg("case %zu (%s): %d field %s, want %s", i, cases[i].line, k, f ? f : "-",
                                 cases[i].field);
        }
        /* Names longer than APP_NAME_MAX are refused, not cut (two would share a series). */
        char line[400], name[APP_NAME_MAX + 2];
        memset(name, 'a', sizeof(name) - 1);
        name[sizeof(name) - 1] = '\0';
        snprintf(line, sizeof(line), "{\"endpoint\": \"/%s\", \"response_time\": 1}", name);
        AppRecord r;
        const char *f;
        assert_int_equal(parse(line, &r, &f), -EINVAL);
        assert_string_equal(f, "endpoint");
        name[APP_NAME_MAX - 1] = '\0';
        snprintf(line, sizeof(line), "{\"endpoint\": \"/%s\", \"response_time\": 1}", name);
        assert_int_equal(parse(line, &r, &f), 0);
        /* An escaped NUL byte is refused (jansson, without JSON_ALLOW_NUL). */
        static const char nul[] = "{\"endpoint\": \"/a\\u0000b\", \"response_time\": 1}";
        assert_int_equal(parse(nul, &r, &f), -EBADMSG);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_request),
                cmocka_unit_test(test_custom),
                cmocka_unit_test(test_bad),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
