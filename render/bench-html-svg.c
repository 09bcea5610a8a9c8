/* SPDX-License-Identifier: MIT */
/* The comparison report's per-metric picture (bench-html.c): both sides' repetitions as dots on one
 * value axis with their medians, and under them the ratio B/A with its interval against the noise
 * threshold's band and the gate's limit. A is hollow and B filled, and each row is labelled, so the
 * picture reads without colour. */
#include <math.h>
#include <stdio.h>

#include "bench-html.h"
#include "json-util.h"
#include "load-format.h"
#include "load-html.h"

#define W      900
#define LEFT   90
#define RIGHT  20
#define PW     (W - LEFT - RIGHT)
#define ROW_A  28
#define ROW_B  62
#define AXIS_V 88
#define ROW_R  128
#define AXIS_R 150
#define H      170

typedef struct Range {
        double lo, hi;
} Range;

static double at(const Range *r, double v) {
        double t = r->hi > r->lo ? (v - r->lo) / (r->hi - r->lo) : 0.5;
        return LEFT + (isfinite(t) ? fmin(fmax(t, 0), 1) : 0.5) * PW;
}

static void widen(Range *r, double v) {
        if (!isfinite(v))
                return;
        r->lo = fmin(r->lo, v);
        r->hi = fmax(r->hi, v);
}

/* The range a little wider than what it holds, so that no dot sits on the frame. */
static void pad(Range *r) {
        if (!(r->hi >= r->lo))
                *r = (Range) { 0, 1 };
        double d = r->hi > r->lo ? (r->hi - r->lo) * 0.06 : fabs(r->lo) * 0.05 + 1e-9;
        r->lo -= d;
        r->hi += d;
}

static void ticks(FILE *f, const Range *r, double y, const char *unit) {
        fprintf(f, "<line x1=\"%d\" y1=\"%.0f\" x2=\"%d\" y2=\"%.0f\" stroke=\"#888\"/>\n", LEFT, y, LEFT + PW, y);
        for (int k = 0; k <= 4; k++) {
                double v = r->lo + (r->hi - r->lo) * k / 4;
                /* Four digits: the ticks of a narrow range stay apart (0.0543 s, 0.0548 s). */
                char buf[48];
                snprintf(buf, sizeof(buf), "%.4g %s", v, unit);
                fprintf(f,
                        "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#888\"/>"
                        "<text x=\"%.1f\" y=\"%.0f\" font-size=\"11\" text-anchor=\"middle\">",
                        at(r, v), y, at(r, v), y + 4, at(r, v), y + 15);
                markup_put(f, buf);
                fputs("</text>\n", f);
        }
}

/* One side's row: a dot per finite repetition (jittered up and down so equal values stay visible),
 * a bar at the median. */
static void side(FILE *f, const Range *r, const json_t *samples, double median, int y, bool filled) {
        const char *cls = filled ? "b" : "a", *color = filled ? "#d62728" : "#1f77b4";
        fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"end\">%s</text>\n", LEFT - 8, y + 4,
                filled ? "B (filled)" : "A (hollow)");
        size_t i, k = 0;
        const json_t *v;
        json_array_foreach(samples, i, v) {
                if (!json_is_number(v) || !isfinite(json_number_value(v)))
                        continue;
                fprintf(f,
                        "<circle class=\"%s\" cx=\"%.1f\" cy=\"%d\" r=\"4\" fill=\"%s\" stroke=\"%s\" "
                        "fill-opacity=\"0.6\"><title>%s repetition %zu: %.6g</title></circle>\n",
                        cls, at(r, json_number_value(v)), y + (int) (k % 5) * 3 - 6, filled ? color : "none", color,
                        filled ? "B" : "A", i + 1, json_number_value(v));
                k++;
        }
        if (isfinite(median))
                fprintf(f,
                        "<line class=\"median\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#222\" "
                        "stroke-width=\"2\"><title>median %.6g</title></line>\n",
                        at(r, median), y - 12, at(r, median), y + 12, median);
}

/* The ratio row: the threshold's band around 1, the gate's limit on the bad side, the interval as
 * a bar and the ratio as a diamond. */
