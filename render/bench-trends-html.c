/* SPDX-License-Identifier: MIT */
/* A skytune.bench-trends/1 document as one offline HTML page (render.h): how many changes in how
 * many runs, a table of the changes with the fingerprint fields and the transactions that changed
 * near each (between the run before and the first run after it), the tuning markers, and per
 * metric the trend (bench-trends-svg.c). The load report's style, script and CSP head. */
#include <errno.h>
#include <stdio.h>

#include "bench-html.h"
#include "json-util.h"
#include "load-format.h"
#include "load-html.h"
#include "render-bench.h"
#include "render.h"
#include "schema.h"

static long long count(const json_t *o, const char *key) {
        return (long long) json_integer_value(json_object_get(o, key));
}

static void header(FILE *f, const json_t *doc) {
        size_t n = json_array_size(json_object_get(doc, "changes"));
        fprintf(f, "<header id=\"verdict\" class=\"%s\" data-changes=\"%zu\">\n<h1>%zu change%s in %lld runs</h1>\n",
                n ? "invalid" : "pass", n, n, n == 1 ? "" : "s", count(doc, "runs"));
        fputs("<p id=\"reason\">suite ", f);
        markup_put(f, jstr_or(doc, "suite", "-"));
        fprintf(f,
                ", the last %lld days, at least %lld runs on either side of a change. Near a change means "
                "between the last run before it and the first run after it.",
                count(doc, "days"), count(doc, "min_segment"));
        size_t capped = bench_trends_capped_series(doc);
        if (json_is_true(json_object_get(doc, "runs_capped")))
                fputs(" <strong>Only the newest runs of the window were read</strong> (give a smaller --days).", f);
        if (capped)
                fprintf(f,
                        " <strong>%zu series had more changes than are shown</strong>: the first ones are kept "
                        "(give a larger --min-segment).",
                        capped);
        fputs("</p>\n</header>\n", f);
}

/* The ids (and tunables) of a list of transactions in one cell, each on its own line. */
static void tx_cell(FILE *f, const json_t *list, const char *what) {
        size_t i;
        const json_t *t, *n;
        json_array_foreach(list, i, t) {
                fprintf(f, "%s ", what);
                markup_put(f, jstr_or(t, "id", "?"));
                size_t j;
                json_array_foreach(json_object_get(t, "tunables"), j, n) {
                        fputs(j ? ", " : ": ", f);
                        markup_put(f, json_string_value(n) ?: "?");
                }
                fputs("<br>", f);
        }
}

static void near_cell(FILE *f, const json_t *d) {
        fputs("<td>", f);
        if (!json_is_object(d))
                fputs("unknown (skytune-helper not reachable at one of the runs)", f);
        else if (!json_array_size(json_object_get(d, "applied")) && !json_array_size(json_object_get(d, "rolled_back")))
                fputs("none", f);
        tx_cell(f, json_object_get(d, "applied"), "applied");
        tx_cell(f, json_object_get(d, "rolled_back"), "rolled back");
        fputs("</td>", f);
}

static void fingerprint_cell(FILE *f, const json_t *c) {
        static const char *const keys[] = { "hard_differences", "soft_differences" };
        fputs("<td>", f);
        size_t n = 0;
        for (size_t k = 0; k < 2; k++) {
                size_t i;
                const json_t *d;
                json_array_foreach(json_object_get(c, keys[k]), i, d) {
                        fputs(k ? "soft " : "hard ", f);
                        markup_put(f, jstr_or(d, "field", "?"));
                        fputs(": ", f);
                        markup_put(f, jstr_or(d, "a", "-"));
                        fputs(" \xe2\x86\x92 ", f);
                        markup_put(f, jstr_or(d, "b", "-"));
                        fputs("<br>", f);
                        n++;
                }
        }
        fputs(n ? "</td>" : "none</td>", f);
}

static void changes_table(FILE *f, const json_t *doc) {
        fputs("<section id=\"changes\"><h2>Changes</h2>\n", f);
        if (!json_array_size(json_object_get(doc, "changes"))) {
                fputs("<p>No change in this window.</p>\n</section>\n", f);
                return;
        }
        fputs("<table id=\"changes-table\">\n", f);
        HTML_TH(f, "benchmark", "metric", "unit", "change", "mean before", "mean after", "first run after",
                "run before", "p", "fingerprint near it", "transactions near it");
        size_t i;
        const json_t *c;
        json_array_foreach(json_object_get(doc, "changes"), i, c) {
                fprintf(f, "<tr class=\"%s\">", jstreq(c, "direction", "worse") ? "fail" : "pass");
                html_td(f, json_object_get(c, "benchmark"));
                html_td(f, json_object_get(c, "metric"));
                html_td(f, json_object_get(c, "unit"));
                fprintf(f, "<td>%+.1f %% %s</td>", 100 * jnum(c, "magnitude"),
                        jstreq(c, "direction", "worse") ? "worse" : "better");
                html_td(f, json_object_get(c, "mean_before"));
                html_td(f, json_object_get(c, "mean_after"));
                html_td(f, json_object_get(c, "run"));
                html_td(f, json_object_get(c, "run_before"));
                html_td(f, json_object_get(c, "p"));
                fingerprint_cell(f, c);
                near_cell(f, json_object_get(c, "transactions"));
                fputs("</tr>\n", f);
        }
        fputs("</table>\n</section>\n", f);
}

static void tuning_table(FILE *f, const json_t *doc) {
        const json_t *tuning = json_object_get(doc, "tuning"), *m;
        fputs("<section id=\"tuning\"><h2>Tuning</h2>\n", f);
        if (!json_array_size(tuning)) {
                fputs("<p>No run's active skytune transactions differ from the run before's (where both are "
                      "known).</p>\n</section>\n",
                      f);
                return;
        }
        fputs("<table id=\"tuning-table\">\n", f);
        HTML_TH(f, "run", "transactions since the run before");
        size_t i;
        json_array_foreach(tuning, i, m) {
                fputs("<tr>", f);
                html_td(f, json_object_get(m, "run"));
                near_cell(f, m);
                fputs("</tr>\n", f);
        }
        fputs("</table>\n</section>\n", f);
}

static void trends_body(FILE *f, const json_t *doc) {
        changes_table(f, doc);
        tuning_table(f, doc);
        bench_html_pictures(f, doc, "trends", "Trends", "trend", bench_html_trend_svg);
}

int render_bench_trends_html(FILE *f, const json_t *doc, Error *e) {
        static const BenchHtmlPage page = { .schema = BENCH_TRENDS_SCHEMA,
                                            .what = "a trend report",
                                            .kind = "skytune bench trends: ",
                                            .word = "trends",
                                            .top = header,
                                            .body = trends_body };
        return bench_html_page(f, doc, &page, jstr_or(doc, "suite", "runs"), e);
}
