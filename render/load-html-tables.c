/* SPDX-License-Identifier: MIT */
/* The report's tables: plain HTML, so a reader without JavaScript (or a printer) has every figure. */
#include <math.h>
#include <string.h>

#include "json-util.h"
#include "load-format.h"
#include "load-html.h"

void html_thresholds(FILE *f, const json_t *doc) {
        const json_t *ths = json_object_get(doc, "thresholds");
        if (json_array_size(ths) == 0) {
                fputs("<p>This run had no thresholds.</p>\n", f);
                return;
        }
        fputs("<table id=\"thresholds\">", f);
        HTML_TH(f, "threshold", "step", "observed", "wanted", "result", "failed at");
        size_t i;
        json_t *t;
        json_array_foreach(ths, i, t) {
                bool passed = json_is_true(json_object_get(t, "passed"));
                const char *metric = jstr(t, "metric");
                char obs[48], want[48], at[32] = "-";
                load_fmt_metric(obs, sizeof(obs), metric, json_object_get(t, "observed"));
                load_fmt_metric(want, sizeof(want), metric, json_object_get(t, "value"));
                if (isfinite(jnum(t, "failed_at_s")))
                        snprintf(at, sizeof(at), "%.0f s", jnum(t, "failed_at_s"));
                fprintf(f, "<tr class=\"%s\">", passed ? "pass" : "fail");
                html_td(f, json_object_get(t, "text"));
                html_td_text(f, jstr_or(t, "step", "whole run"));
                html_td_text(f, obs);
                fputs("<td>", f);
                markup_put(f, jstr_or(t, "op", "?"));
                fputc(' ', f);
                markup_put(f, want);
                fprintf(f, "</td><td>%s</td>", passed ? "passed" : "FAILED");
                html_td_text(f, at);
                fputs("</tr>\n", f);
        }
        fputs("</table>\n", f);
}

static void summary_row(FILE *f, const char *name, const json_t *sum) {
        fputs("<tr>", f);
        html_td_text(f, name);
        static const char *const counts[] = { "duration_s", "attempted", "sent", "completed", "ok", "ok_per_s" };
        for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
                html_td(f, json_object_get(sum, counts[i]));
        char buf[48];
        html_td_text(f, load_fmt_metric(buf, sizeof(buf), "error_rate", json_object_get(sum, "error_rate")));
        const json_t *lat = json_object_get(sum, "latency_us");
        for (size_t p = 0; p < 5; p++)
                html_td_text(f, load_fmt_us(buf, sizeof(buf), json_object_get(lat, load_pct_names[p])));
        html_td_text(f, load_fmt_us(buf, sizeof(buf), json_object_get(json_object_get(sum, "lateness_us"), "p99")));
        fputs("</tr>\n", f);
}

void html_summaries(FILE *f, const json_t *doc) {
        fputs("<table id=\"summary\">", f);
        HTML_TH(f, "step", "seconds", "attempted", "sent", "completed", "ok", "ok/s", "error rate", "p50", "p90", "p99",
           "p99.9", "max", "send lateness p99");
        size_t i;
        json_t *st;
        json_array_foreach(json_object_get(doc, "steps"), i, st)
                summary_row(f, jstr_or(st, "name", "-"), json_object_get(st, "summary"));
        summary_row(f, "total", json_object_get(doc, "total"));
        fputs("</table>\n", f);
}

static void count_row(FILE *f, const json_t *doc, const char *member, const char *key) {
        fputs("<tr>", f);
        html_td_text(f, key);
        size_t i;
        json_t *st;
        json_array_foreach(json_object_get(doc, "steps"), i, st)
                html_td(f, json_object_get(json_object_get(json_object_get(st, "summary"), member), key));
        html_td(f, json_object_get(json_object_get(json_object_get(doc, "total"), member), key));
        fputs("</tr>\n", f);
}

void html_errors_table(FILE *f, const json_t *doc) {
        const json_t *total = json_object_get(doc, "total");
        fputs("<table id=\"errors-table\"><thead><tr><th>class</th>", f);
        size_t i;
        json_t *st;
        json_array_foreach(json_object_get(doc, "steps"), i, st) {
                fputs("<th>", f);
                markup_put(f, jstr_or(st, "name", "-"));
                fputs("</th>", f);
        }
        fputs("<th>total</th></tr></thead>\n", f);
        const char *k;
        json_t *v;
        json_object_foreach((json_t *) json_object_get(total, "errors"), k, v)
                count_row(f, doc, "errors", k);
        json_object_foreach((json_t *) json_object_get(total, "status"), k, v) {
                char name[64];
                snprintf(name, sizeof(name), "HTTP %s", k);
                fputs("<tr>", f);
                html_td_text(f, name);
                json_array_foreach(json_object_get(doc, "steps"), i, st)
                        html_td(f, json_object_get(json_object_get(json_object_get(st, "summary"), "status"), k));
                html_td(f, v);
                fputs("</tr>\n", f);
        }
        fputs("</table>\n", f);
}