static void ratio_row(FILE *f, const json_t *m) {
        const json_t *ci = json_object_get(m, "ci"), *gate = json_object_get(m, "gate");
        double ratio = jnum(m, "ratio"), thr = jnum(m, "threshold");
        double lo = json_number_value(json_array_get(ci, 0)), hi = json_number_value(json_array_get(ci, 1));
        bool has_ci = json_array_size(ci) == 2 && isfinite(lo) && isfinite(hi) &&
                json_is_number(json_array_get(ci, 0)) && json_is_number(json_array_get(ci, 1)),
             hib = json_is_true(json_object_get(m, "higher_is_better"));
        double limit = json_is_object(gate)
                ? (hib ? 1 - jnum(gate, "max_regression") : 1 + jnum(gate, "max_regression"))
                : NAN;
        Range r = { 1, 1 };
        widen(&r, ratio);
        widen(&r, 1 - thr);
        widen(&r, 1 + thr);
        widen(&r, limit);
        if (has_ci) {
                widen(&r, lo);
                widen(&r, hi);
        }
        pad(&r);
        fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"end\">B/A</text>\n", LEFT - 8, ROW_R + 4);
        if (isfinite(thr))
                fprintf(f,
                        "<rect class=\"noise\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"20\" fill=\"#ddd\">"
                        "<title>noise threshold: within %.3g %% of 1 is the same</title></rect>\n",
                        at(&r, 1 - thr), ROW_R - 10, at(&r, 1 + thr) - at(&r, 1 - thr), 100 * thr);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#555\"/>\n", at(&r, 1), ROW_R - 14,
                at(&r, 1), ROW_R + 14);
        if (isfinite(limit))
                fprintf(f,
                        "<line class=\"gate\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#d62728\" "
                        "stroke-dasharray=\"4 3\"/><text x=\"%.1f\" y=\"%d\" font-size=\"11\" "
                        "text-anchor=\"middle\">gate</text>\n",
                        at(&r, limit), ROW_R - 14, at(&r, limit), ROW_R + 14, at(&r, limit), ROW_R - 16);
        if (has_ci)
                fprintf(f,
                        "<line class=\"ci\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#222\" "
                        "stroke-width=\"4\"><title>95 %% interval %.4f to %.4f</title></line>\n",
                        at(&r, lo), ROW_R, at(&r, hi), ROW_R, lo, hi);
        if (isfinite(ratio))
                fprintf(f,
                        "<path class=\"ratio\" d=\"M%.1f %d l6 6 l-6 6 l-6 -6 z\" fill=\"#222\"><title>B/A "
                        "%.4f</title></path>\n",
                        at(&r, ratio), ROW_R - 6, ratio);
        ticks(f, &r, AXIS_R, "\xc3\x97");
}

void bench_html_svg_open(FILE *f, const char *id, const char *cls, int w, int h, const json_t *m, const char *caption) {
        fprintf(f,
                "<figure><svg id=\"%s\" class=\"%s\" viewBox=\"0 0 %d %d\" width=\"100%%\" role=\"img\" "
                "xmlns=\"http://www.w3.org/2000/svg\"><title>",
                id, cls, w, h);
        markup_put(f, jstr_or(m, "benchmark", "?"));
        fputc(' ', f);
        markup_put(f, jstr_or(m, "metric", "?"));
        fprintf(f, ": %s</title>\n", caption);
}

void bench_html_metric_svg(FILE *f, const json_t *m, const char *id) {
        const json_t *sa = json_object_get(m, "samples_a"), *sb = json_object_get(m, "samples_b");
        Range r = { INFINITY, -INFINITY };
        size_t i;
        const json_t *v;
        /* a null sample (a stress run that found no knee) is no point of the range */
        json_array_foreach(sa, i, v)
                if (json_is_number(v))
                        widen(&r, json_number_value(v));
        json_array_foreach(sb, i, v)
                if (json_is_number(v))
                        widen(&r, json_number_value(v));
        pad(&r);
        const char *unit = jstr_or(m, "unit", "");
        bench_html_svg_open(f, id, "distribution", W, H, m, "the repetitions of A and B, and B/A with its interval");
        side(f, &r, sa, jnum(m, "median_a"), ROW_A, false);
        side(f, &r, sb, jnum(m, "median_b"), ROW_B, true);
        ticks(f, &r, AXIS_V, unit);
        ratio_row(f, m);
        fputs("</svg><figcaption>dots: one per repetition; bars: the medians; grey band: the noise threshold; "
              "black bar: the ratio's 95 % interval; dashed: the gate's limit</figcaption></figure>\n",
              f);
}
