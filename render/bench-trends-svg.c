/* SPDX-License-Identifier: MIT */
/* The trend report's per-metric picture (bench-trends-html.c): every run's median over time as a
 * dot, the segments between the changes as dashed lines at their means, each change as a solid
 * vertical line between the run before and the first run after it with its magnitude, and the
 * tuning markers (runs whose active transactions differ from the run before's) as triangles under
 * the time axis with the transaction ids. Shapes and labels, not colour, tell them apart. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench-html.h"
#include "json-util.h"
#include "load-format.h"

#define W      900
#define LEFT   90
#define RIGHT  50
#define PW     (W - LEFT - RIGHT)
#define TOP    30
#define PH     180
#define AXIS_Y (TOP + PH)
#define H      (AXIS_Y + 90)

typedef struct Scale {
        double x0, x1, y0, y1;
} Scale;

static double sx(const Scale *s, double t) {
        double u = s->x1 > s->x0 ? (t - s->x0) / (s->x1 - s->x0) : 0.5;
        return LEFT + (isfinite(u) ? fmin(fmax(u, 0), 1) : 0.5) * PW;
}

static double sy(const Scale *s, double v) {
        double u = s->y1 > s->y0 ? (v - s->y0) / (s->y1 - s->y0) : 0.5;
        return AXIS_Y - (isfinite(u) ? fmin(fmax(u, 0), 1) : 0.5) * PH;
}

static double t_of(const json_t *o) {
        return (double) json_integer_value(json_object_get(o, "started_us")) / 1e6;
}

/* The time of run id among the series' points; NAN when it is not there. */
static double run_time(const json_t *points, const json_t *id) {
        size_t i;
        const json_t *p;
        json_array_foreach(points, i, p)
                if (json_equal(json_object_get(p, "run"), id))
                        return t_of(p);
        return NAN;
}

static Scale scale(const json_t *series) {
        Scale s = { INFINITY, -INFINITY, INFINITY, -INFINITY };
        size_t i;
        const json_t *p;
        json_array_foreach(json_object_get(series, "points"), i, p) {
                double v = jnum(p, "median");
                s.x0 = fmin(s.x0, t_of(p));
                s.x1 = fmax(s.x1, t_of(p));
                if (isfinite(v)) {
                        s.y0 = fmin(s.y0, v);
                        s.y1 = fmax(s.y1, v);
                }
        }
        if (!(s.x1 >= s.x0))
                s.x0 = 0, s.x1 = 1;
        if (!(s.y1 >= s.y0))
                s.y0 = 0, s.y1 = 1;
        double dx = s.x1 > s.x0 ? (s.x1 - s.x0) * 0.03 : 1,
               dy = s.y1 > s.y0 ? (s.y1 - s.y0) * 0.1 : fabs(s.y0) * 0.1 + 1e-9;
        return (Scale) { s.x0 - dx, s.x1 + dx, s.y0 - dy, s.y1 + dy };
}

static void axes(FILE *f, const Scale *s, const char *unit) {
        fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n", LEFT, AXIS_Y, LEFT + PW,
                AXIS_Y);
        fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n", LEFT, TOP, LEFT, AXIS_Y);
        for (int k = 0; k <= 4; k++) {
                double v = s->y0 + (s->y1 - s->y0) * k / 4, t = s->x0 + (s->x1 - s->x0) * k / 4;
                char buf[48];
                snprintf(buf, sizeof(buf), "%.4g %s", v, unit);
                fprintf(f, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">", LEFT - 6, sy(s, v) + 4);
                markup_put(f, buf);
                fputs("</text>\n", f);
                time_t tt = (time_t) t;
                struct tm tm;
                /* Within a day the clock says enough; the seconds for a span of minutes. */
                double span = s->x1 - s->x0;
                size_t len = !gmtime_r(&tt, &tm) ? 0
                        : span > 86400           ? strftime(buf, sizeof(buf), "%m-%d %H:%M", &tm)
                        : span > 3600            ? strftime(buf, sizeof(buf), "%H:%M", &tm)
                                                 : strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
                if (len == 0)
                        snprintf(buf, sizeof(buf), "-");
                fprintf(f,
                        "<text class=\"xtick\" x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>\n",
                        sx(s, t), AXIS_Y + 14, buf);
        }
        fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">UTC</text>\n", LEFT + PW, AXIS_Y + 28);
}

static void points(FILE *f, const Scale *s, const json_t *pts) {
        size_t i;
        const json_t *p;
        fputs("<polyline class=\"line\" fill=\"none\" stroke=\"#9ab\" points=\"", f);
        json_array_foreach(pts, i, p)
                if (isfinite(jnum(p, "median")))
                        fprintf(f, "%.1f,%.1f ", sx(s, t_of(p)), sy(s, jnum(p, "median")));
        fputs("\"/>\n", f);
        json_array_foreach(pts, i, p) {
                if (!isfinite(jnum(p, "median")))
                        continue;
                fprintf(f,
                        "<circle class=\"point\" data-run=\"%lld\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#1f77b4\">"
                        "<title>run %lld: median %.6g</title></circle>\n",
                        (long long) json_integer_value(json_object_get(p, "run")), sx(s, t_of(p)),
                        sy(s, jnum(p, "median")), (long long) json_integer_value(json_object_get(p, "run")),
                        jnum(p, "median"));
        }
}

