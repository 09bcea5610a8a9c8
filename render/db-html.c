/* SPDX-License-Identifier: MIT */
/* The HTML report of a db run (skytune.db/1 with its intervals and thresholds): one offline file as
 * the load report is (render/load-html.c): the same style and script, hashed into a strict
 * Content-Security-Policy, the data embedded as JSON that never runs, the charts SVG from svg_chart.
 * Sections: the verdict and its thresholds, latency and tps over time from the run's intervals, the
 * statements, errors by SQLSTATE class, the server's figures over the run (when recorded) and the
 * configuration. Every table is plain HTML. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json-util.h"
#include "load-format.h"
#include "load-html-assets.h"
#include "load-html.h"
#include "macro.h"
#include "render.h"
#include "schema.h"

/* The columns of the intervals: t, then p50 p90 p99 p99.9 max (us), then tx/s and ok tx/s. */
enum { S_P50, S_P90, S_P99, S_P999, S_MAX, S_TX, S_OK, _S_MAX };
static const char *const series_keys[_S_MAX] = { "p50", "p90", "p99", "p99.9", "max", "completed_per_s", "ok_per_s" };
static const char *const lat_keys[] = { "p50", "p90", "p99", "p99_9", "max" };

typedef struct DbSeries {
        size_t n;
        double *t, *col[_S_MAX];
} DbSeries;

static void series_done(DbSeries *s) {
        free(s->t);
        for (size_t k = 0; k < _S_MAX; k++)
                free(s->col[k]);
}

static double num_or_nan(const json_t *v) {
        return json_is_number(v) ? json_number_value(v) : NAN;
}

static int series_build(const json_t *doc, DbSeries *s) {
        *s = (DbSeries) {};
        const json_t *iv = json_object_get(doc, "intervals");
        size_t n = json_array_size(iv), i;
        s->t = calloc(MAX(n, 1), sizeof(double));
        for (size_t k = 0; k < _S_MAX; k++)
                s->col[k] = calloc(MAX(n, 1), sizeof(double));
        for (size_t k = 0; k < _S_MAX; k++)
                if (!s->t || !s->col[k])
                        return -ENOMEM;
        json_t *o;
        json_array_foreach(iv, i, o) {
                const json_t *lat = json_object_get(o, "latency_ms");
                double span = jnum(o, "interval_s");
                s->t[i] = jnum(o, "t_s");
                for (size_t k = 0; k < ELEMENTSOF(lat_keys); k++)
                        s->col[S_P50 + k][i] = num_or_nan(json_object_get(lat, lat_keys[k])) * 1e3;
                s->col[S_TX][i] = span > 0 ? jnum(o, "transactions") / span : NAN;
                s->col[S_OK][i] = num_or_nan(json_object_get(o, "tps"));
        }
        s->n = n;
        return 0;
}

static const char *verdict_class(const json_t *doc, const char **word) {
        if (json_is_true(json_object_get(doc, "interrupted")))
                return *word = "INTERRUPTED", "invalid";
        if (json_is_true(json_object_get(json_object_get(doc, "verdict"), "passed")))
                return *word = "PASSED", "pass";
        return *word = "FAILED", "fail";
}

static int head(FILE *f, const json_t *doc, const char *word) {
        char kind[48];
        snprintf(kind, sizeof(kind), "skytune db %s: ", jstr_or(doc, "command", "run"));
        return html_head(f, kind, jstr_or(json_object_get(doc, "config"), "workload", "run"), word);
}

static void verdict(FILE *f, const json_t *doc) {
        const char *word, *cls = verdict_class(doc, &word);
        const json_t *tx = json_object_get(doc, "transactions");
        fprintf(f, "<header id=\"verdict\" class=\"%s\" data-verdict=\"%s\">\n<h1>%s: db ", cls, cls, word);
        markup_put(f, jstr_or(doc, "command", "run")); /* a saved document is outside input */
        fputc(' ', f);
        markup_put(f, jstr_or(json_object_get(doc, "config"), "workload", ""));
        fputs("</h1>\n", f);
        html_verdict_reason(f, doc);
        fputs("<p>", f);
        markup_put(f, jstr_or(doc, "started", "-"));
        fprintf(f, ", %.3g s: %lld transactions (%lld failed), %.1f tps, p99 %.3f ms</p>\n", jnum(doc, "elapsed_s"),
                (long long) json_integer_value(json_object_get(tx, "count")),
                (long long) json_integer_value(json_object_get(tx, "failed")), jnum(tx, "tps"),
                jnum(json_object_get(tx, "latency_ms"), "p99"));
        html_thresholds(f, doc);
        fputs("</header>\n", f);
}

