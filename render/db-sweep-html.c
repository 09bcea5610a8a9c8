/* SPDX-License-Identifier: MIT */
/* A skytune.db-sweep/1 document as one offline HTML page (render.h): the recommendation, throughput
 * against the pool size (median, the interval's ends and the USL curve when it is shown), latency
 * percentiles against the pool size, and per size a table with the wait events. The load report's
 * style, script, CSP head and SVG charts. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "json-util.h"
#include "load-format.h"
#include "load-html-assets.h"
#include "load-html.h"
#include "render.h"
#include "schema.h"

#define SWEEP_SIZES_MAX 64

typedef struct SweepCols {
        size_t n;
        double x[SWEEP_SIZES_MAX], med[SWEEP_SIZES_MAX], lo[SWEEP_SIZES_MAX], hi[SWEEP_SIZES_MAX], usl[SWEEP_SIZES_MAX],
                p50[SWEEP_SIZES_MAX], p95[SWEEP_SIZES_MAX], p99[SWEEP_SIZES_MAX];
        bool usl_shown;
} SweepCols;

/* X(N) = lambda N / (1 + sigma (N - 1) + kappa N (N - 1)), from the document's fit. */
static double usl_at(const json_t *usl, double n) {
        double l = jnum(usl, "lambda"), s = jnum(usl, "sigma"), k = jnum(usl, "kappa");
        double d = 1 + s * (n - 1) + k * n * (n - 1);
        return d > 0 ? l * n / d : NAN;
}

static void columns(const json_t *doc, SweepCols *c) {
        const json_t *usl = json_object_get(doc, "usl"), *s;
        c->usl_shown = json_is_true(json_object_get(usl, "shown"));
        size_t i;
        c->n = 0;
        json_array_foreach(json_object_get(doc, "sizes"), i, s) {
                if (c->n == SWEEP_SIZES_MAX)
                        break;
                const json_t *tps = json_object_get(s, "tps"), *lat = json_object_get(s, "latency_ms");
                size_t k = c->n++;
                c->x[k] = jnum(s, "clients");
                c->med[k] = jnum(tps, "median");
                c->lo[k] = jnum(tps, "ci_lo");
                c->hi[k] = jnum(tps, "ci_hi");
                c->usl[k] = c->usl_shown ? usl_at(usl, c->x[k]) : NAN;
                /* The charts' latency unit is microseconds. */
                c->p50[k] = jnum(lat, "p50") * 1000;
                c->p95[k] = jnum(lat, "p95") * 1000;
                c->p99[k] = jnum(lat, "p99") * 1000;
        }
}

static void verdict(FILE *f, const json_t *doc) {
        const json_t *rec = json_object_get(doc, "recommendation");
        const json_t *clients = json_object_get(rec, "clients");
        bool interrupted = json_is_true(json_object_get(doc, "interrupted"));
        const char *cls = interrupted ? "invalid" : json_is_integer(clients) ? "pass" : "fail";
        fprintf(f, "<header id=\"verdict\" class=\"%s\" data-verdict=\"%s\">\n<h1>", cls, cls);
        if (json_is_integer(clients))
                fprintf(f, "recommended pool size: %lld", (long long) json_integer_value(clients));
        else
                fputs("no pool size recommended", f);
        fputs(interrupted ? " (interrupted)</h1>\n<p id=\"reason\">" : "</h1>\n<p id=\"reason\">", f);
        markup_put(f, jstr_or(rec, "reason", "no recommendation in the document"));
        fputs("</p>\n<p>workload ", f);
        markup_put(f, jstr_or(json_object_get(doc, "config"), "workload", "-"));
        fputs(", server ", f);
        markup_put(f, jstr_or(json_object_get(doc, "server"), "dsn", "-"));
        fprintf(f, ", %.3g s in all</p>\n", jnum(doc, "elapsed_s"));
        if (jstr(doc, "error")) {
                fputs("<p>stopped early: ", f);
                markup_put(f, jstr(doc, "error"));
                fputs("</p>\n", f);
        }
        fputs("</header>\n", f);
}