static void segments(FILE *f, const Scale *s, const json_t *series) {
        const json_t *pts = json_object_get(series, "points"), *g;
        size_t i;
        json_array_foreach(json_object_get(series, "segments"), i, g) {
                double a = run_time(pts, json_object_get(g, "first_run")),
                       b = run_time(pts, json_object_get(g, "last_run"));
                double y = sy(s, jnum(g, "mean"));
                fprintf(f,
                        "<line class=\"segment\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#222\" "
                        "stroke-width=\"2\" stroke-dasharray=\"6 4\"><title>mean of runs %lld-%lld: "
                        "%.6g</title></line>\n",
                        sx(s, a), y, fmax(sx(s, b), sx(s, a) + 2), y,
                        (long long) json_integer_value(json_object_get(g, "first_run")),
                        (long long) json_integer_value(json_object_get(g, "last_run")), jnum(g, "mean"));
        }
}

/* The changes of this series' benchmark and metric: a line halfway between the run before and the
 * first run after, labelled with the magnitude. */
static void changes(FILE *f, const Scale *s, const json_t *doc, const json_t *series) {
        const json_t *pts = json_object_get(series, "points"), *c;
        size_t i;
        json_array_foreach(json_object_get(doc, "changes"), i, c) {
                if (!json_equal(json_object_get(c, "benchmark"), json_object_get(series, "benchmark")) ||
                    !json_equal(json_object_get(c, "metric"), json_object_get(series, "metric")))
                        continue;
                double t =
                        (run_time(pts, json_object_get(c, "run_before")) + run_time(pts, json_object_get(c, "run"))) /
                        2;
                if (!isfinite(t))
                        continue;
                fprintf(f,
                        "<g class=\"change\" data-run=\"%lld\" data-magnitude=\"%.6g\"><line x1=\"%.1f\" y1=\"%d\" "
                        "x2=\"%.1f\" y2=\"%d\" stroke=\"#d62728\" stroke-width=\"2\"/><text x=\"%.1f\" y=\"%d\" "
                        "font-size=\"12\" text-anchor=\"middle\">%+.1f %% %s</text><title>change: from run %lld, %.6g "
                        "-> "
                        "%.6g</title></g>\n",
                        (long long) json_integer_value(json_object_get(c, "run")), jnum(c, "magnitude"), sx(s, t), TOP,
                        sx(s, t), AXIS_Y, sx(s, t), TOP - 8, 100 * jnum(c, "magnitude"), jstr_or(c, "direction", ""),
                        (long long) json_integer_value(json_object_get(c, "run")), jnum(c, "mean_before"),
                        jnum(c, "mean_after"));
        }
}

static void tx_ids(FILE *f, const json_t *list, const char *sign) {
        size_t i;
        const json_t *t;
        json_array_foreach(list, i, t) {
                fputs(sign, f);
                markup_put(f, jstr_or(t, "id", "?"));
                fputc(' ', f);
        }
}

/* Tuning markers within the series' time span, labels on three staggered rows under the axis. */
static void tuning(FILE *f, const Scale *s, const json_t *doc) {
        size_t i, k = 0;
        const json_t *m;
        json_array_foreach(json_object_get(doc, "tuning"), i, m) {
                double t = t_of(m), x = sx(s, t);
                if (!(t >= s->x0 && t <= s->x1))
                        continue;
                fprintf(f,
                        "<g class=\"tuning\" data-run=\"%lld\"><path d=\"M%.1f %d l5 9 l-10 0 z\" fill=\"#222\"/>"
                        "<text x=\"%.1f\" y=\"%zu\" font-size=\"10\" text-anchor=\"middle\">",
                        (long long) json_integer_value(json_object_get(m, "run")), x, AXIS_Y + 30, x,
                        (size_t) AXIS_Y + 50 + 13 * (k++ % 3));
                tx_ids(f, json_object_get(m, "applied"), "+");
                tx_ids(f, json_object_get(m, "rolled_back"), "\xe2\x88\x92");
                fprintf(f,
                        "</text><title>run %lld: transactions applied (+) and rolled back (\xe2\x88\x92) since the run "
                        "before</title></g>\n",
                        (long long) json_integer_value(json_object_get(m, "run")));
        }
}

void bench_html_trend_svg(FILE *f, const json_t *doc, const json_t *series, const char *id) {
        Scale s = scale(series);
        bench_html_svg_open(f, id, "trend", W, H, series,
                            "each run's median over time, the segments' means and the changes");
        axes(f, &s, jstr_or(series, "unit", ""));
        points(f, &s, json_object_get(series, "points"));
        segments(f, &s, series);
        changes(f, &s, doc, series);
        tuning(f, &s, doc);
        fputs("</svg><figcaption>dots: each run's median; dashed lines: the segments' means; solid vertical lines: "
              "the changes, with their magnitude; triangles under the time axis: tuning, the transactions applied "
              "(+) and rolled back (\xe2\x88\x92) since the run before</figcaption></figure>\n",
              f);
}
