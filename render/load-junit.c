/* SPDX-License-Identifier: MIT */
/* JUnit XML of a load run for CI (render/junit.c writes the frame and the cases): one test case per
 * threshold, one more when the run itself is not valid (interrupted, client-bound), and the run's
 * figures as properties. */
#include <errno.h>
#include <math.h>

#include "json-util.h"
#include "junit.h"
#include "load-format.h"
#include "render-load.h"
#include "schema.h"

static void properties(FILE *f, const json_t *doc) {
        const json_t *total = json_object_get(doc, "total"), *lat = json_object_get(total, "latency_us");
        const json_t *host = json_object_get(doc, "host"), *client = json_object_get(doc, "client");
        fputs("    <properties>\n", f);
        static const char *const top[] = { "skytune", "started", "ended", "interrupted", "aborted_by" };
        for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++)
                junit_property_json(f, top[i], json_object_get(doc, top[i]));
        junit_property_json(f, "scenario", json_object_get(json_object_get(doc, "config"), "scenario"));
        junit_property_json(f, "verdict", json_object_get(json_object_get(doc, "verdict"), "reason"));
        junit_property_json(f, "exit", json_object_get(json_object_get(doc, "verdict"), "exit"));
        static const char *const sums[] = { "completed", "ok", "completed_per_s", "error_rate" };
        char name[64];
        for (size_t i = 0; i < sizeof(sums) / sizeof(sums[0]); i++) {
                snprintf(name, sizeof(name), "total.%s", sums[i]);
                junit_property_json(f, name, json_object_get(total, sums[i]));
        }
        static const char *const pcts[] = { "p50", "p90", "p99", "p99.9", "max" };
        for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
                snprintf(name, sizeof(name), "total.latency_us.%s", pcts[i]);
                junit_property_json(f, name, json_object_get(lat, pcts[i]));
        }
        static const char *const hosts[] = { "hostname", "kernel", "cpu_model", "cpus" };
        for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
                snprintf(name, sizeof(name), "host.%s", hosts[i]);
                junit_property_json(f, name, json_object_get(host, hosts[i]));
        }
        junit_property_json(f, "client.client_bound", json_object_get(client, "client_bound"));
        fputs("    </properties>\n", f);
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
        size_t n = json_array_size(ths), i;
        json_t *t;
        bool invalid = json_is_true(json_object_get(doc, "interrupted")) ||
                       json_is_true(json_object_get(json_object_get(doc, "client"), "client_bound"));
        const char *scenario = jstr_or(json_object_get(doc, "config"), "scenario", "load");
        char suite[256];
        snprintf(suite, sizeof(suite), "skytune.load.%s", scenario);
        double secs = jnum(json_object_get(doc, "total"), "duration_s");
        junit_begin(f, &(JunitSuite) { .title = "skytune load", .suite = suite, .tests = n + invalid,
                                       .failures = junit_failed_thresholds(ths), .errors = invalid,
                                       .seconds = isfinite(secs) ? secs : 0, .started = jstr(doc, "started"),
                                       .hostname = jstr(json_object_get(doc, "host"), "hostname") });
        properties(f, doc);
        json_array_foreach(ths, i, t) junit_threshold_case(f, suite, t);
        validity_case(f, suite, doc);
        junit_end(f);
        if (fflush(f) != 0 || ferror(f))
                return error_set(e, -EIO, "writing the JUnit XML failed: %m");
        return 0;
}
