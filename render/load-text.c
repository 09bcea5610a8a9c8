/* SPDX-License-Identifier: MIT */
/* skytune.load/1 for people: the verdict, per step and in total the rates, success, status codes,
 * error classes and the latency and service-time percentiles, each endpoint in one line, and the
 * thresholds with pass or fail. At most 80 columns; no colour needed. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "json-util.h"
#include "load-format.h"
#include "render.h"

/* An integer member, 0 when it is missing or not an integer. */
static long long jint(const json_t *o, const char *k) {
        const json_t *v = json_object_get(o, k);
        return json_is_integer(v) ? (long long) json_integer_value(v) : 0;
}

/* A rate or a count in at most 8 columns. */
static void put_num(FILE *f, double v) {
        if (isnan(v))
                fprintf(f, "%8s", "-");
        else if (fabs(v) >= 1e6)
                fprintf(f, "%7.2fM", v / 1e6);
        else
                fprintf(f, "%8.1f", v);
}

/* Microseconds as milliseconds with three significant digits. */
static void put_ms(FILE *f, const json_t *v) {
        if (!json_is_number(v)) {
                fprintf(f, " %7s", "-");
                return;
        }
        double ms = json_number_value(v) / 1000;
        fprintf(f, " %7.*f", ms >= 100 ? 0 : ms >= 10 ? 1 : ms >= 1 ? 2 : 3, ms);
}

static void dist_line(FILE *f, const char *label, const json_t *d) {
        static const char *const ks[] = { "p50", "p90", "p95", "p99", "p99.9", "max" };
        fprintf(f, "  %-12s", label);
        for (size_t i = 0; i < sizeof(ks) / sizeof(*ks); i++)
                put_ms(f, json_object_get(d, ks[i]));
        fputc('\n', f);
}

/* "200: 1234  503: 2" or "none", wrapped under the label. */
static void counts_line(FILE *f, const char *label, const json_t *o, bool skip_zero) {
        char buf[1024] = "";
        size_t n = 0;
        const char *k;
        const json_t *v;
        json_object_foreach((json_t *) o, k, v) {
                if (!json_is_integer(v) || (skip_zero && json_integer_value(v) == 0))
                        continue;
                int w = snprintf(buf + n, sizeof(buf) - n, "%s%s %lld", n ? "  " : "", k, (long long) json_integer_value(v));
                if (w < 0 || (size_t) w >= sizeof(buf) - n)
                        break;
                n += (size_t) w;
        }
        fprintf(f, "  %-12s", label);
        render_wrap(f, 14, 14, 80, n ? buf : "none");
}

static void summary_block(FILE *f, const json_t *s) {
        static const char *const ks[] = { "attempted_per_s", "sent_per_s", "completed_per_s", "ok_per_s" };
        fprintf(f, "  %-12s %9s %9s %9s %9s   success\n", "per second", "attempted", "sent", "completed", "ok");
        fprintf(f, "  %-12s", "");
        for (size_t i = 0; i < sizeof(ks) / sizeof(*ks); i++) {
                fputs("  ", f);
                put_num(f, jnum(s, ks[i]));
        }
        double sr = jnum(s, "success_rate");
        if (isnan(sr))
                fprintf(f, "   -\n");
        else
                fprintf(f, "   %.2f %%\n", sr * 100);
        fprintf(f, "  %-12s%lld completed, %lld ok", "requests", jint(s, "completed"), jint(s, "ok"));
        if (jint(s, "retried") > 0)     /* reset on a kept connection, sent again on a fresh one */
                fprintf(f, ", %lld retried", jint(s, "retried"));
        fputc('\n', f);
        counts_line(f, "status", json_object_get(s, "status"), false);
        counts_line(f, "errors", json_object_get(s, "errors"), true);
        fprintf(f, "  %-12s %7s %7s %7s %7s %7s %7s\n", "ms", "p50", "p90", "p95", "p99", "p99.9", "max");
        dist_line(f, "latency", json_object_get(s, "latency_us"));
        dist_line(f, "service", json_object_get(s, "service_us"));
        dist_line(f, "first byte", json_object_get(s, "first_byte_us"));
        const json_t *c = json_object_get(s, "connect_us");
        if (jint(c, "count") > 0)
                dist_line(f, "connect", c);
}

