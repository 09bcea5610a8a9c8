/* SPDX-License-Identifier: MIT */
/* The dashboard page from a skytune.dashboard/1 document (render-dashboard.h): a header with the
 * range and its picker, the alerts, one section per panel (a chart on the wall clock in UTC with the
 * transactions as markers labelled with their verdict, and the table of its series, or what the
 * store lacks), and the transactions. The data sits in the page as JSON that never runs; the only
 * style and script are hashed into a Content-Security-Policy of default-src 'none'. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dashboard-internal.h"
#include "json-util.h"
#include "load-format.h"
#include "load-html-assets.h"
#include "load-html.h"
#include "macro.h"
#include "render-dashboard.h"
#include "schema.h"

static int head(FILE *f, const json_t *doc) {
        char *style, *script;
        if (load_html_hash_pair(dashboard_style, dashboard_script, &style, &script) < 0)
                return -ENOMEM;
        /* Served live, the page may ask its own origin (the monitor's API); offline, nothing at all. */
        fprintf(f,
                "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'sha256-%s'; "
                "script-src 'sha256-%s'; connect-src %s; img-src 'none'; base-uri 'none'; form-action 'none'\">\n"
                "<meta name=\"color-scheme\" content=\"light dark\">\n<meta name=\"referrer\" "
                "content=\"no-referrer\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>skytune dashboard: ",
                style, script, jstr(doc, "served_on") ? "'self'" : "'none'");
        free(style);
        free(script);
        markup_put(f, jstr_or(doc, "host", "-"));
        fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n", dashboard_style);
        return 0;
}

/* The picker: links to the served page's ranges; in an offline file the range is fixed, so the
 * choices are shown as text beside the command that writes another. */
/* The picker (the document's "ranges"): links to the served page's ranges; in an offline file the
 * range is fixed, so it is shown as text beside the command that writes another. */
static void picker(FILE *f, const json_t *doc, int64_t span) {
        const char *served = jstr(doc, "served_on");
        fputs("<nav id=\"ranges\" aria-label=\"time range\">range: ", f);
        size_t i;
        json_t *r;
        json_array_foreach(json_object_get(doc, "ranges"), i, r) {
                const char *name = jstr_or(r, "name", "?");
                bool cur = json_integer_value(json_object_get(r, "span_ms")) == span;
                if (!served && !cur)
                        continue;
                fputs(served ? "<a href=\"/dashboard?range=" : "<span", f);
                if (served) {
                        markup_put(f, name);
                        fputc('"', f);
                }
                fputs(cur ? " aria-current=\"page\">" : ">", f);
                markup_put(f, name);
                fputs(served ? "</a>" : "</span>", f);
        }
        if (!served)
                fputs(" (an offline snapshot: <code>skytune dashboard --html FILE --since SPAN</code> writes another "
                      "range)",
                      f);
        fputs("</nav>\n", f);
}

static void header(FILE *f, const json_t *doc) {
        int64_t from = json_integer_value(json_object_get(doc, "from_ms")),
                to = json_integer_value(json_object_get(doc, "to_ms"));
        char a[32], b[32], step[32];
        dash_fmt_time(a, from);
        dash_fmt_time(b, to);
        dash_fmt_age(step, json_integer_value(json_object_get(doc, "step_ms")));
        fputs("<header>\n<h1>skytune dashboard: ", f);
        markup_put(f, jstr_or(doc, "host", "-"));
        fprintf(f,
                "</h1>\n<p id=\"range\" data-from-ms=\"%lld\" data-to-ms=\"%lld\">%s to %s, a point every %s; as of ",
                (long long) from, (long long) to, a, b, step);
        markup_put(f, jstr_or(doc, "now", "-"));
        /* Where the page comes from: the daemon's address, or none (a file). */
        const char *served = jstr(doc, "served_on");
        fputs(served ? "; served by <span id=\"served-on\">" : "; an offline file", f);
        if (served) {
                markup_put(f, served);
                fputs("</span>", f);
        }
        fputs("</p>\n", f);
        picker(f, doc, to - from);
        fputs("</header>\n", f);
}

/* The transactions as the chart's markers: {"t_s", "kind": the verdict, "text"}. */
static json_t *tx_markers(const json_t *doc) {
        json_t *m = json_array();
        size_t i;
        json_t *tx;
        json_array_foreach(json_object_get(doc, "transactions"), i, tx) {
                char text[160];
                snprintf(text, sizeof(text), "transaction %s: %s", jstr_or(tx, "id", "?"), jstr_or(tx, "state", "?"));
                json_array_append_new(m,
                                      json_pack("{s:f, s:s, s:s}", "t_s",
                                                json_integer_value(json_object_get(tx, "t_ms")) / 1000.0, "kind",
                                                jstr_or(tx, "verdict", "?"), "text", text));
        }
        return m;
}

typedef struct Grid {
        int64_t from, step;
        size_t n;
        double *x;
} Grid;