static void over_time(FILE *f, const DbSeries *s) {
        fputs("<section id=\"latency\"><h2>Latency of transactions over time</h2>\n", f);
        ChartSeries lat[5];
        for (size_t k = 0; k < 5; k++)
                lat[k] = (ChartSeries) { series_keys[S_P50 + k], s->col[S_P50 + k] };
        Chart c = { .id = "chart-latency",
                    .title = "p50, p90, p99, p99.9 and max per interval (log scale)",
                    .unit = "us",
                    .axis = AXIS_TIME,
                    .log_y = true,
                    .x = s->t,
                    .n = s->n,
                    .series = lat,
                    .n_series = 5 };
        svg_chart(f, &c);
        fputs("</section>\n<section id=\"throughput\"><h2>Transactions per second</h2>\n", f);
        ChartSeries tps[] = { { "transactions/s", s->col[S_TX] }, { "committed/s (tps)", s->col[S_OK] } };
        c = (Chart) { .id = "chart-throughput",
                      .title = "transactions and committed transactions per second",
                      .unit = "/s",
                      .axis = AXIS_TIME,
                      .x = s->t,
                      .n = s->n,
                      .series = tps,
                      .n_series = 2 };
        svg_chart(f, &c);
        if (s->n == 0)
                fputs("<p>The document has no intervals.</p>\n", f);
        fputs("</section>\n", f);
}

static void latency_cells(FILE *f, const json_t *lat) {
        html_td(f, json_object_get(lat, "count"));
        static const char *const keys[] = { "p50", "p90", "p95", "p99", "p99_9", "max" };
        for (size_t k = 0; k < ELEMENTSOF(keys); k++)
                html_td(f, json_object_get(lat, keys[k]));
}

static void statements(FILE *f, const json_t *doc) {
        fputs("<section id=\"statements\"><h2>Statements</h2>\n<table id=\"statement-table\">", f);
        HTML_TH(f, "", "SQL", "line", "rows", "errors", "count", "p50 ms", "p90 ms", "p95 ms", "p99 ms", "p99.9 ms",
                "max ms");
        const json_t *tx = json_object_get(doc, "transactions");
        fputs("<tr><td>transaction</td><td>-</td><td>-</td><td>-</td>", f);
        html_td(f, json_object_get(tx, "failed"));
        latency_cells(f, json_object_get(tx, "latency_ms"));
        fputs("</tr>\n", f);
        size_t i;
        json_t *st;
        json_array_foreach(json_object_get(doc, "statements"), i, st) {
                fprintf(f, "<tr><td>%zu</td>", i + 1);
                html_td(f, json_object_get(st, "sql"));
                html_td(f, json_object_get(st, "line"));
                html_td(f, json_object_get(st, "rows"));
                html_td(f, json_object_get(st, "errors"));
                latency_cells(f, json_object_get(st, "latency_ms"));
                fputs("</tr>\n", f);
        }
        fputs("</table>\n</section>\n", f);
}

static void errors(FILE *f, const json_t *doc) {
        const json_t *e = json_object_get(doc, "errors");
        fputs("<section id=\"errors\"><h2>Errors by SQLSTATE class</h2>\n<table id=\"error-classes\">", f);
        HTML_TH(f, "class", "SQLSTATE", "count");
        static const char *const classes[][2] = { { "serialization_failure", "40001" },
                                                  { "deadlock", "40P01" },
                                                  { "query_canceled", "57014" },
                                                  { "connection", "08xxx or none" },
                                                  { "other", "any other" } };
        for (size_t k = 0; k < ELEMENTSOF(classes); k++) {
                fprintf(f, "<tr class=\"%s\">",
                        json_integer_value(json_object_get(e, classes[k][0])) > 0 ? "fail" : "pass");
                html_td_text(f, classes[k][0]);
                html_td_text(f, classes[k][1]);
                html_td(f, json_object_get(e, classes[k][0]));
                fputs("</tr>\n", f);
        }
        fputs("</table>\n", f);
        if (jstr(e, "first")) {
                fputs("<p>The first error: ", f);
                markup_put(f, jstr(e, "first"));
                fputs("</p>\n", f);
        }
        fputs("</section>\n", f);
}

