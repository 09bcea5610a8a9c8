/* SPDX-License-Identifier: MIT */
/* The parts of a skytune.load/1 document beyond the requests, for people: the "stress" object
 * (docs/stress.md) and the host's findings with the changes skytune plan proposes for them. At most
 * 80 columns. */
#include <math.h>
#include <stdio.h>

#include "json-util.h"
#include "load-format.h"
#include "render.h"

static const char *us(char *buf, size_t size, const json_t *o, const char *k)
{
        return load_fmt_us(buf, size, json_object_get(o, k));
}

/* A fraction as "12.34 %", "-" when there is none. */
static const char *pct(char *buf, size_t size, double v)
{
        if (isfinite(v))
                snprintf(buf, size, "%.2f %%", 100 * v);
        else
                snprintf(buf, size, "-");
        return buf;
}

static void spikes_text(FILE *f, const json_t *s, const json_t *o)
{
        char a[32], b[32], c[32];
        const json_t *band = json_object_get(s, "band");
        fprintf(f, "\nStress %s: base %g/s, %gx for %g s, %g s before, %g s after\n", jstr_or(s, "pattern", "?"),
                jnum(o, "rate"), jnum(o, "factor"), jnum(o, "spike_s"), jnum(o, "before_s"), jnum(o, "after_s"));
        if (!json_is_true(json_object_get(s, "analysed"))) {
                fprintf(f, "  base band      too few base intervals with a p99: nothing judged (a longer\n"
                           "                 --before, or a server that answers)\n");
                return;
        }
        fprintf(f, "  base band      p99 %s (within <= %s), errors %.2f %% (<= %.2f %%)\n",
                us(a, sizeof(a), band, "p99_median_us"), us(b, sizeof(b), band, "p99_upper_us"),
                100 * jnum(band, "error_rate_median"), 100 * jnum(band, "error_rate_upper"));
        size_t i;
        const json_t *p;
        json_array_foreach(json_object_get(s, "spikes"), i, p) {
                fprintf(f, "  spike %-8zu %g-%g s: p99 peak %s (%.1fx)\n", i + 1, jnum(p, "start_s"), jnum(p, "end_s"),
                        us(a, sizeof(a), p, "peak_p99_us"), jnum(p, "p99_factor"));
                fprintf(f, "                 errors %s, served %s\n", pct(b, sizeof(b), jnum(p, "peak_error_rate")),
                        pct(c, sizeof(c), jnum(p, "served_fraction")));
                if (json_is_true(json_object_get(p, "recovered")))
                        fprintf(f, "                 recovered %.1f s after the spike\n", jnum(p, "recovery_s"));
                else
                        fprintf(f, "                 NOT RECOVERED before the %s\n",
                                i + 1 < json_array_size(json_object_get(s, "spikes")) ? "next spike" : "end");
        }
        if (json_array_size(json_object_get(s, "spikes")) > 1)
                fprintf(f, "  recovery       %s\n", json_is_true(json_object_get(s, "worsens")) ? "WORSENS from spike to spike"
                                                                                              : "does not worsen");
}

static void knee_text(FILE *f, const json_t *k)
{
        char a[32];
        if (json_is_true(json_object_get(k, "found")))
                fprintf(f, "  knee           %.0f/s (p99 %s there)\n", jnum(k, "rate"), us(a, sizeof(a), k, "p99_us"));
        else
                fprintf(f, "  knee           none: p99 hardly bends over the offered rates\n");
}

static void breakpoint_text(FILE *f, const json_t *s, const json_t *o)
{
        char a[32];
        fprintf(f, "\nStress breakpoint: from %g/s by %g/s, %g s per hold\n", jnum(o, "start"), jnum(o, "increment"),
                jnum(o, "step_s"));
        if (json_is_true(json_object_get(s, "client_bound")))
                fprintf(f, "  capacity       CLIENT-BOUND at %.0f/s: the client could not keep the schedule\n",
                        jnum(s, "first_bad"));
        else if (isnan(jnum(s, "first_bad")) && isnan(jnum(s, "last_good")))
                fprintf(f, "  capacity       not measured: no hold was judged (interrupted?)\n");
        else if (isnan(jnum(s, "first_bad")))
                fprintf(f, "  capacity       above %g/s: no hold broke the SLO\n", jnum(s, "last_good"));
        else if (isnan(jnum(s, "last_good")))
                fprintf(f, "  capacity       below %g/s: the first hold broke the SLO (%s): give a lower --start\n",
                        jnum(s, "first_bad"), jstr_or(s, "trip", "?"));
        else {
                const char *trip = jstr_or(s, "trip", "?");
                char v[32];
                if (jstreq(s, "trip", "sent"))
                        snprintf(v, sizeof(v), "%.0f %% of the plan sent", 100 * jnum(s, "trip_value"));
                else
                        load_fmt_metric(v, sizeof(v), jstreq(s, "trip", "error_rate") ? "error_rate" : "p99",
                                        json_object_get(s, "trip_value"));
                fprintf(f, "  capacity       last good %g/s, first bad %g/s (%s: %s)\n", jnum(s, "last_good"),
                        jnum(s, "first_bad"), trip, v);
        }
        knee_text(f, json_object_get(s, "knee"));
        fprintf(f, "  holds          %8s  %-10s %10s %8s %6s\n", "rate", "result", "p99", "errors", "sent");
        size_t i;
        const json_t *h;
        json_array_foreach(json_object_get(s, "holds"), i, h) {
                bool good = json_is_true(json_object_get(h, "good"));
                char e[32], sent[32];
                fprintf(f, "                 %6g/s  %-10s %10s %8s %6s\n", jnum(h, "rate"),
                        good ? "good" : jstr_or(h, "trip", "bad"), us(a, sizeof(a), h, "p99_us"),
                        pct(e, sizeof(e), jnum(h, "error_rate")), pct(sent, sizeof(sent), jnum(h, "sent_ratio")));
        }
}

