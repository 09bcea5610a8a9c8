/* SPDX-License-Identifier: MIT */
#include "changepoint.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

typedef struct Cut {
        size_t at;
        double p;
        double strength;  /* q over the window's rank variance, to rank the cuts that are not significant */
        size_t tested[3]; /* from, at, to of the test that gave p: the same again gives the same p */
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

/* q over the window's rank variance: comparable across windows of different sizes (p is not, once
 * permutation_p has stopped early above alpha). */
static double strength(const double *x, size_t n, double q) {
        double m = 0, v = 0;
        for (size_t i = 0; i < n; i++)
                m += x[i];
        m /= (double) n;
        for (size_t i = 0; i < n; i++)
                v += (x[i] - m) * (x[i] - m);
        v /= (double) n;
        return v > 0 ? q / v : 0;
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
        c->cut[c->ncut++] = (Cut) { lo + k, p, strength(c->rank + lo, n, q), { lo, lo + k, hi } };
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

/* The statistic of splitting x[0..n) at k. */
static double split_at(const double *x, size_t n, size_t k) {
        double left = 0, total = 0;
        for (size_t i = 0; i < n; i++) {
                total += x[i];
                left += i < k ? x[i] : 0;
        }
        double d = left / (double) k - (total - left) / (double) (n - k);
        return (double) k * (double) (n - k) / (double) n * d * d;
}

/* A split found over a segment holding several shifts is pulled towards them: place each cut again
 * between its neighbours. */
static bool relocate(Ctx *c, size_t n) {
        bool moved = false;
        for (size_t i = 0; i < c->ncut; i++) {
                size_t from = i ? c->cut[i - 1].at : 0, to = i + 1 < c->ncut ? c->cut[i + 1].at : n, k = 0;
                if (best_split(c->rank + from, to - from, c->m, &k) > 0 && from + k != c->cut[i].at) {
                        c->cut[i].at = from + k;
                        moved = true;
                }
        }
        return moved;
}

/* Tests each cut again between its final neighbours, so that its p is that test's, and drops the
 * weakest one that is not significant there: a cut made while a neighbouring shift was still in its
 * segment may owe its p to that shift (Otava re-tests its changes the same way). A cut whose window
 * did not change keeps its p. */
static bool drop_weakest(Ctx *c, size_t n) {
        size_t weakest = SIZE_MAX;
        for (size_t i = 0; i < c->ncut; i++) {
                size_t from = i ? c->cut[i - 1].at : 0, to = i + 1 < c->ncut ? c->cut[i + 1].at : n;
                Cut *cut = &c->cut[i];
                if (cut->tested[0] != from || cut->tested[1] != cut->at || cut->tested[2] != to) {
                        double q = split_at(c->rank + from, to - from, cut->at - from);
                        cut->p = permutation_p(c, from, to - from, q);
                        cut->strength = strength(c->rank + from, to - from, q);
                        memcpy(cut->tested, (size_t[3]) { from, cut->at, to }, sizeof cut->tested);
                }
                if (cut->p > c->alpha && (weakest == SIZE_MAX || cut->strength < c->cut[weakest].strength))
                        weakest = i;
        }
        if (weakest == SIZE_MAX)
                return false;
        memmove(c->cut + weakest, c->cut + weakest + 1, (c->ncut - weakest - 1) * sizeof *c->cut);
        c->ncut--;
        return true;
}

static int fill(Ctx *c, size_t n, ChangePoint *ret, size_t max, size_t *ret_n) {
        Cut *cut = c->cut;
        qsort(cut, c->ncut, sizeof *cut, cmp_cut);
        /* Until nothing moves and nothing is dropped (the bound guards against a cut that swings
         * between two places); the last pass has tested every cut where it stays. */
        for (size_t pass = 0; pass < c->ncut + 8; pass++) {
                bool moved = relocate(c, n), dropped = drop_weakest(c, n);
                if (!moved && !dropped)
                        break;
        }
        while (drop_weakest(c, n)) /* after the bound: every cut kept is tested where it stays */
                ;
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
