/* SPDX-License-Identifier: MIT */
#include "series.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "histogram.h"
#include "macro.h"

int array_reserve(void **arr, size_t *cap, size_t n, size_t sz) {
        if (n < *cap)
                return 0;
        size_t ncap = *cap ? *cap * 2 : 16;
        if (ncap > SIZE_MAX / sz)
                return -ENOMEM;
        void *p = realloc(*arr, ncap * sz);
        if (!p)
                return -ENOMEM;
        *arr = p;
        *cap = ncap;
        return 0;
}

typedef struct Weighted {
        double v, w;
} Weighted;

static int cmp_weighted(const void *a, const void *b) {
        double x = ((const Weighted *) a)->v, y = ((const Weighted *) b)->v;
        return (x > y) - (x < y);
}

/* The smallest value whose cumulative weight (values sorted) reaches 95 % of the total. */
static double weighted_p95(const Weighted *sorted, size_t n, double total) {
        double target = 0.95 * total * (1 - 1e-12), cum = 0;   /* 0.95 * n is inexact in binary */
        for (size_t i = 0; i < n; i++) {
                cum += sorted[i].w;
                if (cum >= target)
                        return sorted[i].v;
        }
        return sorted[n - 1].v;
}

SeriesSummary series_summarize_weighted(const double *v, const double *w, size_t n) {
        SeriesSummary s = { .n = n };
        if (n == 0)
                return s;
        double sum = 0;
        s.min = s.max = v[0];
        s.w_min = s.w_max = w ? w[0] : 1.0;
        for (size_t i = 0; i < n; i++) {
                double wi = w ? w[i] : 1.0;
                s.min = fmin(s.min, v[i]);
                s.max = fmax(s.max, v[i]);
                s.w_min = fmin(s.w_min, wi);
                s.w_max = fmax(s.w_max, wi);
                sum += v[i] * wi;
                s.span += wi;
        }
        s.avg = s.span > 0 ? sum / s.span : 0;
        Weighted small[64], *sorted = n <= 64 ? small : malloc(n * sizeof(Weighted));
        if (!sorted) {
                s.p95 = s.max;          /* out of memory: max stands in for p95 */
                return s;
        }
        for (size_t i = 0; i < n; i++)
                sorted[i] = (Weighted) { v[i], w ? w[i] : 1.0 };
        qsort(sorted, n, sizeof(Weighted), cmp_weighted);
        s.p95 = weighted_p95(sorted, n, s.span);
        if (sorted != small)
                free(sorted);
        return s;
}

bool counter_delta(uint64_t prev, uint64_t cur, uint64_t *ret) {
        if (cur >= prev) {
                *ret = cur - prev;
                return true;
        }
        if (prev <= UINT32_MAX && prev > (UINT32_MAX >> 1)) {
                *ret = (uint64_t) UINT32_MAX - prev + cur + 1;
                return true;
        }
        return false;
}

static int series_stat_to_histogram(SeriesStat *s);
static int series_hist_fit(SeriesStat *s, uint64_t x);

/* Values up to 2^48 / SERIES_HIST_SCALE (281 G: bytes, per-second rates) keep their 2 digits. */
#define SERIES_HIST_HIGHEST (UINT64_C(1) << 48)

/* llround() of 0 <= x < 2^53, inline: a libm call twice a point costs more than the rest of the
 * rounding. x - trunc(x) is exact, so halves round up as llround's do. */
static uint64_t round_nonneg(double x) {
        /* Through int64_t: x < 2^53 fits, and x86 converts signed integers in one instruction, unsigned
         * ones in a branch and several (twice per point, on the path of every point). */
        int64_t i = (int64_t) x;
        return (uint64_t) i + (x - (double) i >= 0.5);
}

static uint64_t series_hist_value(double v) {
        double x = v * SERIES_HIST_SCALE;
        if (!(x > 0))
                return 0;
        return x >= (double) SERIES_HIST_HIGHEST ? SERIES_HIST_HIGHEST : round_nonneg(x);
}

static uint64_t series_hist_weight(double w) {
        double x = w * 1000.0;
        return x >= 1 && x < 1e15 ? round_nonneg(x) : x >= 1e15 ? UINT64_C(1000000000000000) : 1;
}

