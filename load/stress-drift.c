/* SPDX-License-Identifier: MIT */
/* stress-drift: the endurance pattern's drift of p99, error rate and the server's RSS, in fixed
 * memory for any run length: per-window medians (the window doubles when the series is full), a
 * least-squares slope and one change point (rules in load/stress.h). */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "macro.h"
#include "stats.h"
#include "stress.h"

const char stress_drift_method[] =
        "least-squares slope over per-window medians; change point: best single split of two constant "
        "segments (>= 3 windows each), accepted when the shift is > 5 % and Welch's t > 5";

void stress_series_init(StressSeries *s, double window_s)
{
        memset(s, 0, sizeof(*s));
        s->window_s = window_s > 0 ? window_s : 60;
        s->t0_s = NAN;
}

static void halve(double *v, size_t *n)
{
        for (size_t i = 0; i < *n / 2; i++)
                v[i] = (v[2 * i] + v[2 * i + 1]) / 2;
        *n /= 2;
}

static void close_window(StressSeries *s)
{
        if (s->n_buf == 0)
                return;
        if (s->n == STRESS_DRIFT_MAX) {
                halve(s->v, &s->n);
                s->window_s *= 2;
        }
        s->v[s->n++] = stats_median(s->buf, s->n_buf);
        s->n_buf = 0;
}

void stress_series_add(StressSeries *s, double t_s, double value)
{
        if (isnan(value) || isnan(t_s))
                return;
        if (isnan(s->t0_s)) {
                s->t0_s = t_s;
                s->buf_start_s = t_s;
        }
        while (t_s >= s->buf_start_s + s->window_s) {
                bool empty = s->n_buf == 0;
                close_window(s);
                if (empty && s->n < STRESS_DRIFT_MAX)
                        s->v[s->n++] = NAN;     /* a window without values keeps its place */
                s->buf_start_s = s->t0_s + (double) s->n * s->window_s;
        }
        if (s->n_buf == ELEMENTSOF(s->buf))
                halve(s->buf, &s->n_buf);       /* only for windows over 1024 values */
        s->buf[s->n_buf++] = value;
}

static void fit(const double *v, size_t n, double *ret_a, double *ret_b, double *ret_t)
{
        double sx = 0, sy = 0, m = 0;
        for (size_t i = 0; i < n; i++)
                if (!isnan(v[i])) {
                        sx += (double) i;
                        sy += v[i];
                        m++;
                }
        double mx = sx / m, my = sy / m, sxx = 0, sxy = 0, sse = 0;
        for (size_t i = 0; i < n; i++)
                if (!isnan(v[i])) {
                        sxx += ((double) i - mx) * ((double) i - mx);
                        sxy += ((double) i - mx) * (v[i] - my);
                }
        double b = sxx > 0 ? sxy / sxx : 0, a = my - b * mx;
        for (size_t i = 0; i < n; i++)
                if (!isnan(v[i]))
                        sse += (v[i] - a - b * (double) i) * (v[i] - a - b * (double) i);
        double se = m > 2 && sxx > 0 ? sqrt(sse / (m - 2) / sxx) : 0;
        *ret_a = a;
        *ret_b = b;
        *ret_t = se > 0 ? b / se : (b != 0 ? copysign(INFINITY, b) : 0);
}

static void segment(const double *v, size_t from, size_t to, double *ret_mean, double *ret_var, size_t *ret_n)
{
        double s = 0, ss = 0;
        size_t m = 0;
        for (size_t i = from; i < to; i++)
                if (!isnan(v[i])) {
                        s += v[i];
                        ss += v[i] * v[i];
                        m++;
                }
        *ret_n = m;
        *ret_mean = m ? s / (double) m : NAN;
        *ret_var = m > 1 ? MAX(0.0, (ss - s * s / (double) m) / (double) (m - 1)) : 0;
}

static void change_point(const double *v, size_t n, StressDrift *d, double t0, double window)
{
        double best = INFINITY;
        size_t at = 0;
        for (size_t k = 3; k + 3 <= n; k++) {
                double m1, v1, m2, v2;
                size_t n1, n2;
                segment(v, 0, k, &m1, &v1, &n1);
                segment(v, k, n, &m2, &v2, &n2);
                if (n1 < 3 || n2 < 3)
                        continue;
                double sse = v1 * (double) (n1 - 1) + v2 * (double) (n2 - 1);
                if (sse < best)
                        best = sse, at = k;
        }
        if (at == 0)
                return;
        double m1, v1, m2, v2;
        size_t n1, n2;
        segment(v, 0, at, &m1, &v1, &n1);
        segment(v, at, n, &m2, &v2, &n2);
        double se = sqrt(v1 / (double) n1 + v2 / (double) n2), shift = fabs(m2 - m1);
        double t = se > 0 ? shift / se : (shift > 0 ? INFINITY : 0);
        d->change = shift > 0.05 * fabs(m1) && t > 5;
        d->change_s = t0 + (double) at * window;
        d->before = m1;
        d->after = m2;
}

int stress_series_drift(StressSeries *s, StressDrift *ret)
{
        close_window(s);
        s->buf_start_s = s->t0_s + (double) s->n * s->window_s;
        size_t have = 0;
        for (size_t i = 0; i < s->n; i++)
                have += !isnan(s->v[i]);
        if (have < 3)
                return -ENODATA;
        double a, b, t;
        fit(s->v, s->n, &a, &b, &t);
        *ret = (StressDrift) { .windows = s->n, .change_s = NAN, .before = NAN, .after = NAN, .slope_t = t };
        ret->slope_per_h = b / s->window_s * 3600;
        ret->start = a;
        ret->end = a + b * (double) (s->n - 1);
        ret->relative = ret->start != 0 ? (ret->end - ret->start) / fabs(ret->start) : NAN;
        change_point(s->v, s->n, ret, s->t0_s, s->window_s);
        return 0;
}

void stress_endurance_init(StressEndurance *en, double window_s)
{
        stress_series_init(&en->p99, window_s);
        stress_series_init(&en->errors, window_s);
        stress_series_init(&en->rss, window_s);
}

void stress_endurance_add(StressEndurance *en, const StressInterval *iv)
{
        stress_series_add(&en->p99, iv->t_s, iv->p99_us);
        stress_series_add(&en->errors, iv->t_s, iv->error_rate);
        stress_series_add(&en->rss, iv->t_s, iv->server_rss_bytes);
}