#define MIB (1024.0 * 1024.0)

static void drift_text(FILE *f, const char *label, const json_t *d, bool latency, bool rss)
{
        char a[32], b[32];
        if (!json_is_object(d)) {
                fprintf(f, "  %-14s %s\n", label, rss ? "not measured (no server named)" : "too few windows (a longer --hold)");
                return;
        }
        char c[32];
        if (rss)
                fprintf(f, "  %-14s %.1f MiB to %.1f MiB, slope %.2f MiB per hour (t %.1f)\n", label,
                        jnum(d, "start") / MIB, jnum(d, "end") / MIB, jnum(d, "slope_per_h") / MIB, jnum(d, "slope_t"));
        else if (latency)
                fprintf(f, "  %-14s %s to %s, slope %s per hour (t %.1f)\n", label, us(a, sizeof(a), d, "start"),
                        us(b, sizeof(b), d, "end"), us(c, sizeof(c), d, "slope_per_h"), jnum(d, "slope_t"));
        else
                fprintf(f, "  %-14s %.4g to %.4g, slope %.4g per hour (t %.1f)\n", label, jnum(d, "start"), jnum(d, "end"),
                        jnum(d, "slope_per_h"), jnum(d, "slope_t"));
        if (json_is_true(json_object_get(d, "change")))
                fprintf(f, "  %-14s change at %.0f s: %.4g -> %.4g%s\n", "", jnum(d, "change_s"),
                        jnum(d, "before") / (rss ? MIB : 1), jnum(d, "after") / (rss ? MIB : 1), rss ? " MiB" : "");
}

void load_stress_text(FILE *f, const json_t *s)
{
        const json_t *o = json_object_get(s, "options"), *d = json_object_get(s, "drift");
        const char *pattern = jstr_or(s, "pattern", "?");
        if (jstreq(s, "pattern", "spike") || jstreq(s, "pattern", "surge"))
                spikes_text(f, s, o);
        else if (jstreq(s, "pattern", "gradual")) {
                fprintf(f, "\nStress gradual: %g -> %g/s over %g s\n", jnum(o, "from"), jnum(o, "to"), jnum(o, "ramp_s"));
                knee_text(f, json_object_get(s, "knee"));
        } else if (jstreq(s, "pattern", "breakpoint"))
                breakpoint_text(f, s, o);
        else if (jstreq(s, "pattern", "endurance")) {
                fprintf(f, "\nStress endurance: %g/s for %g s\n", jnum(o, "rate"), jnum(o, "hold_s"));
                drift_text(f, "p99", json_object_get(d, "p99_us"), true, false);
                drift_text(f, "error rate", json_object_get(d, "error_rate"), false, false);
                drift_text(f, "server RSS", json_object_get(d, "server_rss_bytes"), false, true);
        } else
                fprintf(f, "\nStress %s: not a pattern this version knows\n", pattern);
}

static void change_line(FILE *f, const json_t *c)
{
        char line[512];
        snprintf(line, sizeof(line), "change: %s %s %s -> %s (rule %s)", jstr_or(c, "kind", "?"), jstr_or(c, "key", "?"),
                 jstr_or(c, "current", "?"), jstr_or(c, "proposed", "?"), jstr_or(c, "rule", "?"));
        fputs("           ", f);
        render_wrap(f, 11, 19, 80, line);
}

void load_findings_text(FILE *f, const json_t *findings)
{
        if (!json_is_array(findings))
                return;
        if (json_array_size(findings) == 0) {
                fprintf(f, "\nHost: no findings during the run\n");
                return;
        }
        fprintf(f, "\nHost findings during the run\n");
        size_t i, k, n_changes = 0;
        const json_t *x, *c;
        json_array_foreach(findings, i, x) {
                fprintf(f, "  %-8s ", jstr_or(x, "severity", "?"));
                render_wrap(f, 11, 11, 80, jstr_or(x, "message", ""));
                if (isfinite(jnum(x, "began_at_s")))
                        fprintf(f, "           began at %.0f s, under a load of %g\n", jnum(x, "began_at_s"),
                                jnum(x, "load_at_begin"));
                json_array_foreach(json_object_get(x, "changes"), k, c) {
                        change_line(f, c);
                        n_changes++;
                }
        }
        if (n_changes)
                fprintf(f, "  next: skytune plan, then skytune apply --verify (docs/plan.md)\n");
}
