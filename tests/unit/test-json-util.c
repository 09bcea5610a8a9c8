/* SPDX-License-Identifier: MIT */
/* The contracts of common/ that every module now shares: the JSON accessors (common/json-util.h, no
 * longer the helper's), the schema ids of the verbs (common/schema.h) and the libcurl loader
 * (common/curl-api.h, no longer the load engine's). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "curl-api.h"
#include "json-util.h"
#include "schema.h"

static void test_accessors_distrust_the_document(void **state) {
        json_t *o = json_pack("{s:s, s:i, s:n, s:[s]}", "name", "vm.swappiness", "n", 3, "z", "list", "x");
        assert_non_null(o);
        assert_string_equal(jstr(o, "name"), "vm.swappiness");
        assert_null(jstr(o, "n"));
        assert_null(jstr(o, "missing"));
        assert_null(jstr(NULL, "name"));
        assert_string_equal(jstr_or(o, "n", "-"), "-");
        assert_string_equal(jstr_or(o, "name", "-"), "vm.swappiness");
        assert_true(jstreq(o, "name", "vm.swappiness"));
        assert_false(jstreq(o, "n", "3"));
        static const char *const kinds[] = { "sysctl", "vm.swappiness", NULL };
        assert_true(jstr_in(o, "name", kinds));
        assert_false(jstr_in(o, "list", kinds));
        set_str(o, "name", NULL);
        assert_true(json_is_null(json_object_get(o, "name")));
        set_str(o, "name", "x");
        assert_string_equal(jstr(o, "name"), "x");
        json_decref(o);
}

static void test_verb_schemas_in_common(void **state) {
        assert_string_equal(DIFF_SCHEMA, "skytune.diff/1");
        assert_string_equal(GET_SCHEMA, "skytune.get/1");
        assert_string_equal(RECOMMEND_SCHEMA, "skytune.recommend/1");
        assert_string_equal(TXLIST_SCHEMA, "skytune.txlist/1");
}

static void test_curl_loader(void **state) {
        Error why = ERROR_NULL;
        int r = curl_api_load(&why);
        if (r < 0) {
                /* No libcurl.so.4 on this machine: the reason names it. */
                assert_int_equal(why.code, -ENOENT);
                assert_non_null(strstr(error_message(&why), "libcurl"));
                error_done(&why);
                skip();
        }
        assert_int_equal(why.code, 0);
        assert_non_null(curl_api.easy_init);
        CURL *c = curl_api.easy_init();
        assert_non_null(c);
        curl_api.easy_cleanup(c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_accessors_distrust_the_document),
                cmocka_unit_test(test_verb_schemas_in_common),
                cmocka_unit_test(test_curl_loader),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
