/* SPDX-License-Identifier: MIT */
/* The dashboard's tables: plain HTML, so that every figure is there without JavaScript, in print and
 * for a screen reader; each value cell also carries the number as data-value for scripts and tests. */
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "dashboard-internal.h"
#include "json-util.h"
#include "load-format.h"
#include "load-html.h"

void dash_fmt_time(char buf[static 32], int64_t ms) {
        time_t t = (time_t) (ms / 1000);
        struct tm tm;
        if (ms < 0 || !gmtime_r(&t, &tm) || strftime(buf, 32, "%Y-%m-%d %H:%M:%SZ", &tm) == 0)
                snprintf(buf, 32, "-");
}

void dash_fmt_age(char buf[static 32], int64_t ms) {
        int64_t s = ms < 0 ? 0 : ms / 1000;
        if (s < 60)
                snprintf(buf, 32, "%llds", (long long) s);
        else if (s < 3600)
                snprintf(buf, 32, s % 60 ? "%lldm %llds" : "%lldm", (long long) (s / 60), (long long) (s % 60));
        else if (s < 86400)
                snprintf(buf, 32, s % 3600 / 60 ? "%lldh %lldm" : "%lldh", (long long) (s / 3600),
                         (long long) (s % 3600 / 60));
        else
                snprintf(buf, 32, s % 86400 / 3600 ? "%lldd %lldh" : "%lldd", (long long) (s / 86400),
                         (long long) (s % 86400 / 3600));
}

static void td_value(FILE *f, const json_t *v) {
        if (json_is_number(v))
                fprintf(f, "<td class=\"num\" data-value=\"%.17g\">%.6g</td>", json_number_value(v),
                        json_number_value(v));
        else
                fputs("<td class=\"num\">-</td>", f);
}

static void alert_states(FILE *f, const json_t *doc, int64_t now) {
        const json_t *alerts = json_object_get(doc, "alerts");
        if (json_array_size(alerts) == 0) {
                fputs("<p class=\"missing\">The monitor keeps no alert state (no alert rules, or none evaluated "
                      "yet).</p>\n",
                      f);
                return;
        }
        fputs("<table id=\"alert-states\"><caption>alerts and their state now</caption>", f);
        HTML_TH(f, "alert", "state", "level", "since (UTC)", "age", "value");
        size_t i;
        json_t *a;
        json_array_foreach(alerts, i, a) {
                const char *state = jstr_or(a, "state", "?");
                int64_t since = json_integer_value(json_object_get(a, "since_ms"));
                char t[32], age[32];
                dash_fmt_time(t, since);
                dash_fmt_age(age, now - since);
                fputs("<tr class=\"", f);
                markup_put(f, state);
                fputs("\" data-alert=\"", f);
                markup_put(f, jstr_or(a, "name", "?"));
                fputs("\" data-state=\"", f);
                markup_put(f, state);
                fputs("\">", f);
                html_td_text(f, jstr(a, "name"));
                fputs("<td><strong>", f);
                markup_put(f, state);
                fprintf(f, "</strong>%s</td>", json_is_true(json_object_get(a, "flapping")) ? " (flapping)" : "");
                html_td_text(f, jstr(a, "level"));
                fprintf(f, "<td>%s</td><td>%s</td>", t, age);
                td_value(f, json_object_get(a, "value"));
                fputs("</tr>\n", f);
        }
        fputs("</table>\n", f);
}

static void alert_events(FILE *f, const json_t *doc) {
        const json_t *events = json_object_get(doc, "alert_events");
        if (json_array_size(events) == 0) {
                fputs("<p class=\"missing\">No alert events in this range.</p>\n", f);
                return;
        }
        fputs("<table id=\"alert-events\"><caption>alert events in this range, oldest first</caption>", f);
        HTML_TH(f, "time (UTC)", "alert", "event", "level", "value");
        size_t i;
        json_t *ev;
        json_array_foreach(events, i, ev) {
                char t[32];
                dash_fmt_time(t, json_integer_value(json_object_get(ev, "t_ms")));
                fputs("<tr data-event=\"", f);
                markup_put(f, jstr_or(ev, "event", "?"));
                fprintf(f, "\"><td>%s</td>", t);
                html_td_text(f, jstr(ev, "name"));
                html_td_text(f, jstr(ev, "event"));
                html_td_text(f, jstr(ev, "level"));
                td_value(f, json_object_get(ev, "value"));
                fputs("</tr>\n", f);
        }
        fputs("</table>\n", f);
}

