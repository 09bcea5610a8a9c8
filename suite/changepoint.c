/* SPDX-License-Identifier: MIT */
#include "changepoint.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

typedef struct Cut {
        size_t at;
        double p;
} Cut;

typedef struct Ctx {
        const double *v;
        double *rank;    /* ranks of v over the whole series (ties get the mean rank) */
        double *scratch; /* a permuted copy of one segment */
        Cut *cut;        /* accepted changes */
        size_t ncut;
        size_t m;
        double alpha;
        unsigned perms;
        StatsRng rng;
} Ctx;

static int cmp_idx(const void *a, const void *b, void *arg) {
        const double *v = arg;
        double x = v[*(const size_t *) a], y = v[*(const size_t *) b];
        return (x > y) - (x < y);
}

static int ranks(const double *v, size_t n, double *ret) {
        size_t *idx = malloc(n * sizeof *idx);
        if (!idx)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                idx[i] = i;
        qsort_r(idx, n, sizeof *idx, cmp_idx, (void *) v);
        for (size_t i = 0; i < n;) {
                size_t j = i;
                while (j + 1 < n && v[idx[j + 1]] == v[idx[i]])
                        j++;
                for (size_t k = i; k <= j; k++)
                        ret[idx[k]] = (double) (i + j) / 2.0 + 1.0;
                i = j + 1;
        }
        free(idx);
        return 0;
}

/* Best split of x[0..n) leaving at least m on each side; returns its statistic. */
static double best_split(const double *x, size_t n, size_t m, size_t *ret_k) {
        double total = 0, left = 0, best = -1;
        for (size_t i = 0; i < n; i++)
                total += x[i];
        for (size_t k = 1; k < n; k++) {
                left += x[k - 1];
                if (k < m || n - k < m)
                        continue;
                double d = left / (double) k - (total - left) / (double) (n - k);
                double q = (double) k * (double) (n - k) / (double) n * d * d;
                if (q > best) {
                        best = q;
                        *ret_k = k;
                }
        }
        return best;
}

static double permutation_p(Ctx *c, size_t lo, size_t n, double observed) {
        unsigned ge = 0;
        memcpy(c->scratch, c->rank + lo, n * sizeof *c->scratch);
        for (unsigned p = 0; p < c->perms; p++) {
                for (size_t i = n - 1; i > 0; i--) {
                        size_t j = (size_t) stats_rng_below(&c->rng, i + 1);
                        double t = c->scratch[i];
                        c->scratch[i] = c->scratch[j];
                        c->scratch[j] = t;
                }
                size_t k;
                if (best_split(c->scratch, n, c->m, &k) >= observed)
                        ge++;
                /* Already not significant: the rest cannot change the verdict (the p returned is
                 * then only a lower bound, and is not reported). */
                if ((double) (ge + 1) > c->alpha * (double) (c->perms + 1))
                        break;
        }
        return (double) (ge + 1) / (double) (c->perms + 1);
}

static void segment(Ctx *c, size_t lo, size_t hi) {
        size_t n = hi - lo, k = 0;
        if (n < 2 * c->m)
                return;
        double q = best_split(c->rank + lo, n, c->m, &k);
        if (q <= 0)
                return;
        double p = permutation_p(c, lo, n, q);
        if (p > c->alpha)
                return;
        c->cut[c->ncut++] = (Cut) { lo + k, p };
        segment(c, lo, lo + k);
        segment(c, lo + k, hi);
}

static double mean(const double *v, size_t lo, size_t hi) {
        double s = 0;
        for (size_t i = lo; i < hi; i++)
                s += v[i];
        return s / (double) (hi - lo);
}

static int cmp_cut(const void *a, const void *b) {
        size_t x = ((const Cut *) a)->at, y = ((const Cut *) b)->at;
        return (x > y) - (x < y);
}

static int fill(const Ctx *c, size_t n, ChangePoint *ret, size_t max, size_t *ret_n) {
        Cut *cut = c->cut;
        qsort(cut, c->ncut, sizeof *cut, cmp_cut);
        /* A split found over a segment holding several shifts is pulled towards them: place each
         * cut again between its neighbours. */
        for (size_t i = 0; i < c->ncut; i++) {
                size_t from = i ? cut[i - 1].at : 0, to = i + 1 < c->ncut ? cut[i + 1].at : n, k = 0;
                if (best_split(c->rank + from, to - from, c->m, &k) > 0)
                        cut[i].at = from + k;
        }
        size_t out = 0;
        for (size_t i = 0; i < c->ncut && out < max; i++) {
                size_t from = i ? cut[i - 1].at : 0, to = i + 1 < c->ncut ? cut[i + 1].at : n;
                ChangePoint *cp = &ret[out++];
                cp->index = cut[i].at;
                cp->mean_before = mean(c->v, from, cut[i].at);
                cp->mean_after = mean(c->v, cut[i].at, to);
                cp->magnitude = cp->mean_before != 0 ? (cp->mean_after - cp->mean_before) / fabs(cp->mean_before)
                                                     : (cp->mean_after == 0 ? 0 : INFINITY);
                cp->p = cut[i].p;
        }
        *ret_n = out;
        return c->ncut > max ? -E2BIG : 0;
}

int changepoint_detect(const double *v, size_t n, const ChangePointOptions *o, ChangePoint *ret, size_t max,
                       size_t *ret_n) {
        if (!v || !ret_n || (max && !ret))
                return -EINVAL;
        *ret_n = 0;
        for (size_t i = 0; i < n; i++)
                if (isnan(v[i]))
                        return -EINVAL;
        Ctx c = { .v = v,
                  .m = o && o->min_segment ? o->min_segment : CHANGEPOINT_MIN_SEGMENT,
                  .alpha = o && o->alpha > 0 ? o->alpha : 0.005,
                  .perms = o && o->permutations ? o->permutations : 999 };
        if (n < 2 * c.m)
                return 0;
        stats_rng_seed(&c.rng, o ? o->seed : 0);
        size_t maxcuts = n / c.m + 1;
        c.rank = malloc(n * sizeof *c.rank);
        c.scratch = malloc(n * sizeof *c.scratch);
        c.cut = malloc(maxcuts * sizeof *c.cut);
        int r = -ENOMEM;
        if (c.rank && c.scratch && c.cut && (r = ranks(v, n, c.rank)) == 0) {
                segment(&c, 0, n);
                r = fill(&c, n, ret, max, ret_n);
        }
        free(c.rank);
        free(c.scratch);
        free(c.cut);
        return r;
}
