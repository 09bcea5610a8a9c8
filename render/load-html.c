/* SPDX-License-Identifier: MIT */
/* The HTML report of a load run: one offline file. The data sits in the page as JSON (a <script>
 * of type application/json, which never runs); the charts are SVG written here (load-html-svg.c);
 * the only style and script are hashed into a Content-Security-Policy of default-src 'none', so the
 * page can fetch nothing and run nothing else. The verdict and every table are plain HTML. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hdr-codec.h"
#include "json-util.h"
#include "load-format.h"
#include "load-html-assets.h"
#include "load-html.h"
#include "macro.h"
#include "render-load.h"
#include "schema.h"

static const char *verdict_class(const json_t *doc, const char **ret_word) {
        const json_t *v = json_object_get(doc, "verdict");
        if (json_is_true(json_object_get(doc, "interrupted")))
                return *ret_word = "INTERRUPTED", "invalid";
        if (json_integer_value(json_object_get(v, "exit")) == 5 ||
            json_is_true(json_object_get(json_object_get(doc, "client"), "client_bound")))
                return *ret_word = "INVALID", "invalid";
        if (json_is_true(json_object_get(v, "passed")))
                return *ret_word = "PASSED", "pass";
        return *ret_word = "FAILED", "fail";
}

static int head(FILE *f, const json_t *doc, const char *word) {
        return html_head(f, "skytune load: ", jstr_or(json_object_get(doc, "config"), "scenario", "run"), word);
}

static void verdict(FILE *f, const json_t *doc) {
        const char *word, *cls = verdict_class(doc, &word);
        const json_t *total = json_object_get(doc, "total");
        fprintf(f, "<header id=\"verdict\" class=\"%s\" data-verdict=\"%s\">\n<h1>%s: ", cls, cls, word);
        markup_put(f, jstr_or(json_object_get(doc, "config"), "scenario", "load run"));
        fputs("</h1>\n", f);
        html_verdict_reason(f, doc);
        fputs("<p>", f);
        markup_put(f, jstr_or(doc, "started", "-"));
        fputs(" to ", f);
        markup_put(f, jstr_or(doc, "ended", "-"));
        char p99[32];
        fprintf(f, ", %g s on ", jnum(total, "duration_s"));
        markup_put(f, jstr_or(json_object_get(doc, "host"), "hostname", "-"));
        fprintf(f, ": %g requests/s completed, p99 %s</p>\n", jnum(total, "completed_per_s"),
                load_fmt_us(p99, sizeof(p99), json_object_get(json_object_get(total, "latency_us"), "p99")));
        html_thresholds(f, doc);
        fputs("</header>\n", f);
}

static void time_chart(FILE *f, const LoadSeries *s, const json_t *doc, const char *id, const char *title,
                       const char *unit, bool log_y, const ChartSeries *series, size_t n) {
        Chart c = { .id = id, .title = title, .unit = unit, .axis = AXIS_TIME, .log_y = log_y, .x = s->t, .n = s->n,
                    .series = series, .n_series = n, .markers = json_object_get(doc, "markers") };
        svg_chart(f, &c);
}

static void load_sections(FILE *f, const json_t *doc, const LoadSeries *s) {
        fputs("<section id=\"load\"><h2>Planned against delivered load</h2>\n", f);
        ChartSeries load[] = { { "planned", s->planned }, { "attempted/s", s->attempted }, { "sent/s", s->sent } };
        time_chart(f, s, doc, "chart-load", "planned (users or rate) against attempted and sent per second", "", false,
                   load, 3);
        html_summaries(f, doc);
        fputs("</section>\n<section id=\"throughput\"><h2>Throughput</h2>\n", f);
        ChartSeries tput[] = { { "completed/s", s->completed }, { "ok/s", s->ok } };
        time_chart(f, s, doc, "chart-throughput", "responses per second", "/s", false, tput, 2);
        fputs("</section>\n<section id=\"errors\"><h2>Errors by class</h2>\n", f);
        ChartSeries *errs = calloc(MAX(s->n_errors, 1), sizeof(ChartSeries));
        for (size_t k = 0; errs && k < s->n_errors; k++)
                errs[k] = (ChartSeries) { s->error_names[k], s->errors[k] };
        if (errs)
                time_chart(f, s, doc, "chart-errors", "errors per second, by class", "/s", false, errs, s->n_errors);
        free(errs);
        html_errors_table(f, doc);
        fputs("</section>\n<section id=\"latency\"><h2>Latency of answered requests over time</h2>\n", f);
        ChartSeries lat[5];
        for (size_t p = 0; p < 5; p++)
                lat[p] = (ChartSeries) { load_pct_names[p], s->pct[p] };
        time_chart(f, s, doc, "chart-latency", "p50, p90, p99, p99.9 and max per interval (log scale)", "us", true, lat, 5);
        fputs("</section>\n", f);
}

/* The percentile spectrum of the whole run from the total's histogram, and its table. */
static void distribution(FILE *f, const json_t *doc) {
        fputs("<section id=\"distribution\"><h2>Latency distribution</h2>\n", f);
        Histogram *h = NULL;
        const char *hdr = jstr(json_object_get(doc, "total"), "hdr");
        if (!hdr || hdr_decode(hdr, &h) < 0 || histogram_count(h) == 0) {
                fputs("<p>The document has no latency histogram of the run.</p></section>\n", f);
                histogram_free(h);
                return;
        }
        enum { N = 121 };
        double x[N], y[N], top = fmin(log10((double) histogram_count(h)), 6);
        size_t n = 0;
        for (; n < N && n * 0.05 <= top + 1e-9; n++) {
                x[n] = n * 0.05;
                y[n] = (double) histogram_percentile(h, 100 * (1 - pow(10, -x[n])));
        }
        ChartSeries sp = { "latency", y };
        Chart c = { .id = "chart-distribution", .title = "latency at each percentile (log scale)", .unit = "us",
                    .axis = AXIS_SPECTRUM, .log_y = true, .x = x, .n = n, .series = &sp, .n_series = 1 };
        svg_chart(f, &c);
        fputs("<table id=\"percentiles\"><thead><tr><th>percentile</th><th>latency</th></tr></thead>\n", f);
        static const double ps[] = { 50, 75, 90, 95, 99, 99.9, 99.99, 100 };
        static const char *const names[] = { "p50", "p75", "p90", "p95", "p99", "p99.9", "p99.99", "max" };
        for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
                char buf[32];
                chart_fmt(buf, sizeof(buf), "us", (double) histogram_percentile(h, ps[i]));
                fprintf(f, "<tr><td>%s</td><td>%s</td></tr>\n", names[i], buf);
        }
        fprintf(f, "</table>\n<p>%llu answered requests (2xx to 5xx; failed transfers have no time).</p></section>\n", (unsigned long long) histogram_count(h));
        histogram_free(h);
}

