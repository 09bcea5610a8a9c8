/* SPDX-License-Identifier: MIT */
/* SVG charts written by the renderer: no charting library, nothing to run, so the charts show with
 * JavaScript off, in print, and under a Content-Security-Policy without 'unsafe-inline'. A series
 * is reduced to its minimum and maximum per pixel column, so an hour at 1 s costs as much as a
 * minute; only presentation attributes are used (a style="" attribute would need 'unsafe-inline'). */
#include <math.h>
#include <string.h>
#include <time.h>

#include "json-util.h"
#include "load-format.h"
#include "load-html.h"

#define W      900
#define H      240
#define LEFT   70
#define RIGHT  12
#define TOP    12
#define BOTTOM 34
#define PW     (W - LEFT - RIGHT)
#define PH     (H - TOP - BOTTOM)

static const char *const colors[] = { "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf" };
#define N_COLORS (sizeof(colors) / sizeof(colors[0]))
/* A dash pattern per line beside its colour, so that lines are told apart without colour (in print,
 * by people who do not see it); the legend shows the same pattern. */
static const char *const dashes[] = { "none", "7 3", "2 2", "9 3 2 3", "1 3", "12 4", "5 2 1 2" };
/* Line k's dash: past the colours the dashes shift by one, so that up to 49 lines differ in one of the two. */
#define DASH_OF(k) dashes[((k) + (k) / N_COLORS) % N_COLORS]

void chart_fmt(char *buf, size_t size, const char *unit, double v) {
        if (!isfinite(v))
                snprintf(buf, size, "-");
        else if (strcmp(unit, "us") == 0) {
                json_t *j = json_real(v);
                load_fmt_us(buf, size, j);
                json_decref(j);
        } else if (strcmp(unit, "bytes") == 0)
                snprintf(buf, size,
                         v >= 1 << 30           ? "%.1f GiB"
                                 : v >= 1 << 20 ? "%.1f MiB"
                                                : "%.0f KiB",
                         v >= 1 << 30           ? v / (1 << 30)
                                 : v >= 1 << 20 ? v / (1 << 20)
                                                : v / 1024);
        else
                snprintf(buf, size, fabs(v) >= 100 || v == floor(v) ? "%.0f%s" : "%.2g%s", v, unit);
}

typedef struct Scale {
        double x0, x1, y0, y1;
        bool log_y;
} Scale;

/* Kept within the picture (and finite), so that the pixel column it is cast to exists. */
static double px(const Scale *s, double x) {
        double r = s->x1 > s->x0 ? (x - s->x0) / (s->x1 - s->x0) : 0;
        return LEFT + (isfinite(r) ? fmin(fmax(r, 0), 1) : 0) * PW;
}

static double py(const Scale *s, double y) {
        double v = s->log_y ? log10(fmax(y, 1)) : y;
        double lo = s->log_y ? log10(fmax(s->y0, 1)) : s->y0, hi = s->log_y ? log10(fmax(s->y1, 1)) : s->y1;
        double r = hi > lo ? (v - lo) / (hi - lo) : 0;
        return TOP + PH - fmin(fmax(r, 0), 1) * PH;
}

static double nice_step(double span) {
        double raw = span / 5, mag = pow(10, floor(log10(raw))), r = raw / mag;
        return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
}

static void scale_of(const Chart *c, Scale *s) {
        *s = (Scale) {
                .x0 = INFINITY, .x1 = -INFINITY, .y0 = c->log_y ? INFINITY : 0, .y1 = -INFINITY, .log_y = c->log_y
        };
        for (size_t i = 0; i < c->n; i++) {
                s->x0 = fmin(s->x0, c->x[i]);
                s->x1 = fmax(s->x1, c->x[i]);
                for (size_t k = 0; k < c->n_series; k++)
                        if (isfinite(c->series[k].y[i])) {
                                s->y1 = fmax(s->y1, c->series[k].y[i]);
                                s->y0 = fmin(s->y0, c->series[k].y[i]);
                        }
        }
        if (!isfinite(s->x0))
                s->x0 = 0, s->x1 = 1;
        if (c->axis == AXIS_TIME && s->x1 > s->x0)
                s->x1 += 1; /* the last interval's end */
        if (c->axis == AXIS_WALL && c->x1 > c->x0)
                s->x0 = c->x0, s->x1 = c->x1; /* the page's range, not the data's */
        if (!isfinite(s->y1) || s->y1 <= 0)
                s->y1 = 1;
        if (c->log_y) {
                s->y0 = pow(10, floor(log10(fmax(isfinite(s->y0) ? s->y0 : 1, 1))));
                s->y1 = pow(10, ceil(log10(fmax(s->y1, 10))));
        } else
                s->y1 = ceil(s->y1 / nice_step(s->y1) - 1e-9) * nice_step(s->y1);
}

