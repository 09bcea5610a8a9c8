/* SPDX-License-Identifier: MIT */
#include "junit.h"

#include <math.h>

#include "json-util.h"
#include "load-format.h"
#include "macro.h"

void junit_property(FILE *f, const char *name, const char *value) {
        fputs("      <property name=\"", f);
        markup_put(f, name);
        fputs("\" value=\"", f);
        markup_put(f, value ? value : "-");
        fputs("\"/>\n", f);
}

void junit_property_json(FILE *f, const char *name, const json_t *v) {
        char buf[64];
        if (json_is_string(v))
                return junit_property(f, name, json_string_value(v));
        if (json_is_integer(v))
                snprintf(buf, sizeof(buf), "%lld", (long long) json_integer_value(v));
        else if (json_is_real(v))
                snprintf(buf, sizeof(buf), "%g", json_real_value(v));
        else if (json_is_boolean(v))
                snprintf(buf, sizeof(buf), "%s", json_is_true(v) ? "true" : "false");
        else
                snprintf(buf, sizeof(buf), "-");
        junit_property(f, name, buf);
}

void junit_threshold_case(FILE *f, const char *suite, const json_t *t) {
        const char *metric = jstr(t, "metric"), *step = jstr(t, "step");
        fputs("    <testcase classname=\"", f);
        markup_put(f, suite);
        fputc('.', f);
        markup_put(f, step ? step : "total");
        fputs("\" name=\"", f);
        markup_put(f, jstr_or(t, "text", "threshold"));
        fputs("\" time=\"0\"", f);
        if (json_is_true(json_object_get(t, "passed"))) {
                fputs("/>\n", f);
                return;
        }
        char observed[48], wanted[48], msg[256], at[64] = "";
        load_fmt_metric(observed, sizeof(observed), metric, json_object_get(t, "observed"));
        load_fmt_metric(wanted, sizeof(wanted), metric, json_object_get(t, "value"));
        double failed_at = jnum(t, "failed_at_s"), for_s = jnum(t, "for_s");
        if (isfinite(failed_at) && for_s > 0)
                snprintf(at, sizeof(at), "; failed at %.0f s, broken for %g s on end", failed_at, for_s);
        else if (isfinite(failed_at))
                snprintf(at, sizeof(at), "; failed at %.0f s", failed_at);
        snprintf(msg, sizeof(msg), "%s was %s, wanted %s %s%s", metric ? metric : "the metric", observed,
                 jstr_or(t, "op", "?"), wanted, at);
        fputs(">\n      <failure type=\"threshold\" message=\"", f);
        markup_put(f, msg);
        fputs("\">", f);
        markup_put(f, msg);
        if (json_is_true(json_object_get(t, "abort")))
                fputs("; the run was aborted", f);
        fputs("</failure>\n    </testcase>\n", f);
}

size_t junit_failed_thresholds(const json_t *thresholds) {
        size_t failed = 0, i;
        json_t *t;
        json_array_foreach(thresholds, i, t)
                failed += !json_is_true(json_object_get(t, "passed"));
        return failed;
}

/* JUnit's timestamp is an ISO 8601 time without zone or fraction: s's first 19 characters, when
 * they are one (a saved document is outside input, and the attribute is not escaped). */
static bool iso8601_seconds(const char *s) {
        static const char shape[] = "dddd-dd-ddTdd:dd:dd";
        for (size_t i = 0; s && i < STRLEN(shape); i++)
                if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
                        return false;
        return s != NULL;
}

void junit_begin(FILE *f, const JunitSuite *s) {
        fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"");
        markup_put(f, s->title);
        fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n", s->tests, s->failures,
                s->errors, s->seconds);
        fputs("  <testsuite name=\"", f);
        markup_put(f, s->suite);
        fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"0\" time=\"%.3f\" timestamp=\"",
                s->tests, s->failures, s->errors, s->seconds);
        if (iso8601_seconds(s->started))
                fprintf(f, "%.19s", s->started);
        fputs("\" hostname=\"", f);
        markup_put(f, s->hostname ? s->hostname : "-");
        fputs("\">\n", f);
}

void junit_end(FILE *f) {
        fputs("  </testsuite>\n</testsuites>\n", f);
}