static void charts(FILE *f, const json_t *doc, const SweepCols *c) {
        fputs("<section id=\"throughput\"><h2>Throughput by pool size</h2>\n", f);
        ChartSeries tps[] = {
                { "median tps", c->med }, { "interval low", c->lo }, { "interval high", c->hi }, { "USL fit", c->usl }
        };
        Chart ch = { .id = "chart-sweep-tps",
                     .title = "committed transactions per second: the repeats' median and its interval",
                     .unit = "/s",
                     .axis = AXIS_CLIENTS,
                     .x = c->x,
                     .n = c->n,
                     .series = tps,
                     .n_series = c->usl_shown ? 4 : 3 };
        svg_chart(f, &ch);
        fputs("<p>", f);
        markup_put(f,
                   c->usl_shown ? "The USL curve is drawn: it fits these sizes (R\xc2\xb2 \xe2\x89\xa5 0.9)."
                                : jstr_or(json_object_get(doc, "usl"), "reason", "no USL fit"));
        fputs("</p>\n</section>\n<section id=\"latency\"><h2>Latency by pool size</h2>\n", f);
        ChartSeries lat[] = { { "p50", c->p50 }, { "p95", c->p95 }, { "p99", c->p99 } };
        ch = (Chart) { .id = "chart-sweep-latency",
                       .title = "transaction latency percentiles of the ok repeats, merged (log scale)",
                       .unit = "us",
                       .axis = AXIS_CLIENTS,
                       .log_y = true,
                       .x = c->x,
                       .n = c->n,
                       .series = lat,
                       .n_series = 3 };
        svg_chart(f, &ch);
        fputs("</section>\n", f);
}

static void waits_cell(FILE *f, const json_t *w) {
        fputs("<td>", f);
        size_t i;
        const json_t *e;
        json_array_foreach(json_object_get(w, "events"), i, e) {
                if (i == 4)
                        break;
                fputs(i ? ", " : "", f);
                markup_put(f, jstr_or(e, "type", "?"));
                fputc('/', f);
                markup_put(f, jstr_or(e, "event", "?"));
                fprintf(f, " %.0f%%", 100 * jnum(e, "share"));
        }
        fputs(i == 0 ? "-</td>" : "</td>", f);
}

static void sizes_table(FILE *f, const json_t *doc) {
        fputs("<section id=\"sizes\"><h2>Per pool size</h2>\n<table id=\"sizes-table\">\n", f);
        HTML_TH(f, "clients", "ok repeats", "tps median", "interval", "level", "p50 ms", "p95 ms", "p99 ms", "failed",
                "wait events");
        size_t i;
        const json_t *s;
        json_array_foreach(json_object_get(doc, "sizes"), i, s) {
                const json_t *tps = json_object_get(s, "tps"), *lat = json_object_get(s, "latency_ms");
                fputs("<tr>", f);
                html_td(f, json_object_get(s, "clients"));
                html_td(f, json_object_get(s, "ok_repeats"));
                html_td(f, json_object_get(tps, "median"));
                fprintf(f, "<td>%.1f-%.1f</td>", jnum(tps, "ci_lo"), jnum(tps, "ci_hi"));
                html_td(f, json_object_get(tps, "level"));
                html_td(f, json_object_get(lat, "p50"));
                html_td(f, json_object_get(lat, "p95"));
                html_td(f, json_object_get(lat, "p99"));
                html_td(f, json_object_get(s, "failed"));
                waits_cell(f, json_object_get(s, "wait_events"));
                fputs("</tr>\n", f);
        }
        fputs("</table>\n</section>\n", f);
}

int render_db_sweep_html(FILE *f, const json_t *doc, Error *e) {
        if (!jstreq(doc, "schema", DB_SWEEP_SCHEMA))
                return error_set(e, -EINVAL, "not a " DB_SWEEP_SCHEMA " document: cannot write a sweep report from it");
        SweepCols c;
        columns(doc, &c);
        int r = html_head(f, "skytune db pool-sweep: ", jstr_or(json_object_get(doc, "config"), "workload", "run"),
                          "report");
        if (r < 0)
                return error_set(e, r, "out of memory writing the HTML report");
        verdict(f, doc);
        fputs("<main>\n", f);
        charts(f, doc, &c);
        sizes_table(f, doc);
        fputs("</main>\n<script type=\"application/json\" id=\"skytune-data\">", f);
        r = html_put_json(f, doc);
        return html_page_end(f, r, e);
}
