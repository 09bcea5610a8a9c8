/* SPDX-License-Identifier: MIT */
#include "histogram.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

/* Layout: with S = 2^sub_bits sub-buckets per range, values below S sit in the first range at
 * resolution 1. Every further range r (r >= 1) covers [S/2 * 2^r, S * 2^r) with S/2 sub-buckets of
 * width 2^r. Index of v: the first S counts are the values 0..S-1; then S/2 counts per range. */
struct Histogram {
        uint64_t highest;
        unsigned digits, sub_bits;
        size_t ncounts;
        uint64_t total, clamped, min, max;
        long double sum;
        uint64_t counts[];
};

static unsigned range_of(const Histogram *h, uint64_t v) {
        /* Position of the highest bit of v, counted so that values < S land in range 0. */
        uint64_t mask = (UINT64_C(1) << h->sub_bits) - 1;
        unsigned bits = 64 - (unsigned) __builtin_clzll(v | mask);
        return bits - h->sub_bits;
}

static size_t index_of(const Histogram *h, uint64_t v) {
        unsigned r = range_of(h, v);
        uint64_t sub = v >> r;                  /* in [S/2, S) for r >= 1, [0, S) for r == 0 */
        if (r == 0)
                return (size_t) sub;
        size_t half = (size_t) 1 << (h->sub_bits - 1);
        return ((size_t) 1 << h->sub_bits) + (size_t) (r - 1) * half + (size_t) (sub - half);
}

static uint64_t value_of(const Histogram *h, size_t i, uint64_t *ret_width) {
        size_t s = (size_t) 1 << h->sub_bits, half = s / 2;
        if (i < s) {
                *ret_width = 1;
                return i;
        }
        unsigned r = (unsigned) ((i - s) / half) + 1;
        uint64_t sub = (uint64_t) ((i - s) % half + half);
        *ret_width = UINT64_C(1) << r;
        return sub << r;
}

int histogram_new(uint64_t highest, unsigned digits, Histogram **ret) {
        if (highest < 2 || digits < 1 || digits > 5)
                return -EINVAL;
        /* Enough linear sub-buckets that one sub-bucket is at most 10^-digits of the range start:
         * S/2 >= 10^digits. */
        uint64_t need = 2;
        for (unsigned i = 0; i < digits; i++)
                need *= 10;
        unsigned sub_bits = 1;
        while ((UINT64_C(1) << sub_bits) < need)
                sub_bits++;
        Histogram probe = { .sub_bits = sub_bits };
        size_t n = index_of(&probe, highest) + 1;
        Histogram *h = calloc(1, sizeof(Histogram) + n * sizeof(uint64_t));
        if (!h)
                return -ENOMEM;
        h->highest = highest;
        h->digits = digits;
        h->sub_bits = sub_bits;
        h->ncounts = n;
        histogram_reset(h);
        *ret = h;
        return 0;
}

Histogram *histogram_free(Histogram *h) {
        free(h);
        return NULL;
}

void histogram_reset(Histogram *h) {
        memset(h->counts, 0, h->ncounts * sizeof(uint64_t));
        h->total = h->clamped = h->max = 0;
        h->min = UINT64_MAX;
        h->sum = 0;
}

void histogram_record_n(Histogram *h, uint64_t v, uint64_t n) {
        if (n == 0)
                return;
        if (_unlikely_(v > h->highest)) {
                v = h->highest;
                h->clamped += n;
        }
        h->counts[index_of(h, v)] += n;
        h->total += n;
        h->sum += (long double) v * n;
        if (v < h->min)
                h->min = v;
        if (v > h->max)
                h->max = v;
}

void histogram_record(Histogram *h, uint64_t v) {
        histogram_record_n(h, v, 1);
}