/* The server's figures over the run (db inspect's window: "server_window"), when recorded. */
static void server(FILE *f, const json_t *doc) {
        const json_t *w = json_object_get(doc, "server_window");
        fputs("<section id=\"server\"><h2>The server over the run</h2>\n", f);
        if (!json_is_object(w)) {
                fputs("<p>This run recorded no server statistics (pg_stat_database was not readable).</p>\n", f);
                fputs("</section>\n", f);
                return;
        }
        fputs("<table id=\"server-deltas\">", f);
        HTML_TH(f, "figure", "during the run");
        const char *key;
        json_t *v;
        json_object_foreach((json_t *) w, key, v) {
                if (json_is_object(v) || json_is_array(v))
                        continue;
                fputs("<tr>", f);
                html_td_text(f, key);
                html_td(f, v);
                fputs("</tr>\n", f);
        }
        fputs("</table>\n</section>\n", f);
}

static void configuration(FILE *f, const json_t *doc) {
        fputs("<section id=\"configuration\"><h2>Configuration and server</h2>\n<table id=\"config\">", f);
        HTML_TH(f, "setting", "value");
        const char *key;
        json_t *v;
        json_object_foreach(json_object_get(doc, "config"), key, v) {
                fputs("<tr>", f);
                html_td_text(f, key);
                html_td(f, v);
                fputs("</tr>\n", f);
        }
        json_object_foreach(json_object_get(doc, "server"), key, v) {
                fputs("<tr>", f);
                char name[64];
                snprintf(name, sizeof(name), "server %s", key);
                html_td_text(f, name);
                html_td(f, v);
                fputs("</tr>\n", f);
        }
        const json_t *c = json_object_get(doc, "connect_ms");
        fputs("<tr><td>connections</td>", f);
        html_td(f, json_object_get(c, "count"));
        fputs("</tr>\n<tr><td>connect p50 ms</td>", f);
        html_td(f, json_object_get(c, "p50"));
        fputs("</tr>\n</table>\n</section>\n", f);
}

static json_t *columns(const DbSeries *s) {
        json_t *o = json_object(), *t = json_array();
        for (size_t i = 0; t && i < s->n; i++)
                json_array_append_new(t, json_num(s->t[i]));
        json_object_set_new(o, "t_s", t);
        for (size_t k = 0; k < _S_MAX; k++) {
                json_t *a = json_array();
                for (size_t i = 0; a && i < s->n; i++)
                        json_array_append_new(a, json_num(s->col[k][i]));
                json_object_set_new(o, series_keys[k], a);
        }
        return o;
}

/* The document, its intervals as columns, as JSON safe inside <script> (no <, > or & but escaped). */
static int embedded(FILE *f, const json_t *doc, const DbSeries *s) {
        json_t *copy = json_deep_copy(doc);
        if (!copy)
                return -ENOMEM;
        json_object_del(copy, "intervals");
        json_object_set_new(copy, "series", columns(s));
        int r = html_put_json(f, copy);
        json_decref(copy);
        return r;
}

int render_db_html(FILE *f, const json_t *doc, Error *e) {
        if (!jstreq(doc, "schema", DB_SCHEMA))
                return error_set(e, -EINVAL, "not a " DB_SCHEMA " document: cannot write an HTML report from it");
        DbSeries s;
        const char *word;
        verdict_class(doc, &word);
        int r = series_build(doc, &s);
        if (r >= 0)
                r = head(f, doc, word);
        if (r < 0) {
                series_done(&s);
                return error_set(e, r, "out of memory writing the HTML report");
        }
        verdict(f, doc);
        fputs("<main>\n", f);
        over_time(f, &s);
        statements(f, doc);
        errors(f, doc);
        server(f, doc);
        configuration(f, doc);
        fputs("</main>\n<script type=\"application/json\" id=\"skytune-data\">", f);
        r = embedded(f, doc, &s);
        series_done(&s);
        return html_page_end(f, r, e);
}