int series_stat_add(SeriesStat *s, double v, double w) {
        if (s->n == 0) {
                s->min = s->max = v;
                s->w_min = s->w_max = w;
        }
        if (!s->h && s->n >= SERIES_EXACT_MAX) {
                int r = series_stat_to_histogram(s);
                if (r < 0)
                        return r;
        }
        if (!s->h) {
                /* Same growth as the window arrays had, capped at SERIES_EXACT_MAX. */
                if (s->n >= s->cap) {
                        size_t ncap = s->cap ? MIN(s->cap * 2, (size_t) SERIES_EXACT_MAX) : 16;
                        double *nv = realloc(s->v, ncap * sizeof(double));
                        if (!nv)
                                return -ENOMEM;
                        s->v = nv;
                        double *nw = realloc(s->w, ncap * sizeof(double));
                        if (!nw)
                                return -ENOMEM;
                        s->w = nw;
                        s->cap = ncap;
                }
                s->v[s->n] = v;
                s->w[s->n] = w;
        } else {
                uint64_t x = series_hist_value(v) >> s->h_shift;
                int r = series_hist_fit(s, x);
                if (r < 0)
                        return r;
                histogram_record_n(s->h, x, series_hist_weight(w));
        }
        /* Plain comparisons: fmin/fmax are calls here, on the path of every point. */
        if (v < s->min)
                s->min = v;
        if (v > s->max)
                s->max = v;
        if (w < s->w_min)
                s->w_min = w;
        if (w > s->w_max)
                s->w_max = w;
        s->sum += v * w;
        s->span += w;
        s->n++;
        return 0;
}

/* A histogram that holds the scaled value x: the next power of two above it (at least 1024), so a
 * percent series needs a few KiB and a bytes/s one more. Growing keeps the layout of the smaller
 * range, so the counts move over exactly. */
static int series_hist_fit(SeriesStat *s, uint64_t x) {
        if (s->h && x <= s->h_highest)
                return 0;
        uint64_t highest = 1024;
        while (highest < x && highest < SERIES_HIST_HIGHEST)
                highest <<= 1;
        Histogram *h;
        int r = histogram_new(highest, 2, &h);
        if (r < 0)
                return r;
        if (s->h)
                histogram_merge(h, s->h);
        histogram_free(s->h);
        s->h = h;
        s->h_highest = highest;
        return 0;
}

/* The resolution follows the largest value seen so far: values within 1/64 of it keep their 2 digits,
 * smaller ones fall into steps of 1/16384 of it. A bytes/s series then needs 8 KiB, not 28 (and the
 * counts it touches stay in cache), and nothing near the p95 loses precision. */
#define SERIES_HIST_TOP_BITS 14

static int series_stat_to_histogram(SeriesStat *s) {
        uint64_t top = series_hist_value(s->max);
        unsigned bits = top ? 64 - (unsigned) __builtin_clzll(top) : 0;
        s->h_shift = bits > SERIES_HIST_TOP_BITS ? bits - SERIES_HIST_TOP_BITS : 0;
        int r = series_hist_fit(s, top >> s->h_shift);
        if (r < 0)
                return r;
        for (size_t i = 0; i < s->n; i++)
                histogram_record_n(s->h, series_hist_value(s->v[i]) >> s->h_shift, series_hist_weight(s->w[i]));
        free(s->v);
        free(s->w);
        s->v = s->w = NULL;
        s->cap = 0;
        return 0;
}

SeriesSummary series_stat_summary(const SeriesStat *s) {
        if (!s->h)
                return series_summarize_weighted(s->v, s->w, s->n);
        SeriesSummary m = { .n = s->n, .min = s->min, .max = s->max, .span = s->span, .w_min = s->w_min,
                            .w_max = s->w_max };
        m.avg = s->span > 0 ? s->sum / s->span : 0;
        /* The bucket's value, kept inside the exact extremes. */
        uint64_t q = histogram_percentile(s->h, 95);
        double p = (double) (((q + 1) << s->h_shift) - 1) / SERIES_HIST_SCALE;
        m.p95 = fmin(fmax(p, s->min), s->max);
        return m;
}

size_t series_stat_memory(const SeriesStat *s) {
        return sizeof(*s) + 2 * s->cap * sizeof(double) + (s->h ? histogram_memory(s->h) : 0);
}

void series_stat_free(SeriesStat *s) {
        free(s->v);
        free(s->w);
        histogram_free(s->h);
        *s = (SeriesStat) {};
}