void histogram_merge(Histogram *dst, const Histogram *src) {
        if (src->total == 0)
                return;
        if (dst->sub_bits == src->sub_bits && dst->ncounts >= src->ncounts) {
                for (size_t i = 0; i < src->ncounts; i++)
                        dst->counts[i] += src->counts[i];
                dst->total += src->total;
                dst->clamped += src->clamped;
                dst->sum += src->sum;
                dst->min = MIN(dst->min, src->min);
                dst->max = MAX(dst->max, src->max);
                return;
        }
        long double sum = dst->sum;
        uint64_t clamped = dst->clamped, lo = dst->min, hi = dst->max;
        for (size_t i = 0; i < src->ncounts; i++) {
                if (!src->counts[i])
                        continue;
                uint64_t w, v = value_of(src, i, &w);
                histogram_record_n(dst, v + w / 2, src->counts[i]);
        }
        /* Keep the exact figures that bucket values would blur. */
        dst->sum = sum + src->sum;
        dst->clamped = clamped + src->clamped;
        dst->min = MIN(lo, MIN(src->min, dst->highest));
        dst->max = MAX(hi, MIN(src->max, dst->highest));
}

uint64_t histogram_count(const Histogram *h) {
        return h->total;
}

uint64_t histogram_clamped(const Histogram *h) {
        return h->clamped;
}

uint64_t histogram_min(const Histogram *h) {
        return h->total ? h->min : 0;
}

uint64_t histogram_max(const Histogram *h) {
        return h->max;
}

double histogram_mean(const Histogram *h) {
        return h->total ? (double) (h->sum / h->total) : NAN;
}

uint64_t histogram_lowest_equivalent(const Histogram *h, uint64_t v) {
        uint64_t w;
        return value_of(h, index_of(h, MIN(v, h->highest)), &w);
}

uint64_t histogram_highest_equivalent(const Histogram *h, uint64_t v) {
        uint64_t w, lo = value_of(h, index_of(h, MIN(v, h->highest)), &w);
        return lo + w - 1;
}

uint64_t histogram_percentile(const Histogram *h, double p) {
        if (h->total == 0)
                return 0;
        if (!(p > 0))
                return h->min;
        if (p >= 100)
                return h->max;
        uint64_t want = (uint64_t) ceill((long double) p / 100 * h->total);
        if (want == 0)
                want = 1;
        uint64_t seen = 0;
        for (size_t i = 0; i < h->ncounts; i++) {
                seen += h->counts[i];
                if (seen >= want) {
                        uint64_t w, v = value_of(h, i, &w);
                        uint64_t top = v + w - 1;
                        return MAX(MIN(top, h->max), h->min);
                }
        }
        return h->max;
}

size_t histogram_memory(const Histogram *h) {
        return sizeof(Histogram) + h->ncounts * sizeof(uint64_t);
}

unsigned histogram_digits(const Histogram *h) {
        return h->digits;
}

uint64_t histogram_highest(const Histogram *h) {
        return h->highest;
}

unsigned histogram_sub_bits(const Histogram *h) {
        return h->sub_bits;
}

size_t histogram_buckets(const Histogram *h) {
        return h->ncounts;
}

size_t histogram_bucket_index(const Histogram *h, uint64_t v) {
        return index_of(h, MIN(v, h->highest));
}

uint64_t histogram_bucket(const Histogram *h, size_t i, uint64_t *ret_lowest, uint64_t *ret_highest) {
        if (i >= h->ncounts)
                return 0;
        uint64_t w, lo = value_of(h, i, &w);
        if (ret_lowest)
                *ret_lowest = lo;
        if (ret_highest)
                *ret_highest = lo + w - 1;
        return h->counts[i];
}

void histogram_record_bucket(Histogram *h, size_t i, uint64_t n) {
        if (i >= h->ncounts || n == 0)
                return;
        uint64_t w, lo = value_of(h, i, &w), hi = MIN(lo + w - 1, h->highest);
        h->counts[i] += n;
        h->total += n;
        h->sum += (long double) (lo + w / 2) * n;
        h->min = MIN(h->min, lo);
        h->max = MAX(h->max, hi);
}

uint64_t histogram_count_above(const Histogram *h, double edge)
{
        uint64_t n = 0, lo = histogram_min(h), hi = histogram_max(h);
        if (!histogram_count(h) || (double) hi <= edge)
                return 0;
        for (size_t i = histogram_bucket_index(h, (uint64_t) MAX(edge, 0.0)); i < histogram_buckets(h); i++) {
                uint64_t top, c = histogram_bucket(h, i, NULL, &top);
                if (c && (double) MAX(MIN(top, hi), lo) > edge)
                        n += c;
        }
        return n;
}