static void y_axis(FILE *f, const Chart *c, const Scale *s) {
        char label[32];
        double step = c->log_y ? 10 : nice_step(s->y1 - s->y0);
        /* At most 20 lines, whatever the document's values (an infinite span would never end). */
        unsigned ticks = 0;
        for (double v = s->y0; v <= s->y1 * 1.0001 && ticks++ < 20; v = c->log_y ? v * step : v + step) {
                double y = py(s, v);
                chart_fmt(label, sizeof(label), c->unit, v);
                fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>", LEFT, W - RIGHT, y,
                        y);
                fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"11\">%s</text>", LEFT - 4, y + 4,
                        label);
        }
}

/* A wall-clock axis: a step of whole minutes, hours or days with at most 8 ticks, labels in UTC. */
static double wall_step(double span) {
        static const double steps[] = { 10,       30,       60,        300,   600,       1800,     3600,
                                        3 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400 };
        for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
                if (span / steps[i] <= 8)
                        return steps[i];
        return 30 * 86400;
}

static void wall_label(char *buf, size_t size, double v, double step) {
        time_t t = (time_t) v;
        struct tm tm;
        if (!gmtime_r(&t, &tm))
                snprintf(buf, size, "-");
        else if (step >= 86400)
                strftime(buf, size, "%m-%d", &tm);
        else if (step < 60)
                strftime(buf, size, "%H:%M:%S", &tm);
        else
                strftime(buf, size, "%H:%M", &tm);
}

static void x_axis(FILE *f, const Chart *c, const Scale *s) {
        static const char *const spectrum[] = { "p0", "p90", "p99", "p99.9", "p99.99", "p99.999", "p99.9999" };
        double span = s->x1 - s->x0, step = c->axis == AXIS_SPECTRUM ? 1 : nice_step(span > 0 ? span : 1);
        if (c->axis == AXIS_TIME && span >= 600)
                step = nice_step(span / 60) * 60; /* whole minutes */
        if (c->axis == AXIS_WALL)
                step = wall_step(span);
        unsigned ticks = 0;
        for (double v = ceil(s->x0 / step) * step; v <= s->x1 + 1e-9 && ticks++ < 20; v += step) {
                double x = px(s, v);
                char label[32];
                if (c->axis == AXIS_SPECTRUM)
                        snprintf(label, sizeof(label), "%s", v >= 0 && v < 7 ? spectrum[(int) v] : "");
                else if (c->axis == AXIS_WALL)
                        wall_label(label, sizeof(label), v, step);
                else if (c->axis == AXIS_RATE)
                        snprintf(label, sizeof(label), "%g/s", v);
                else if (c->axis == AXIS_CLIENTS)
                        snprintf(label, sizeof(label), "%g", v);
                else if (span >= 600)
                        snprintf(label, sizeof(label), "%.0f min", v / 60);
                else
                        snprintf(label, sizeof(label), "%g s", v);
                /* class xt: a live page's script draws these again when it slides the axis. */
                fprintf(f, "<line class=\"xt\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#888\"/>", x, x,
                        TOP + PH, TOP + PH + 4);
                /* The last label ends at the edge instead of running past it. */
                fprintf(f, "<text class=\"xt\" x=\"%.1f\" y=\"%d\" text-anchor=\"%s\" font-size=\"11\">%s</text>", x,
                        TOP + PH + 16, x > W - RIGHT - 20 ? "end" : "middle", label);
        }
        fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#888\"/>", LEFT, W - RIGHT, TOP + PH,
                TOP + PH);
}