void html_markers(FILE *f, const json_t *doc) {
        const json_t *ms = json_object_get(doc, "markers");
        if (json_array_size(ms) == 0) {
                fputs("<p>No markers: no spike, knee, breakpoint or recovery was found in this run.</p>\n", f);
                return;
        }
        fputs("<table id=\"markers-table\">", f);
        HTML_TH(f, "at (s)", "marker", "value", "what");
        size_t i;
        json_t *m;
        json_array_foreach(ms, i, m) {
                fputs("<tr>", f);
                html_td(f, json_object_get(m, "t_s"));
                html_td(f, json_object_get(m, "kind"));
                html_td(f, json_object_get(m, "value"));
                html_td(f, json_object_get(m, "text"));
                fputs("</tr>\n", f);
        }
        fputs("</table>\n", f);
}

static void changes(FILE *f, const json_t *finding) {
        const json_t *cs = json_object_get(finding, "changes");
        if (json_array_size(cs) == 0)
                return;
        fputs("<table class=\"changes\">", f);
        HTML_TH(f, "kind", "key", "current", "proposed", "rule");
        size_t i;
        json_t *c;
        json_array_foreach(cs, i, c) {
                fputs("<tr>", f);
                static const char *const cols[] = { "kind", "key", "current", "proposed", "rule" };
                for (size_t k = 0; k < 5; k++)
                        html_td(f, json_object_get(c, cols[k]));
                fputs("</tr>\n", f);
        }
        fputs("</table>\n", f);
}

void html_findings(FILE *f, const json_t *doc) {
        const json_t *fs = json_object_get(doc, "findings");
        if (json_array_size(fs) == 0) {
                fputs("<p>No host findings during this run.</p>\n", f);
                return;
        }
        size_t i;
        json_t *x;
        json_array_foreach(fs, i, x) {
                fputs("<div class=\"finding\"><p><b>", f);
                markup_put(f, jstr_or(x, "severity", "finding"));
                fputs("</b> ", f);
                markup_put(f, jstr_or(x, "id", ""));
                fputs(" (", f);
                markup_put(f, jstr_or(x, "resource", "-"));
                fputs("): ", f);
                markup_put(f, jstr_or(x, "message", ""));
                if (isfinite(jnum(x, "began_at_s")))
                        fprintf(f, "; began at %.0f s", jnum(x, "began_at_s"));
                if (isfinite(jnum(x, "load_at_begin")))
                        fprintf(f, " under a load of %g", jnum(x, "load_at_begin"));
                fputs("</p>\n", f);
                changes(f, x);
                fputs("</div>\n", f);
        }
}

static void kv_table(FILE *f, const char *id, const json_t *o, const char *const *keys, size_t n) {
        fprintf(f, "<table id=\"%s\" class=\"kv\">", id);
        for (size_t i = 0; i < n; i++) {
                fprintf(f, "<tr><th>%s</th>", keys[i]);
                html_td(f, json_object_get(o, keys[i]));
                fputs("</tr>", f);
        }
        fputs("</table>\n", f);
}

static void step_config(FILE *f, const json_t *st) {
        fputs("<h3>step ", f);
        markup_put(f, jstr_or(st, "name", "-"));
        fputs("</h3>\n", f);
        static const char *const keys[] = { "url", "model", "arrival", "parallel", "think_s" };
        kv_table(f, "step-config", st, keys, 5);
        fputs("<table class=\"phases\">", f);
        HTML_TH(f, "phase", "seconds");
        size_t i;
        json_t *p;
        json_array_foreach(json_object_get(st, "phases"), i, p) {
                fputs("<tr>", f);
                html_td(f, json_object_get(p, "kind"));
                html_td(f, json_object_get(p, "duration_s"));
                fputs("</tr>", f);
        }
        fputs("</table>\n<table class=\"endpoints\">", f);
        HTML_TH(f, "endpoint", "method", "path", "weight", "headers");
        json_array_foreach(json_object_get(st, "endpoints"), i, p) {
                fputs("<tr>", f);
                static const char *const cols[] = { "name", "method", "path", "weight" };
                for (size_t k = 0; k < 4; k++)
                        html_td(f, json_object_get(p, cols[k]));
                fputs("<td>", f);
                size_t h;
                json_t *hv;
                json_array_foreach(json_object_get(p, "headers"), h, hv) {
                        markup_put(f, json_string_value(hv));
                        fputs("<br>", f);
                }
                fputs("</td></tr>\n", f);
        }
        fputs("</table>\n", f);
}

void html_config(FILE *f, const json_t *doc) {
        const json_t *config = json_object_get(doc, "config");
        static const char *const run[] = { "scenario", "file", "interval_s" };
        kv_table(f, "config", config, run, 3);
        size_t i;
        json_t *st;
        json_array_foreach(json_object_get(config, "steps"), i, st)
                step_config(f, st);
        fputs("<h3>host fingerprint</h3>\n", f);
        static const char *const host[] = {
                "hostname", "kernel", "cpu_model", "cpus", "memory_bytes", "virtualization"
        };
        kv_table(f, "host", json_object_get(doc, "host"), host, 6);
        fputs("<h3>load client</h3>\n", f);
        static const char *const client[] = { "threads", "cpu_s", "cpu_per_request_us", "client_bound" };
        kv_table(f, "client", json_object_get(doc, "client"), client, 4);
        static const char *const top[] = { "skytune", "started", "ended", "interrupted", "aborted_by" };
        kv_table(f, "run", doc, top, 5);
}