static void endpoints_block(FILE *f, const json_t *eps) {
        if (json_array_size(eps) < 2)
                return;         /* one endpoint: the step's own lines say it all */
        size_t i;
        const json_t *ep;
        json_array_foreach(eps, i, ep) {
                const json_t *s = json_object_get(ep, "summary");
                const char *name = jstr_or(ep, "name", "?");
                double sr = jnum(s, "success_rate");
                fprintf(f, "  %-30.30s %8.1f/s ok %6.2f %% p50", name, jnum(s, "completed_per_s"), isnan(sr) ? 0 : sr * 100);
                const json_t *lat = json_object_get(s, "latency_us");
                put_ms(f, json_object_get(lat, "p50"));
                fprintf(f, " p99");
                put_ms(f, json_object_get(lat, "p99"));
                fputc('\n', f);
        }
}

static void thresholds_block(FILE *f, const json_t *ths) {
        if (json_array_size(ths) == 0)
                return;
        fprintf(f, "\nThresholds\n");
        size_t i;
        const json_t *t;
        json_array_foreach(ths, i, t) {
                const char *step = jstr(t, "step");
                bool passed = json_is_true(json_object_get(t, "passed"));
                const char *unit = jstr_or(t, "unit", "");
                double obs = jnum(t, "observed"), at = jnum(t, "failed_at_s");
                char seen[48] = "no data";
                if (!isnan(obs) && !strcmp(unit, "us"))
                        snprintf(seen, sizeof(seen), "%.3g ms", obs / 1000);
                else if (!isnan(obs) && !strcmp(unit, "fraction"))
                        snprintf(seen, sizeof(seen), "%.3g %%", obs * 100);
                else if (!isnan(obs))
                        snprintf(seen, sizeof(seen), "%.1f/s", obs);
                fprintf(f, "  %s  %-28.28s %-12.12s seen %s", passed ? "pass" : "FAIL", jstr_or(t, "text", "?"),
                        step ? step : "(all steps)", seen);
                if (!isnan(at))
                        fprintf(f, ", failed at %.0f s", at);
                fputc('\n', f);
        }
}

int render_load_text(FILE *f, const json_t *doc, const RenderView *v) {
        (void) v;
        const json_t *verdict = json_object_get(doc, "verdict"), *cfg = json_object_get(doc, "config");
        fprintf(f, "skytune load: %s, %.1f s%s\n", jstr_or(cfg, "scenario", "?"), jnum(doc, "duration_s"),
                json_is_true(json_object_get(doc, "interrupted")) ? ", interrupted" : "");
        fprintf(f, "verdict: %s (exit %lld)\n", jstr_or(verdict, "reason", "?"), jint(verdict, "exit"));
        const char *aborted = jstr(doc, "aborted_by");
        if (aborted)
                fprintf(f, "aborted by: %s\n", aborted);
        const json_t *steps = json_object_get(doc, "steps"), *cfg_steps = json_object_get(cfg, "steps");
        size_t i;
        const json_t *st;
        json_array_foreach(steps, i, st) {
                const json_t *c = json_array_get(cfg_steps, i);
                fprintf(f, "\nStep %s: %s model, %.1f to %.1f s, %s\n", jstr_or(st, "name", "?"),
                        jstr_or(c, "model", "?"), jnum(st, "start_s"), jnum(st, "end_s"), jstr_or(c, "url", "?"));
                summary_block(f, json_object_get(st, "summary"));
                endpoints_block(f, json_object_get(st, "endpoints"));
        }
        if (json_array_size(steps) > 1) {
                fprintf(f, "\nTotal\n");
                summary_block(f, json_object_get(doc, "total"));
        }
        const json_t *client = json_object_get(doc, "client");
        fprintf(f, "\nclient: %lld threads, %.2f CPU s, %.1f us CPU per request%s\n", jint(client, "threads"),
                jnum(client, "cpu_s"), jnum(client, "cpu_per_request_us"),
                json_is_true(json_object_get(client, "client_bound")) ? ", CLIENT-BOUND" : "");
        thresholds_block(f, json_object_get(doc, "thresholds"));
        load_findings_text(f, json_object_get(doc, "findings"));
        if (json_is_object(json_object_get(doc, "stress")))
                load_stress_text(f, json_object_get(doc, "stress"));
        return ferror(f) ? -EIO : 0;
}