void dash_alerts(FILE *f, const json_t *doc) {
        fputs("<section id=\"alerts\"><h2>Alerts</h2>\n", f);
        alert_states(f, doc, json_integer_value(json_object_get(doc, "now_ms")));
        alert_events(f, doc);
        fputs("</section>\n", f);
}

void dash_transactions(FILE *f, const json_t *doc) {
        const json_t *txs = json_object_get(doc, "transactions");
        fputs("<section id=\"transactions\"><h2>Tuning transactions</h2>\n", f);
        if (json_array_size(txs) == 0) {
                fputs("<p class=\"missing\">", f);
                markup_put(f, jstr_or(doc, "transactions_note", "No tuning transaction in this range."));
                fputs("</p>\n</section>\n", f);
                return;
        }
        fputs("<table id=\"tx-table\"><caption>transactions of skytune-helper in this range (markers on the "
              "charts)</caption>",
              f);
        HTML_TH(f, "created (UTC)", "transaction", "state", "verdict", "changes");
        size_t i;
        json_t *tx;
        json_array_foreach(txs, i, tx) {
                int64_t t_ms = json_integer_value(json_object_get(tx, "t_ms"));
                char t[32];
                dash_fmt_time(t, t_ms);
                fprintf(f, "<tr data-tx=\"");
                markup_put(f, jstr_or(tx, "id", "?"));
                fprintf(f, "\" data-t-ms=\"%lld\"><td>%s</td>", (long long) t_ms, t);
                html_td_text(f, jstr(tx, "id"));
                html_td_text(f, jstr(tx, "state"));
                html_td_text(f, jstr(tx, "verdict"));
                td_value(f, json_object_get(tx, "changes"));
                fputs("</tr>\n", f);
        }
        fputs("</table>\n</section>\n", f);
}

typedef struct Summary {
        double last, min, max, sum, count;
} Summary;

static Summary summarize(const json_t *points) {
        Summary s = { NAN, INFINITY, -INFINITY, 0, 0 };
        size_t i;
        json_t *p;
        json_array_foreach(points, i, p) {
                double mn = json_number_value(json_array_get(p, 1)), mean = json_number_value(json_array_get(p, 2)),
                       mx = json_number_value(json_array_get(p, 3)), n = json_number_value(json_array_get(p, 4));
                s.min = fmin(s.min, mn);
                s.max = fmax(s.max, mx);
                s.sum += mean * n;
                s.count += n;
                s.last = mean;
        }
        return s;
}

static void td_num(FILE *f, double v, const char *unit) {
        char buf[32];
        chart_fmt(buf, sizeof(buf), unit, v);
        if (isfinite(v))
                fprintf(f, "<td class=\"num\" data-value=\"%.17g\">%s</td>", v, buf);
        else
                fputs("<td class=\"num\">-</td>", f);
}

void dash_series_table(FILE *f, const json_t *panel, const json_t *by_name) {
        const char *unit = jstr_or(panel, "unit", "");
        fputs("<table class=\"series\">", f);
        HTML_TH(f, "series", "last", "min", "mean", "max", "samples");
        size_t i;
        json_t *name;
        json_array_foreach(json_object_get(panel, "series"), i, name) {
                Summary s = summarize(json_object_get(by_name, json_string_value(name)));
                fputs("<tr data-series=\"", f);
                markup_put(f, json_string_value(name));
                fputs("\">", f);
                html_td_text(f, json_string_value(name));
                td_num(f, s.last, unit);
                td_num(f, s.count > 0 ? s.min : NAN, unit);
                td_num(f, s.count > 0 ? s.sum / s.count : NAN, unit);
                td_num(f, s.count > 0 ? s.max : NAN, unit);
                fprintf(f, "<td class=\"num\">%.0f</td></tr>\n", s.count);
        }
        fputs("</table>\n", f);
}