static const char *unit_of(const char *name) {
        size_t n = strlen(name);
        if (n >= 4 && strcmp(name + n - 4, "_pct") == 0)
                return "%";
        if (n >= 5 && strcmp(name + n - 5, "bytes") == 0)
                return "bytes";
        return "";
}

static void system_series(FILE *f, const json_t *doc, const json_t *t, const json_t *series, const char *prefix) {
        const char *name;
        json_t *v;
        size_t n = json_array_size(t), idx = 0;
        double *x = calloc(MAX(n, 1), sizeof(double)), *y = calloc(MAX(n, 1), sizeof(double));
        json_object_foreach((json_t *) series, name, v) {
                size_t m = MIN(n, json_array_size(v));
                for (size_t i = 0; x && y && i < m; i++) {
                        json_t *e = json_array_get(v, i);
                        x[i] = json_number_value(json_array_get(t, i));
                        y[i] = json_is_number(e) ? json_number_value(e) : NAN;
                }
                char id[48], title[160];
                snprintf(id, sizeof(id), "chart-%s-%zu", prefix, idx++);
                snprintf(title, sizeof(title), "%s%s", strcmp(prefix, "server") == 0 ? "server " : "", name);
                ChartSeries cs = { name, y };
                Chart c = { .id = id, .title = title, .unit = unit_of(name), .axis = AXIS_TIME, .x = x, .n = x && y ? m : 0,
                            .series = &cs, .n_series = 1, .markers = json_object_get(doc, "markers") };
                svg_chart(f, &c);
        }
        free(x);
        free(y);
}

static void system_section(FILE *f, const json_t *doc) {
        const json_t *sys = json_object_get(doc, "system"), *server = json_object_get(sys, "server");
        fputs("<section id=\"system\"><h2>System metrics</h2>\n", f);
        if (!json_is_object(sys) || json_object_size(json_object_get(sys, "series")) == 0)
                fputs("<p>This run recorded no system metrics.</p>\n", f);
        else {
                system_series(f, doc, json_object_get(sys, "t_s"), json_object_get(sys, "series"), "host");
                if (json_is_object(server)) {
                        fprintf(f, "<p>The server: pid %lld", (long long) json_integer_value(json_object_get(server, "pid")));
                        if (jstr(server, "unit")) {
                                fputs(", unit ", f);
                                markup_put(f, jstr(server, "unit"));
                        }
                        fputs(".</p>\n", f);
                        system_series(f, doc, json_object_get(sys, "t_s"), json_object_get(server, "series"), "server");
                }
        }
        fputs("</section>\n", f);
}

int render_load_html(FILE *f, const json_t *doc, Error *e) {
        if (!jstreq(doc, "schema", LOAD_SCHEMA))
                return error_set(e, -EINVAL, "not a " LOAD_SCHEMA " document: cannot write an HTML report from it");
        LoadSeries s;
        const char *word;
        verdict_class(doc, &word);
        int r = load_series_build(doc, &s);
        if (r >= 0)
                r = head(f, doc, word);
        if (r < 0) {
                load_series_done(&s);
                return error_set(e, r, "out of memory writing the HTML report");
        }
        verdict(f, doc);
        fputs("<main>\n", f);
        load_sections(f, doc, &s);
        html_stress(f, doc, &s);
        distribution(f, doc);
        system_section(f, doc);
        fputs("<section id=\"markers\"><h2>Markers</h2>\n", f);
        html_markers(f, doc);
        fputs("</section>\n<section id=\"findings\"><h2>Host findings and proposed changes</h2>\n", f);
        html_findings(f, doc);
        fputs("</section>\n<section id=\"configuration\"><h2>Configuration and host</h2>\n", f);
        html_config(f, doc);
        fputs("</section>\n</main>\n<script type=\"application/json\" id=\"skytune-data\">", f);
        r = html_embedded_data(f, doc, &s);
        load_series_done(&s);
        return html_page_end(f, r, e);
}