/* A line per series on the range's grid: a step without a point is a gap. */
static int panel_chart(FILE *f, const json_t *panel, const json_t *by_name, const Grid *g, const json_t *markers) {
        const json_t *names = json_object_get(panel, "series");
        size_t k = json_array_size(names);
        ChartSeries *cs = calloc(MAX(k, 1), sizeof(ChartSeries));
        double *ys = malloc(MAX(k, 1) * g->n * sizeof(double));
        if (!cs || !ys) {
                free(cs);
                free(ys);
                return -ENOMEM;
        }
        for (size_t s = 0; s < k; s++) {
                double *y = ys + s * g->n;
                for (size_t i = 0; i < g->n; i++)
                        y[i] = NAN;
                size_t i;
                json_t *p;
                json_array_foreach(json_object_get(by_name, json_string_value(json_array_get(names, s))), i, p) {
                        int64_t t = json_integer_value(json_array_get(p, 0));
                        if (t >= g->from && (t - g->from) / g->step < (int64_t) g->n)
                                y[(t - g->from) / g->step] = json_number_value(json_array_get(p, 2));
                }
                cs[s] = (ChartSeries) { json_string_value(json_array_get(names, s)), y };
        }
        char id[64];
        snprintf(id, sizeof(id), "chart-%s", jstr_or(panel, "id", "panel"));
        Chart c = { .id = id,
                    .title = jstr_or(panel, "title", "-"),
                    .unit = jstr_or(panel, "unit", ""),
                    .axis = AXIS_WALL,
                    .x = g->x,
                    .n = g->n,
                    .series = cs,
                    .n_series = k,
                    .markers = markers,
                    .x0 = g->x[0],
                    .x1 = g->x[0] + (double) (g->n * g->step) / 1000 };
        svg_chart(f, &c);
        free(cs);
        free(ys);
        return 0;
}

static int panel(FILE *f, const json_t *p, const json_t *by_name, const Grid *g, const json_t *markers) {
        fputs("<section class=\"panel\" id=\"panel-", f);
        markup_put(f, jstr_or(p, "id", "?"));
        fputs("\"><h2>", f);
        markup_put(f, jstr_or(p, "title", "-"));
        fputs("</h2>\n", f);
        int r = 0;
        if (json_array_size(json_object_get(p, "series")) == 0) {
                fputs("<p class=\"missing\">", f);
                markup_put(f, jstr_or(p, "missing", "no data"));
                fputs(".</p>\n", f);
        } else if ((r = panel_chart(f, p, by_name, g, markers)) == 0)
                dash_series_table(f, p, by_name);
        fputs("</section>\n", f);
        return r;
}

/* The series by name, for the panels, and the grid of the range. */
static int panels(FILE *f, const json_t *doc) {
        int64_t from = json_integer_value(json_object_get(doc, "from_ms")),
                to = json_integer_value(json_object_get(doc, "to_ms")),
                step = json_integer_value(json_object_get(doc, "step_ms"));
        Grid g = { from, step, (size_t) ((to - from) / step), NULL };
        g.x = malloc(g.n * sizeof(double));
        json_t *by_name = json_object(), *markers = tx_markers(doc);
        size_t i;
        json_t *s;
        json_array_foreach(json_object_get(doc, "series"), i, s)
                if (jstr(s, "name") && by_name)
                        json_object_set(by_name, jstr(s, "name"), json_object_get(s, "points"));
        int r = g.x && by_name && markers ? 0 : -ENOMEM;
        for (size_t k = 0; r == 0 && k < g.n; k++)
                g.x[k] = (double) (from + (int64_t) k * step) / 1000;
        json_t *p;
        json_array_foreach(json_object_get(doc, "panels"), i, p)
                if (r == 0)
                        r = panel(f, p, by_name, &g, markers);
        free(g.x);
        json_decref(by_name);
        json_decref(markers);
        return r;
}

/* A range of 1 to DASH_MAX_STEPS whole steps from a time not before 1970: to - from cannot overflow,
 * and the grid has a first point. */
#define DASH_MAX_STEPS 200000
static bool range_ok(const json_t *doc) {
        int64_t from = json_integer_value(json_object_get(doc, "from_ms")),
                to = json_integer_value(json_object_get(doc, "to_ms")),
                step = json_integer_value(json_object_get(doc, "step_ms"));
        return from >= 0 && to > from && step > 0 && (to - from) / step >= 1 && (to - from) / step <= DASH_MAX_STEPS;
}

int render_dashboard_html(FILE *f, const json_t *doc, Error *e) {
        if (!jstreq(doc, "schema", DASHBOARD_SCHEMA))
                return error_set(e, -EINVAL, "not a " DASHBOARD_SCHEMA " document: cannot write a dashboard from it");
        if (!range_ok(doc))
                return error_set(e, -EINVAL,
                                 "the document's range (from_ms, to_ms, step_ms) is not one of 1 to 200000 steps from "
                                 "a time not before 1970");
        int r = head(f, doc);
        if (r < 0)
                return error_set(e, r, "out of memory writing the dashboard");
        header(f, doc);
        fputs("<main>\n", f);
        dash_alerts(f, doc);
        r = panels(f, doc);
        if (r < 0)
                return error_set(e, r, "out of memory writing the dashboard");
        dash_transactions(f, doc);
        fputs("</main>\n<script type=\"application/json\" id=\"skytune-data\">", f);
        char *data = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(10));
        if (!data)
                return error_set(e, -ENOMEM, "out of memory writing the dashboard's data");
        html_script_json(f, data);
        free(data);
        fprintf(f, "</script>\n<script>%s</script>\n</body>\n</html>\n", dashboard_script);
        if (fflush(f) != 0 || ferror(f))
                return error_set(e, -EIO, "writing the dashboard failed: %m");
        return 0;
}
