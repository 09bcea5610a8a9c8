/* SPDX-License-Identifier: MIT */
/* JUnit XML of a load run for CI: one test case per threshold (a failure says what was observed and
 * what was wanted), one more when the run itself is not valid (interrupted, client-bound), and the
 * run's figures as properties. The schema is the one Jenkins, GitLab and GitHub read: testsuites >
 * testsuite (properties, testcase > failure | error). */
#include <errno.h>
#include <math.h>

#include "json-util.h"
#include "load-format.h"
#include "render-load.h"
#include "schema.h"

static void property(FILE *f, const char *name, const char *value) {
        fputs("      <property name=\"", f);
        markup_put(f, name);
        fputs("\" value=\"", f);
        markup_put(f, value ? value : "-");
        fputs("\"/>\n", f);
}

static void property_json(FILE *f, const char *name, const json_t *v) {
        char buf[64];
        if (json_is_string(v))
                return property(f, name, json_string_value(v));
        if (json_is_integer(v))
                snprintf(buf, sizeof(buf), "%lld", (long long) json_integer_value(v));
        else if (json_is_real(v))
                snprintf(buf, sizeof(buf), "%g", json_real_value(v));
        else if (json_is_boolean(v))
                snprintf(buf, sizeof(buf), "%s", json_is_true(v) ? "true" : "false");
        else
                snprintf(buf, sizeof(buf), "-");
        property(f, name, buf);
}

static void properties(FILE *f, const json_t *doc) {
        const json_t *total = json_object_get(doc, "total"), *lat = json_object_get(total, "latency_us");
        const json_t *host = json_object_get(doc, "host"), *client = json_object_get(doc, "client");
        fputs("    <properties>\n", f);
        static const char *const top[] = { "skytune", "started", "ended", "interrupted", "aborted_by" };
        for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++)
                property_json(f, top[i], json_object_get(doc, top[i]));
        property_json(f, "scenario", json_object_get(json_object_get(doc, "config"), "scenario"));
        property_json(f, "verdict", json_object_get(json_object_get(doc, "verdict"), "reason"));
        property_json(f, "exit", json_object_get(json_object_get(doc, "verdict"), "exit"));
        static const char *const sums[] = { "completed", "ok", "completed_per_s", "error_rate" };
        char name[64];
        for (size_t i = 0; i < sizeof(sums) / sizeof(sums[0]); i++) {
                snprintf(name, sizeof(name), "total.%s", sums[i]);
                property_json(f, name, json_object_get(total, sums[i]));
        }
        static const char *const pcts[] = { "p50", "p90", "p99", "p99.9", "max" };
        for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
                snprintf(name, sizeof(name), "total.latency_us.%s", pcts[i]);
                property_json(f, name, json_object_get(lat, pcts[i]));
        }
        static const char *const hosts[] = { "hostname", "kernel", "cpu_model", "cpus" };
        for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
                snprintf(name, sizeof(name), "host.%s", hosts[i]);
                property_json(f, name, json_object_get(host, hosts[i]));
        }
        property_json(f, "client.client_bound", json_object_get(client, "client_bound"));
        fputs("    </properties>\n", f);
}

static void threshold_case(FILE *f, const char *suite, const json_t *t) {
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

/* The run's validity as a test case of its own when it is in doubt. */
static int validity_case(FILE *f, const char *suite, const json_t *doc) {
        const char *why = NULL;
        if (json_is_true(json_object_get(doc, "interrupted")))
                why = "the run was interrupted: the results are partial";
        else if (json_is_true(json_object_get(json_object_get(doc, "client"), "client_bound")))
                why = "the client could not keep the schedule (client-bound): the figures are not the server's";
        if (!why)
                return 0;
        fputs("    <testcase classname=\"", f);
        markup_put(f, suite);
        fputs(".run\" name=\"valid run\" time=\"0\">\n      <error type=\"invalid\" message=\"", f);
        markup_put(f, why);
        fputs("\"/>\n    </testcase>\n", f);
        return 1;
}

int render_load_junit(FILE *f, const json_t *doc, Error *e) {
        if (!jstreq(doc, "schema", LOAD_SCHEMA))
                return error_set(e, -EINVAL, "not a " LOAD_SCHEMA " document: cannot write JUnit XML from it");
        const json_t *ths = json_object_get(doc, "thresholds");
        size_t n = json_array_size(ths), failed = 0, i;
        json_t *t;
        json_array_foreach(ths, i, t) failed += !json_is_true(json_object_get(t, "passed"));
        bool invalid = json_is_true(json_object_get(doc, "interrupted")) ||
                       json_is_true(json_object_get(json_object_get(doc, "client"), "client_bound"));
        const char *scenario = jstr_or(json_object_get(doc, "config"), "scenario", "load");
        char suite[256];
        snprintf(suite, sizeof(suite), "skytune.load.%s", scenario);
        double secs = jnum(json_object_get(doc, "total"), "duration_s");
        if (!isfinite(secs))
                secs = 0;
        fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        fprintf(f, "<testsuites name=\"skytune load\" tests=\"%zu\" failures=\"%zu\" errors=\"%d\" time=\"%.3f\">\n",
                n + invalid, failed, invalid, secs);
        fputs("  <testsuite name=\"", f);
        markup_put(f, suite);
        fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%d\" skipped=\"0\" time=\"%.3f\" timestamp=\"", n + invalid,
                failed, invalid, secs);
        /* JUnit's timestamp is an ISO 8601 time without zone or fraction. */
        fprintf(f, "%.19s", jstr_or(doc, "started", ""));
        fputs("\" hostname=\"", f);
        markup_put(f, jstr_or(json_object_get(doc, "host"), "hostname", "-"));
        fputs("\">\n", f);
        properties(f, doc);
        json_array_foreach(ths, i, t) threshold_case(f, suite, t);
        validity_case(f, suite, doc);
        fputs("  </testsuite>\n</testsuites>\n", f);
        if (fflush(f) != 0 || ferror(f))
                return error_set(e, -EIO, "writing the JUnit XML failed: %m");
        return 0;
}