/* One series as a path: per pixel column its first, minimum, maximum and last point. */
static void series_path(FILE *f, const Chart *c, const Scale *s, size_t k) {
        const double *y = c->series[k].y;
        fprintf(f,
                "<path class=\"line l%zu\" fill=\"none\" stroke-width=\"1.5\" stroke=\"%s\" stroke-dasharray=\"%s\" "
                "d=\"",
                k, colors[k % N_COLORS], DASH_OF(k));
        bool pen = false;
        for (size_t i = 0; i < c->n;) {
                if (!isfinite(c->x[i])) {
                        pen = false;
                        i++;
                        continue;
                }
                int col = (int) px(s, c->x[i]);
                double lo = INFINITY, hi = -INFINITY, first = NAN, last = NAN;
                size_t j = i;
                for (; j < c->n && isfinite(c->x[j]) && (int) px(s, c->x[j]) == col; j++) {
                        if (!isfinite(y[j]))
                                continue;
                        if (!isfinite(first))
                                first = y[j];
                        last = y[j];
                        lo = fmin(lo, y[j]);
                        hi = fmax(hi, y[j]);
                }
                if (!isfinite(first)) {
                        pen = false;
                        i = j;
                        continue;
                }
                double pts[4] = { first, first <= last ? lo : hi, first <= last ? hi : lo, last };
                for (size_t p = 0; p < 4; p++)
                        if (p == 0 || pts[p] != pts[p - 1]) {
                                fprintf(f, "%c%d %.1f", pen ? 'L' : 'M', col, py(s, pts[p]));
                                pen = true;
                        }
                i = j;
        }
        fputs("\"/>", f);
}

static void markers(FILE *f, const Chart *c, const Scale *s) {
        size_t i;
        json_t *m;
        json_array_foreach(c->markers, i, m) {
                double t = jnum(m, "t_s");
                if (!isfinite(t) || t < s->x0 || t > s->x1)
                        continue;
                double x = px(s, t);
                fprintf(f,
                        "<g class=\"marker\" data-t=\"%.15g\"><line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" "
                        "stroke=\"#444\" "
                        "stroke-dasharray=\"4 3\"/><text x=\"%.1f\" y=\"%d\" font-size=\"10\">",
                        t, x, x, TOP, TOP + PH, x + 3, TOP + 10 + (int) (i % 3) * 11);
                markup_put(f, jstr_or(m, "kind", "marker"));
                fputs("</text><title>", f);
                markup_put(f, jstr_or(m, "text", ""));
                fputs("</title></g>", f);
        }
}

static void legend(FILE *f, const Chart *c) {
        fputs("<figcaption><b>", f);
        markup_put(f, c->title);
        fputs("</b>", f);
        for (size_t k = 0; k < c->n_series; k++) {
                fprintf(f,
                        " <svg class=\"key\" width=\"26\" height=\"10\" aria-hidden=\"true\"><line x1=\"0\" x2=\"26\" "
                        "y1=\"5\" "
                        "y2=\"5\" stroke-width=\"2.5\" stroke=\"%s\" stroke-dasharray=\"%s\"/></svg> ",
                        colors[k % N_COLORS], DASH_OF(k));
                markup_put(f, c->series[k].name);
        }
        fputs(" <output></output></figcaption>\n", f);
}

void svg_chart(FILE *f, const Chart *c) {
        Scale s;
        scale_of(c, &s);
        fputs("<figure class=\"chart\">", f);
        legend(f, c);
        /* The id comes from a document (a dashboard's panel id): written escaped like any text. */
        fputs("<svg id=\"", f);
        markup_put(f, c->id);
        fprintf(f,
                "\" data-chart=\"%s\" data-x0=\"%.15g\" data-x1=\"%.15g\" data-left=\"%d\" "
                "data-width=\"%d\" data-y0=\"%.15g\" data-y1=\"%.15g\" data-top=\"%d\" data-height=\"%d\" "
                "data-log=\"%d\" "
                "viewBox=\"0 0 %d %d\" width=\"100%%\" role=\"img\" aria-label=\"",
                c->axis == AXIS_TIME              ? "time"
                        : c->axis == AXIS_WALL    ? "wall"
                        : c->axis == AXIS_RATE    ? "rate"
                        : c->axis == AXIS_CLIENTS ? "clients"
                                                  : "spectrum",
                s.x0, s.x1, LEFT, PW, s.y0, s.y1, TOP, PH, s.log_y, W, H);
        markup_put(f, c->title);
        fputs("\" xmlns=\"http://www.w3.org/2000/svg\">", f);
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fff\" stroke=\"#ccc\"/>", LEFT, TOP, PW,
                PH);
        y_axis(f, c, &s);
        x_axis(f, c, &s);
        for (size_t k = 0; k < c->n_series; k++)
                series_path(f, c, &s, k);
        if (c->axis == AXIS_TIME || c->axis == AXIS_WALL)
                markers(f, c, &s);
        fputs("</svg></figure>\n", f);
}
