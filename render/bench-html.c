/* SPDX-License-Identifier: MIT */
/* A skytune.bench-compare/1 document as one offline HTML page (render.h): the gates' outcome and the
 * summary, what differs between the hosts, a table of every metric, and per metric the repetitions
 * of both sides and the ratio with its interval (bench-html-svg.c). The load report's style,
 * script and CSP head. */
#include <errno.h>
#include <stdio.h>

#include "bench-html.h"
#include "json-util.h"
#include "load-format.h"
#include "load-html.h"
#include "render.h"
#include "schema.h"

static long long count(const json_t *o, const char *key) {
        return (long long) json_integer_value(json_object_get(o, key));
}

static void run_name(FILE *f, const char *side, const json_t *run) {
        fprintf(f, "%s = run %lld", side, count(run, "id"));
}

static void verdict(FILE *f, const json_t *doc) {
        const json_t *s = json_object_get(doc, "summary");
        long long failed = count(s, "gates_failed"), unknown = count(s, "gates_unknown");
        const char *cls = failed ? "fail" : unknown ? "invalid" : "pass";
        fprintf(f, "<header id=\"verdict\" class=\"%s\" data-verdict=\"%s\">\n<h1>", cls, cls);
        if (failed || unknown)
                fprintf(f, "%lld gate%s failed, %lld unknown", failed, failed == 1 ? "" : "s", unknown);
        else
                fputs("no gate failed", f);
        fputs("</h1>\n<p id=\"reason\">suite ", f);
        markup_put(f, jstr_or(json_object_get(doc, "b"), "suite", "-"));
        fputs(": ", f);
        run_name(f, "A", json_object_get(doc, "a"));
        fputs(" (baseline), ", f);
        run_name(f, "B", json_object_get(doc, "b"));
        fprintf(f,
                " (candidate). Net improvement %+.1f %%: %lld improved, %lld regressed, %lld same, %lld "
                "unknown.</p>\n</header>\n",
                jnum(s, "net_improvement"), count(s, "improvements"), count(s, "regressions"), count(s, "same"),
                count(s, "unknown"));
}

static void differences(FILE *f, const json_t *doc) {
        static const char *const keys[] = { "hard_differences", "soft_differences" };
        fputs("<section id=\"hosts\"><h2>Hosts</h2>\n", f);
        if (!json_array_size(json_object_get(doc, keys[0])) && !json_array_size(json_object_get(doc, keys[1]))) {
                fputs("<p>The two runs' fingerprints are the same.</p>\n</section>\n", f);
                return;
        }
        fputs("<table id=\"differences\">\n", f);
        HTML_TH(f, "field", "A", "B", "kind");
        for (size_t k = 0; k < 2; k++) {
                size_t i;
                const json_t *d;
                json_array_foreach(json_object_get(doc, keys[k]), i, d) {
                        fputs("<tr>", f);
                        html_td(f, json_object_get(d, "field"));
                        html_td(f, json_object_get(d, "a"));
                        html_td(f, json_object_get(d, "b"));
                        html_td_text(f, k ? "soft: shown, not a reason to refuse" : "hard: compared only by --force");
                        fputs("</tr>\n", f);
                }
        }
        fputs("</table>\n</section>\n", f);
}

/* Red for a failed gate or a regression, green for an improvement, none for the rest. */
static const char *row_class(const json_t *m) {
        if (jstreq(json_object_get(m, "gate"), "status", "failed") || jstreq(m, "verdict", "regressed"))
                return " class=\"fail\"";
        return jstreq(m, "verdict", "improved") ? " class=\"pass\"" : "";
}

