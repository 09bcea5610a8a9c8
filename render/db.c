/* SPDX-License-Identifier: MIT */
/* skytune.db/1 for people: what ran, the connect times apart, the transactions and the latency table
 * (transaction and each statement: count, P50 P90 P95 P99 P99.9 max in ms, errors), the statements
 * with their rows, the errors by SQLSTATE class, and the thresholds. At most 80 columns. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "json-util.h"
#include "load-format.h"
#include "macro.h"
#include "render.h"

static const char *const pct_keys[] = { "p50", "p90", "p95", "p99", "p99_9", "max" };

static void put_ms(FILE *f, const json_t *lat, const char *key) {
        const json_t *v = json_object_get(lat, key);
        if (!json_is_number(v)) {
                fprintf(f, " %7s", "-");
                return;
        }
        double ms = json_number_value(v);
        fprintf(f, ms < 100 ? " %7.3f" : ms < 10000 ? " %7.1f" : " %7.0f", ms);
}

static json_int_t jint(const json_t *o, const char *k) {
        return json_integer_value(json_object_get(o, k));
}

static void latency_row(FILE *f, const char *label, const json_t *lat, json_int_t errors) {
        fprintf(f, "%-12s %8" JSON_INTEGER_FORMAT, label, jint(lat, "count"));
        for (size_t i = 0; i < ELEMENTSOF(pct_keys); i++)
                put_ms(f, lat, pct_keys[i]);
        fprintf(f, " %7" JSON_INTEGER_FORMAT "\n", errors);
}

/* One line of SQL, cut to fit in room columns. */
static void put_sql(FILE *f, const char *sql, unsigned room) {
        char line[128];
        size_t n = 0;
        for (const char *p = sql ? sql : ""; *p && n < sizeof line - 1; p++)
                if (!(p[0] == ' ' && n > 0 && line[n - 1] == ' '))
                        line[n++] = *p == '\n' || *p == '\t' ? ' ' : *p;
        line[n] = 0;
        if (n > room && room > 3)
                memcpy(line + room - 3, "...", 4);
        fprintf(f, "%s\n", line);
}

static void header(FILE *f, const json_t *doc) {
        const json_t *cfg = json_object_get(doc, "config"), *srv = json_object_get(doc, "server");
        fprintf(f, "db %s: %s, %" JSON_INTEGER_FORMAT " client%s, %s protocol, ", jstr_or(doc, "command", "?"),
                jstr_or(cfg, "workload", "?"), jint(cfg, "clients"), jint(cfg, "clients") == 1 ? "" : "s",
                jstr_or(cfg, "protocol", "?"));
        if (json_is_number(json_object_get(cfg, "rate")))
                fprintf(f, "rate %.0f/s\n", json_number_value(json_object_get(cfg, "rate")));
        else
                fprintf(f, "closed model\n");
        const char *version = jstr_or(srv, "version", "?");
        fprintf(f, "server: PostgreSQL %.*s", (int) strcspn(version, " "), version);
        if (jstr(srv, "database"))
                fprintf(f, ", database %.40s", jstr(srv, "database"));
        fprintf(f, "\ndsn: ");
        put_sql(f, jstr_or(srv, "dsn", ""), 75);
        const json_t *c = json_object_get(doc, "connect_ms");
        fprintf(f, "connect: %" JSON_INTEGER_FORMAT " connection%s: p50 %.3f ms, max %.3f ms (not counted below)\n",
                jint(c, "count"), jint(c, "count") == 1 ? "" : "s", json_number_value(json_object_get(c, "p50")),
                json_number_value(json_object_get(c, "max")));
}

