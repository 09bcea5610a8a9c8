/* SPDX-License-Identifier: MIT */
/* Every finding of a profile is a row of the rule table (rules/findings.conf): the collectors emit
 * metrics and the table alone turns them into findings. */
#include <stdbool.h>
#include <stdlib.h>

#include "finding-table.h"
#include "support.h"

static int note_hit(const FindingHit *h, void *userdata) {
        json_t *hit = json_pack("{s:s, s:s}", "metric", h->metric, "message", h->message);
        assert_non_null(hit);
        assert_int_equal(json_array_append_new(userdata, hit), 0);
        return 0;
}

static bool is_hit(const json_t *hits, const json_t *finding) {
        size_t i;
        json_t *h;
        json_array_foreach(hits, i, h)
                if (json_equal(json_object_get(h, "metric"), json_object_get(finding, "metric")) &&
                    json_equal(json_object_get(h, "message"), json_object_get(finding, "message")))
                        return true;
        return false;
}

void test_assert_findings_from_rules(const json_t *profile) {
        FindingTable *t = NULL;
        Error e = ERROR_NULL;
        if (finding_table_builtin(&t, &e) < 0)
                fail_msg("the built-in finding table does not parse: %s", error_message(&e));
        json_t *hits = json_array(), *findings = json_object_get(profile, "findings"), *f;
        assert_int_equal(finding_table_eval(t, profile, note_hit, hits), 0);
        size_t i;
        json_array_foreach(findings, i, f)
                if (!is_hit(hits, f))
                        fail_msg("the finding on %s is no row of rules/findings.conf: %s",
                                 json_string_value(json_object_get(f, "metric")),
                                 json_string_value(json_object_get(f, "message")));
        assert_int_equal(json_array_size(findings), json_array_size(hits));
        json_decref(hits);
        finding_table_free(t);
}
