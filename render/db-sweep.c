/* SPDX-License-Identifier: MIT */
/* skytune.db-sweep/1 for people: one row per pool size (throughput median and interval, P50 P95
 * P99, failed transactions), the wait events under it, the intervals' level, then the recommendation and the USL fit
 * when it is shown. At most 80 columns. */
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "json-util.h"
#include "macro.h"
#include "render.h"

static void put_num(FILE *f, double v, int decimals, int width) {
        if (isfinite(v))
                fprintf(f, " %*.*f", width - 1, decimals, v);
        else
                fprintf(f, " %*s", width - 1, "-");
}

static void header(FILE *f, const json_t *doc, unsigned width) {
        const json_t *cfg = json_object_get(doc, "config"), *srv = json_object_get(doc, "server");
        char line[512];
        snprintf(line, sizeof line, "db pool-sweep: %s", jstr_or(cfg, "workload", "?"));
        render_wrap(f, 0, 4, width, line);
        fprintf(f, "sizes");
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(cfg, "sizes"), i, v)
                fprintf(f, " %" JSON_INTEGER_FORMAT, json_integer_value(v));
        fprintf(f, ", %" JSON_INTEGER_FORMAT " repeats of %.1f s interleaved, %.1f s in all%s\n",
                json_integer_value(json_object_get(cfg, "repeats")), jnum(cfg, "duration_s"), jnum(doc, "elapsed_s"),
                json_is_true(json_object_get(doc, "interrupted")) ? ", interrupted" : "");
        snprintf(line, sizeof line, "server %s at %s", jstr_or(srv, "version", "?"), jstr_or(srv, "dsn", "?"));
        render_wrap(f, 0, 4, width, line);
        fputc('\n', f);
}

static void waits_line(FILE *f, const json_t *w) {
        const json_t *events = json_object_get(w, "events");
        if (json_array_size(events) == 0) {
                fprintf(f, "          waits: none seen (%" JSON_INTEGER_FORMAT " samples)\n",
                        json_integer_value(json_object_get(w, "samples")));
                return;
        }
        unsigned col = (unsigned) fprintf(f, "          waits:");
        size_t i;
        json_t *e;
        json_array_foreach(events, i, e) {
                char item[112];
                double share = jnum(e, "share") * 100;
                int n = snprintf(item, sizeof item, " %s/%s %s%.0f%%", jstr_or(e, "type", "?"),
                                 jstr_or(e, "event", "?"), share > 0 && share < 0.5 ? "<" : "",
                                 share > 0 && share < 0.5 ? 1 : share);
                if (i >= 4 || n < 0 || col + (unsigned) n > 79)
                        break;
                col += (unsigned) fprintf(f, "%s%s", i ? "," : "", item);
        }
        fputc('\n', f);
}

static void size_row(FILE *f, const json_t *s) {
        const json_t *tps = json_object_get(s, "tps"), *lat = json_object_get(s, "latency_ms");
        fprintf(f, "%7" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(s, "clients")));
        put_num(f, jnum(tps, "median"), 1, 11);
        if (isfinite(jnum(tps, "ci_lo")))
                fprintf(f, " %9.1f-%-9.1f", jnum(tps, "ci_lo"), jnum(tps, "ci_hi"));
        else
                fprintf(f, " %19s", "-");
        put_num(f, jnum(lat, "p50"), 2, 10);
        put_num(f, jnum(lat, "p95"), 2, 10);
        put_num(f, jnum(lat, "p99"), 2, 10);
        fprintf(f, " %6" JSON_INTEGER_FORMAT " %3" JSON_INTEGER_FORMAT "\n",
                json_integer_value(json_object_get(s, "failed")), json_integer_value(json_object_get(s, "ok_repeats")));
        waits_line(f, json_object_get(s, "wait_events"));
}

static void usl_line(FILE *f, const json_t *u, unsigned width) {
        char line[400];
        if (!json_is_true(json_object_get(u, "shown"))) {
                snprintf(line, sizeof line, "USL fit: not shown: %s", jstr_or(u, "reason", "no fit"));
                render_wrap(f, 0, 4, width, line);
                return;
        }
        fprintf(f, "USL fit: X(N) = %.2f N / (1 + %.4f (N-1) + %.5f N (N-1)), R^2 %.3f\n", jnum(u, "lambda"),
                jnum(u, "sigma"), jnum(u, "kappa"), jnum(u, "r2"));
        if (isfinite(jnum(u, "peak_clients")))
                fprintf(f, "    peak near %.0f clients (%.1f tps)\n", jnum(u, "peak_clients"), jnum(u, "peak_tps"));
}

int render_db_sweep(FILE *f, const json_t *doc, const RenderView *v) {
        unsigned width = v && v->width ? v->width : 80;
        header(f, doc, width);
        fprintf(f, "%7s %10s %19s %9s %9s %9s %6s %3s\n", "clients", "tps", "interval", "p50 ms", "p95 ms", "p99 ms",
                "failed", "ok");
        size_t i;
        json_t *s;
        double level = INFINITY;
        json_array_foreach(json_object_get(doc, "sizes"), i, s) {
                size_row(f, s);
                double l = jnum(json_object_get(s, "tps"), "level");
                level = isfinite(l) ? fmin(level, l) : level;
        }
        if (isfinite(level))
                fprintf(f, "intervals: the median's, at %.0f%% confidence or more (order statistics)\n", level * 100);
        const json_t *rec = json_object_get(doc, "recommendation");
        const json_t *cl = json_object_get(rec, "clients");
        fputc('\n', f);
        if (json_is_integer(cl))
                fprintf(f, "recommended pool size: %" JSON_INTEGER_FORMAT "\n", json_integer_value(cl));
        else
                fprintf(f, "recommended pool size: none\n");
        fputs("  ", f);
        render_wrap(f, 2, 2, width, jstr_or(rec, "reason", ""));
        usl_line(f, json_object_get(doc, "usl"), width);
        if (json_is_string(json_object_get(doc, "error"))) {
                fputs("stopped: ", f);
                render_wrap(f, 9, 4, width, jstr_or(doc, "error", ""));
        }
        return ferror(f) ? -EIO : 0;
}