static void metrics_table(FILE *f, const json_t *doc) {
        fputs("<section id=\"metrics\"><h2>Metrics</h2>\n<table id=\"metrics-table\">\n", f);
        HTML_TH(f, "benchmark", "metric", "unit", "better", "A median", "B median", "B/A", "95 % interval", "p (Holm)",
                "verdict", "gate");
        size_t i;
        const json_t *m;
        json_array_foreach(json_object_get(doc, "metrics"), i, m) {
                const json_t *ci = json_object_get(m, "ci"), *gate = json_object_get(m, "gate");
                fprintf(f, "<tr%s>", row_class(m));
                html_td(f, json_object_get(m, "benchmark"));
                html_td(f, json_object_get(m, "metric"));
                html_td(f, json_object_get(m, "unit"));
                html_td_text(f, json_is_true(json_object_get(m, "higher_is_better")) ? "higher" : "lower");
                html_td(f, json_object_get(m, "median_a"));
                html_td(f, json_object_get(m, "median_b"));
                html_td(f, json_object_get(m, "ratio"));
                if (json_array_size(ci) == 2)
                        fprintf(f, "<td>%.4f-%.4f</td>", json_number_value(json_array_get(ci, 0)),
                                json_number_value(json_array_get(ci, 1)));
                else
                        html_td(f, NULL);
                html_td(f, json_object_get(m, "p_holm"));
                if (json_object_get(m, "more_repetitions"))
                        fprintf(f, "<td>unknown: need %lld more</td>", count(m, "more_repetitions"));
                else
                        html_td(f, json_object_get(m, "verdict"));
                html_td(f, json_is_object(gate) ? json_object_get(gate, "status") : NULL);
                fputs("</tr>\n", f);
        }
        fputs("</table>\n</section>\n", f);
}

void bench_html_pictures(FILE *f, const json_t *doc, const char *section, const char *title, const char *prefix,
                         BenchHtmlDraw draw) {
        fprintf(f, "<section id=\"%s\"><h2>%s</h2>\n", section, title);
        size_t i;
        const json_t *m;
        json_array_foreach(json_object_get(doc, "metrics"), i, m) {
                fputs("<h3>", f);
                markup_put(f, jstr_or(m, "benchmark", "?"));
                fputs(" \xc2\xb7 ", f);
                markup_put(f, jstr_or(m, "metric", "?"));
                fprintf(f, " (%s is better)</h3>\n",
                        json_is_true(json_object_get(m, "higher_is_better")) ? "higher" : "lower");
                char id[32];
                snprintf(id, sizeof(id), "%s-%zu", prefix, i);
                draw(f, doc, m, id);
        }
        fputs("</section>\n", f);
}

static void compare_svg(FILE *f, const json_t *doc, const json_t *m, const char *id) {
        bench_html_metric_svg(f, m, id);
}

int bench_html_page(FILE *f, const json_t *doc, const BenchHtmlPage *p, const char *title, Error *e) {
        if (!jstreq(doc, "schema", p->schema))
                return error_set(e, -EINVAL, "not a %s document: cannot write %s from it", p->schema, p->what);
        int r = html_head(f, p->kind, title, p->word);
        if (r < 0)
                return error_set(e, r, "out of memory writing the HTML report");
        p->top(f, doc);
        fputs("<main>\n", f);
        p->body(f, doc);
        fputs("</main>\n<script type=\"application/json\" id=\"skytune-data\">", f);
        r = html_put_json(f, doc);
        return html_page_end(f, r, e);
}

static void compare_body(FILE *f, const json_t *doc) {
        metrics_table(f, doc);
        differences(f, doc);
        bench_html_pictures(f, doc, "distributions", "Repetitions and ratios", "metric", compare_svg);
}

int render_bench_compare_html(FILE *f, const json_t *doc, Error *e) {
        static const BenchHtmlPage page = { .schema = BENCH_COMPARE_SCHEMA,
                                            .what = "a comparison report",
                                            .kind = "skytune bench compare: ",
                                            .word = "report",
                                            .top = verdict,
                                            .body = compare_body };
        return bench_html_page(f, doc, &page, jstr_or(json_object_get(doc, "b"), "suite", "runs"), e);
}
