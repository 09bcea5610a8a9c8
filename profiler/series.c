/* SPDX-License-Identifier: MIT */
#include "series.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

int series_push(Series *s, double v) {
        int r = array_reserve((void **) &s->v, &s->cap, s->n, sizeof(double));
        if (r < 0)
                return r;
        s->v[s->n++] = v;
        return 0;
}

void series_free(Series *s) {
        free(s->v);
        *s = (Series) {};
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

SeriesSummary series_summarize(const double *v, size_t n) {
        SeriesSummary s = { .n = n };
        if (n == 0)
                return s;
        double sorted_small[64], *sorted = n <= 64 ? sorted_small : malloc(n * sizeof(double));
        double sum = 0;
        if (!sorted) {
                /* Out of memory: still give min/avg/max, and max stands in for p95. */
                s.min = s.max = v[0];
                for (size_t i = 0; i < n; i++) {
                        s.min = fmin(s.min, v[i]);
                        s.max = fmax(s.max, v[i]);
                        sum += v[i];
                }
                s.avg = sum / (double) n;
                s.p95 = s.max;
                return s;
        }
        memcpy(sorted, v, n * sizeof(double));
        qsort(sorted, n, sizeof(double), cmp_double);
        for (size_t i = 0; i < n; i++)
                sum += sorted[i];
        s.min = sorted[0];
        s.max = sorted[n - 1];
        s.avg = sum / (double) n;
        size_t rank = (size_t) ceil(0.95 * (double) n);   /* nearest rank, 1-based */
        s.p95 = sorted[rank > 0 ? rank - 1 : 0];
        if (sorted != sorted_small)
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
