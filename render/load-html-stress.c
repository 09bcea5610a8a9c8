/* SPDX-License-Identifier: MIT */
/* The HTML report's stress section: what the pattern found (the summary's Stress block, the same
 * text as the terminal's) and, for gradual and breakpoint, p99 against the offered rate: the curve
 * whose knee and breakpoint the text names. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "json-util.h"
#include "load-format.h"
#include "load-html.h"

/* The text block, escaped, in a <pre>. */
static void stress_pre(FILE *f, const json_t *stress) {
        char *text = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&text, &len);
        if (!m)
                return;
        load_stress_text(m, stress);
        if (fclose(m) == 0) {
                fputs("<pre>", f);
                markup_put(f, text);
                fputs("</pre>\n", f);
        }
        free(text);
}

typedef struct Point {
        double x, y;
} Point;

static int by_x(const void *a, const void *b) {
        double d = ((const Point *) a)->x - ((const Point *) b)->x;
        return (d > 0) - (d < 0);
}

/* p99 (us) against the rate, sorted by rate: the breakpoint's holds, or the ramp's intervals. */
static void rate_chart(FILE *f, Point *p, size_t n, const char *title) {
        double *x = malloc((n + 1) * sizeof(double)), *y = malloc((n + 1) * sizeof(double));
        if (x && y && n > 1) {
                qsort(p, n, sizeof(*p), by_x);
                for (size_t i = 0; i < n; i++)
                        x[i] = p[i].x, y[i] = p[i].y;
                ChartSeries s = { "p99", y };
                Chart c = { .id = "chart-stress-rate", .title = title, .unit = "us", .axis = AXIS_RATE, .log_y = true,
                            .x = x, .n = n, .series = &s, .n_series = 1 };
                svg_chart(f, &c);
        }
        free(x);
        free(y);
}

void html_stress(FILE *f, const json_t *doc, const LoadSeries *s) {
        const json_t *stress = json_object_get(doc, "stress");
        if (!json_is_object(stress))
                return;
        fputs("<section id=\"stress\"><h2>Stress: ", f);
        markup_put(f, jstr_or(stress, "pattern", "?"));
        fputs("</h2>\n", f);
        stress_pre(f, stress);
        const json_t *holds = json_object_get(stress, "holds");
        size_t n = jstreq(stress, "pattern", "breakpoint") ? json_array_size(holds) : jstreq(stress, "pattern", "gradual") ? s->n : 0;
        Point *p = calloc(n + 1, sizeof(*p));
        size_t k = 0;
        for (size_t i = 0; p && i < n; i++) {
                const json_t *h = json_array_get(holds, i);
                Point q = holds && h ? (Point) { jnum(h, "rate"), jnum(h, "p99_us") } : (Point) { s->planned[i], s->pct[2][i] };
                if (isfinite(q.x) && isfinite(q.y) && q.y > 0)
                        p[k++] = q;
        }
        if (p)
                rate_chart(f, p, k, jstreq(stress, "pattern", "breakpoint") ? "p99 of each hold against its rate"
                                                                             : "p99 against the offered rate");
        free(p);
        fputs("</section>\n", f);
}
