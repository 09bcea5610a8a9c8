/* SPDX-License-Identifier: MIT */
/* The store's tests' oracle: a query's buckets against a brute force over the points it was given.
 * Header-only, after cmocka.h (support.h) and tsdb.h. */
#pragma once

#include <stdlib.h>

#include "macro.h"
#include "tsdb.h"

/* tsdb_query of [from, to) at step equals, bucket by bucket, min/max/sum/count/avg of the n points. */
static inline void assert_buckets(struct tsdb *t, int64_t series, const struct store_point *p, size_t n, int64_t from,
                                  int64_t to, int64_t step, unsigned flags) {
        struct tsdb_bucket *b;
        size_t got, k = 0;
        assert_int_equal(tsdb_query_array(t, series, from, to, step, flags, &b, &got), 0);
        /* Straight to the bucket of the first point: a range from far before it stays cheap. */
        int64_t s = from;
        if (n > 0 && p[0].t_ms > from)
                s += (p[0].t_ms - from) / step * step;
        for (; s < to; s += step) {
                struct tsdb_bucket want = { .t = s, .min = INT64_MAX, .max = INT64_MIN };
                for (size_t i = 0; i < n; i++) {
                        if (p[i].t_ms < s || p[i].t_ms >= s + step || p[i].t_ms >= to)
                                continue;
                        want.min = MIN(want.min, p[i].v);
                        want.max = MAX(want.max, p[i].v);
                        want.sum += p[i].v;
                        want.count++;
                }
                if (want.count == 0)
                        continue;
                assert_true(k < got);
                assert_int_equal(b[k].t, want.t);
                assert_int_equal(b[k].min, want.min);
                assert_int_equal(b[k].max, want.max);
                assert_int_equal(b[k].sum, want.sum);
                assert_int_equal(b[k].count, want.count);
                assert_true(b[k].avg == (double) want.sum / (double) want.count);
                k++;
        }
        assert_int_equal(k, got);
        free(b);
}
