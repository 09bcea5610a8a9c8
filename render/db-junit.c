/* SPDX-License-Identifier: MIT */
/* JUnit XML of a db run (skytune.db/1 with its thresholds): one test case per threshold, classname
 * skytune.db.COMMAND.total, one more when the run was interrupted, and the run's figures as
 * properties (the DSN as the document has it: redacted). */
#include <errno.h>
#include <math.h>

#include "json-util.h"
#include "junit.h"
#include "load-format.h"
#include "render.h"
#include "schema.h"

static void properties(FILE *f, const json_t *doc) {
        const json_t *tx = json_object_get(doc, "transactions"), *lat = json_object_get(tx, "latency_ms");
        const json_t *cfg = json_object_get(doc, "config"), *srv = json_object_get(doc, "server");
        fputs("    <properties>\n", f);
        junit_property_json(f, "command", json_object_get(doc, "command"));
        junit_property_json(f, "workload", json_object_get(cfg, "workload"));
        junit_property_json(f, "clients", json_object_get(cfg, "clients"));
        junit_property_json(f, "server.dsn", json_object_get(srv, "dsn"));
        junit_property_json(f, "server.version", json_object_get(srv, "version"));
        junit_property_json(f, "elapsed_s", json_object_get(doc, "elapsed_s"));
        junit_property_json(f, "interrupted", json_object_get(doc, "interrupted"));
        junit_property_json(f, "aborted_by", json_object_get(doc, "aborted_by"));
        junit_property_json(f, "verdict", json_object_get(json_object_get(doc, "verdict"), "reason"));
        junit_property_json(f, "exit", json_object_get(json_object_get(doc, "verdict"), "exit"));
        static const char *const counts[] = { "count", "failed", "skipped", "tps" };
        char name[64];
        for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
                snprintf(name, sizeof(name), "transactions.%s", counts[i]);
                junit_property_json(f, name, json_object_get(tx, counts[i]));
        }
        static const char *const pcts[] = { "p50", "p95", "p99", "max" };
        for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
                snprintf(name, sizeof(name), "transactions.latency_ms.%s", pcts[i]);
                junit_property_json(f, name, json_object_get(lat, pcts[i]));
        }
        junit_property_json(f, "errors.total", json_object_get(json_object_get(doc, "errors"), "total"));
        fputs("    </properties>\n", f);
}

int render_db_junit(FILE *f, const json_t *doc, Error *e) {
        if (!jstreq(doc, "schema", DB_SCHEMA))
                return error_set(e, -EINVAL, "not a " DB_SCHEMA " document: cannot write JUnit XML from it");
        const json_t *ths = json_object_get(doc, "thresholds");
        bool interrupted = json_is_true(json_object_get(doc, "interrupted"));
        char suite[128];
        snprintf(suite, sizeof(suite), "skytune.db.%s", jstr_or(doc, "command", "run"));
        double secs = jnum(doc, "elapsed_s");
        junit_begin(f,
                    &(JunitSuite) { .title = "skytune db",
                                    .suite = suite,
                                    .tests = json_array_size(ths) + interrupted,
                                    .failures = junit_failed_thresholds(ths),
                                    .errors = interrupted,
                                    .seconds = isfinite(secs) ? secs : 0,
                                    .started = jstr(doc, "started"),
                                    .hostname = jstr(doc, "hostname") });
        properties(f, doc);
        size_t i;
        json_t *t;
        json_array_foreach(ths, i, t)
                junit_threshold_case(f, suite, t);
        if (interrupted) {
                fputs("    <testcase classname=\"", f);
                markup_put(f, suite);
                fputs(".run\" name=\"valid run\" time=\"0\">\n      <error type=\"invalid\" message=\"the run was "
                      "interrupted: the results are partial\"/>\n    </testcase>\n",
                      f);
        }
        junit_end(f);
        if (fflush(f) != 0 || ferror(f))
                return error_set(e, -EIO, "writing the JUnit XML failed: %m");
        return 0;
}
