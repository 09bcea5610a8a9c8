/* SPDX-License-Identifier: MIT */
#include <stdlib.h>

#include "scenario.h"

json_t *test_profile_fixture(const char *name, unsigned samples, TestStep step, void *userdata, char **ret_dir) {
        char *dir = test_tmpdir();
        test_copy_fixture(name, dir);
        json_t *doc = test_profile(dir, samples, step, userdata);
        *ret_dir = dir;
        return doc;
}

void test_profile_done(json_t *doc, char *dir) {
        json_decref(doc);
        test_rm_rf(dir);
        free(dir);
}

const char *test_finding_str(const json_t *finding, const char *member) {
        const char *s = json_string_value(json_object_get(finding, member));
        return s ? s : "";
}

double test_finding_value(const json_t *finding) {
        return json_number_value(json_object_get(finding, "value"));
}

json_t *test_expect_finding(const json_t *doc, const char *metric, const char *kind, const char *severity) {
        json_t *f = test_find_finding(doc, metric);
        if (!f)
                fail_msg("no finding on %s", metric);
        if (kind)
                assert_string_equal(test_finding_str(f, "kind"), kind);
        if (severity)
                assert_string_equal(test_finding_str(f, "severity"), severity);
        return f;
}