static void transactions(FILE *f, const json_t *doc) {
        const json_t *tx = json_object_get(doc, "transactions"), *tps = json_object_get(tx, "tps");
        fprintf(f, "\ntransactions: %" JSON_INTEGER_FORMAT " in %.1f s (%" JSON_INTEGER_FORMAT " failed, %"
                JSON_INTEGER_FORMAT " skipped, %" JSON_INTEGER_FORMAT " late)", jint(tx, "count"),
                json_number_value(json_object_get(doc, "elapsed_s")), jint(tx, "failed"), jint(tx, "skipped"),
                jint(tx, "late"));
        if (json_is_number(tps))
                fprintf(f, ", %.1f tps", json_number_value(tps));
        fprintf(f, "%s\n\n", json_is_true(json_object_get(doc, "interrupted")) ? ", interrupted" : "");
        fprintf(f, "%-12s %8s %7s %7s %7s %7s %7s %7s %7s\n", "latency ms", "count", "p50", "p90", "p95", "p99",
                "p99.9", "max", "errors");
        latency_row(f, "transaction", json_object_get(tx, "latency_ms"), jint(tx, "failed"));
        const json_t *stmts = json_object_get(doc, "statements"), *st;
        size_t i;
        json_array_foreach(stmts, i, st) {
                char label[32];
                snprintf(label, sizeof label, "stmt %zu", i + 1);
                latency_row(f, label, json_object_get(st, "latency_ms"), jint(st, "errors"));
        }
        fprintf(f, "\n");
        json_array_foreach(stmts, i, st) {
                char lead[40];
                int n = snprintf(lead, sizeof lead, "%3zu  rows %-8" JSON_INTEGER_FORMAT " ", i + 1, jint(st, "rows"));
                fputs(lead, f);
                put_sql(f, jstr(st, "sql"), 80 - (unsigned) MAX(n, 0));
        }
}

static void errors(FILE *f, const json_t *doc) {
        const json_t *e = json_object_get(doc, "errors"), *cl = json_object_get(doc, "clients");
        static const char *const classes[] = { "serialization_failure", "deadlock", "query_canceled", "connection",
                                               "other" };
        fprintf(f, "\nerrors: %" JSON_INTEGER_FORMAT, jint(e, "total"));
        for (size_t i = 0; jint(e, "total") > 0 && i < ELEMENTSOF(classes); i++)
                if (jint(e, classes[i]) > 0)
                        fprintf(f, "%s%s %" JSON_INTEGER_FORMAT, i == 0 ? " (" : ", ", classes[i], jint(e, classes[i]));
        fprintf(f, "%s\n", jint(e, "total") > 0 ? ")" : "");
        if (jstr(e, "first")) {
                fprintf(f, "first: ");
                render_wrap(f, 7, 7, 80, jstr(e, "first"));
        }
        if (jint(cl, "lost") > 0)
                fprintf(f, "lost: %" JSON_INTEGER_FORMAT " client%s lost the connection to the server\n",
                        jint(cl, "lost"), jint(cl, "lost") == 1 ? "" : "s");
        if (jint(cl, "unstarted") > 0) {
                fprintf(f, "not started: %" JSON_INTEGER_FORMAT " client%s: ", jint(cl, "unstarted"),
                        jint(cl, "unstarted") == 1 ? "" : "s");
                render_wrap(f, 25, 2, 80, jstr_or(cl, "start_error", "?"));
        }
}

/* Each threshold with its observed value, and the verdict. */
static void thresholds(FILE *f, const json_t *doc) {
        const json_t *ths = json_object_get(doc, "thresholds"), *t;
        if (json_array_size(ths) == 0)
                return;
        fprintf(f, "\nthresholds: %s\n", jstr_or(json_object_get(doc, "verdict"), "reason", "?"));
        size_t i;
        json_array_foreach(ths, i, t) {
                char obs[48];
                load_fmt_metric(obs, sizeof obs, jstr(t, "metric"), json_object_get(t, "observed"));
                fprintf(f, "  %-4s %.40s (was %s", json_is_true(json_object_get(t, "passed")) ? "pass" : "FAIL",
                        jstr_or(t, "text", "?"), obs);
                if (json_is_number(json_object_get(t, "failed_at_s")))
                        fprintf(f, ", failed at %.0f s", json_number_value(json_object_get(t, "failed_at_s")));
                fprintf(f, ")\n");
        }
        if (jstr(doc, "aborted_by"))
                fprintf(f, "aborted by: %.60s\n", jstr(doc, "aborted_by"));
}

int render_db(FILE *f, const json_t *doc, const RenderView *v) {
        header(f, doc);
        transactions(f, doc);
        errors(f, doc);
        thresholds(f, doc);
        return ferror(f) ? -EIO : 0;
}
