/* SPDX-License-Identifier: MIT */
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

static uint64_t splitmix64(uint64_t *x) {
        uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
        z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
        return z ^ (z >> 31);
}

void stats_rng_seed(StatsRng *rng, uint64_t seed) {
        for (size_t i = 0; i < 4; i++)
                rng->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k) {
        return (x << k) | (x >> (64 - k));
}

uint64_t stats_rng_next(StatsRng *rng) {
        uint64_t *s = rng->s;
        uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = rotl(s[3], 45);
        return result;
}

double stats_rng_uniform(StatsRng *rng) {
        return (double) (stats_rng_next(rng) >> 11) * 0x1.0p-53;
}

uint64_t stats_rng_below(StatsRng *rng, uint64_t n) {
        /* Reject the top partial block so every residue is equally likely. */
        uint64_t limit = UINT64_MAX - UINT64_MAX % n;
        for (;;) {
                uint64_t x = stats_rng_next(rng);
                if (x < limit)
                        return x % n;
        }
}

double stats_rng_exponential(StatsRng *rng, double mean) {
        /* 1 - U lies in (0, 1], so the logarithm is finite. */
        return -mean * log(1.0 - stats_rng_uniform(rng));
}

double stats_rng_gauss(StatsRng *rng) {
        double u1 = stats_rng_uniform(rng), u2 = stats_rng_uniform(rng);
        return sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * M_PI * u2); /* 1 - U1 in (0, 1]: a finite log */
}

static int cmp_double(const void *x, const void *y) {
        double a = *(const double *) x, b = *(const double *) y;
        return (a > b) - (a < b);
}

static double sorted_median(const double *s, size_t n) {
        return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

double stats_median(const double *v, size_t n) {
        if (n == 0)
                return NAN;
        _cleanup_free_ double *s = malloc(n * sizeof(double));
        if (!s)
                return NAN;
        memcpy(s, v, n * sizeof(double));
        qsort(s, n, sizeof(double), cmp_double);
        return sorted_median(s, n);
}

double stats_mad(const double *v, size_t n) {
        if (n == 0)
                return NAN;
        double m = stats_median(v, n);
        _cleanup_free_ double *d = malloc(n * sizeof(double));
        if (!d)
                return NAN;
        for (size_t i = 0; i < n; i++)
                d[i] = fabs(v[i] - m);
        return 1.4826 * stats_median(d, n);
}

double stats_normal_sf(double z) {
        return 0.5 * erfc(z / M_SQRT2);
}

typedef struct Ranked {
        double v;
        bool from_a;
} Ranked;

static int cmp_ranked(const void *x, const void *y) {
        return cmp_double(&((const Ranked *) x)->v, &((const Ranked *) y)->v);
}

/* Rank-sum of A (average ranks for ties) and the tie term sum(t^3 - t). */
static int rank_sum(const double *a, size_t na, const double *b, size_t nb, double *ret_w, double *ret_ties) {
        size_t n = na + nb;
        _cleanup_free_ Ranked *r = malloc(n * sizeof(Ranked));
        if (!r)
                return -ENOMEM;
        for (size_t i = 0; i < na; i++) {
                if (isnan(a[i]))
                        return -EINVAL;
                r[i] = (Ranked) { a[i], true };
        }
        for (size_t i = 0; i < nb; i++) {
                if (isnan(b[i]))
                        return -EINVAL;
                r[na + i] = (Ranked) { b[i], false };
        }
        qsort(r, n, sizeof(Ranked), cmp_ranked);
        double w = 0, ties = 0;
        for (size_t i = 0; i < n;) {
                size_t j = i;
                while (j < n && r[j].v == r[i].v)
                        j++;
                double t = (double) (j - i), rank = (double) (i + 1 + j) / 2; /* mean of i+1 .. j */
                for (size_t k = i; k < j; k++)
                        if (r[k].from_a)
                                w += rank;
                ties += t * t * t - t;
                i = j;
        }
        *ret_w = w;
        *ret_ties = ties;
        return 0;
}

/* Exact null distribution of U for sizes m and n without ties: the number of m-subsets of the ranks
 * 1..m+n by rank sum, counted by dynamic programming; then P(U <= u) and P(U >= u). */
static int exact_tails(size_t m, size_t n, double u, double *ret_le, double *ret_ge) {
        size_t total = m + n, maxsum = total * (total + 1) / 2;
        _cleanup_free_ double *dp = calloc((m + 1) * (maxsum + 1), sizeof(double));
        if (!dp)
                return -ENOMEM;
#define DP(j, s) dp[(j) * (maxsum + 1) + (s)]
        DP(0, 0) = 1;
        for (size_t k = 1; k <= total; k++)
                for (size_t j = MIN(k, m); j >= 1; j--)
                        for (size_t s = maxsum; s >= k; s--)
                                DP(j, s) += DP(j - 1, s - k);
        double all = 0, le = 0, ge = 0, base = (double) (m * (m + 1) / 2);
        for (size_t s = 0; s <= maxsum; s++) {
                double c = DP(m, s);
                if (c == 0)
                        continue;
                double us = (double) s - base;
                all += c;
                if (us <= u + 1e-9)
                        le += c;
                if (us >= u - 1e-9)
                        ge += c;
        }
#undef DP
        *ret_le = le / all;
        *ret_ge = ge / all;
        return 0;
}

static int mann_whitney(const double *a, size_t na, const double *b, size_t nb, bool allow_exact, MannWhitney *ret) {
        if (na == 0 || nb == 0)
                return -EINVAL;
        double w, ties;
        int r = rank_sum(a, na, b, nb, &w, &ties);
        if (r < 0)
                return r;
        double m = (double) na, n = (double) nb, total = m + n;
        MannWhitney mw = {
                .u_a = w - m * (m + 1) / 2,
                .ties = ties > 0,
        };
        mw.u_b = m * n - mw.u_a;
        if (allow_exact && !mw.ties && na + nb <= STATS_MWU_EXACT_MAX) {
                double le, ge;
                r = exact_tails(na, nb, mw.u_a, &le, &ge);
                if (r < 0)
                        return r;
                mw.exact = true;
                mw.p = MIN(1.0, 2 * MIN(le, ge));
        } else {
                double mu = m * n / 2;
                double var = m * n / 12 * ((total + 1) - ties / (total * (total - 1)));
                if (var <= 0) {
                        mw.p = 1; /* every value is the same */
                } else {
                        mw.z = (fabs(mw.u_a - mu) - 0.5) / sqrt(var);
                        mw.p = MIN(1.0, 2 * stats_normal_sf(mw.z));
                }
        }
        *ret = mw;
        return 0;
}

int stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb, MannWhitney *ret) {
        return mann_whitney(a, na, b, nb, true, ret);
}

int stats_mann_whitney_asymptotic(const double *a, size_t na, const double *b, size_t nb, MannWhitney *ret) {
        return mann_whitney(a, na, b, nb, false, ret);
}

/* One side of a bootstrap, sorted once: each resample counts how often it drew each rank and finds
 * its middle order statistics from the cumulative counts, O(n) instead of sorting the resample.
 * Draws are of the original index (so a seed gives the same resamples as drawing values), mapped
 * to its rank. */
typedef struct Side {
        const double *v;
        size_t n;
        double *sorted;
        size_t *rank; /* rank[i]: where v[i] is in sorted */
        unsigned *counts;
} Side;

static int cmp_index(const void *x, const void *y, void *userdata) {
        const double *v = userdata;
        double a = v[*(const size_t *) x], b = v[*(const size_t *) y];
        return a < b ? -1 : a > b;
}

static int side_init(Side *s, const double *v, size_t n) {
        *s = (Side) { .v = v, .n = n };
        _cleanup_free_ size_t *order = malloc(n * sizeof(size_t));
        s->sorted = malloc(n * sizeof(double));
        s->rank = malloc(n * sizeof(size_t));
        s->counts = malloc(n * sizeof(unsigned));
        if (!order || !s->sorted || !s->rank || !s->counts)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                order[i] = i;
        qsort_r(order, n, sizeof(size_t), cmp_index, (void *) v);
        for (size_t r = 0; r < n; r++) {
                s->sorted[r] = v[order[r]];
                s->rank[order[r]] = r;
        }
        return 0;
}

static void side_done(Side *s) {
        free(s->sorted);
        free(s->rank);
        free(s->counts);
}

static double resampled_median(StatsRng *rng, Side *s) {
        size_t n = s->n, lo_k = (n - 1) / 2, hi_k = n / 2, cum = 0;
        memset(s->counts, 0, n * sizeof(unsigned));
        for (size_t i = 0; i < n; i++)
                s->counts[s->rank[stats_rng_below(rng, n)]]++;
        double lo = NAN;
        for (size_t r = 0; r < n; r++) {
                cum += s->counts[r];
                if (isnan(lo) && cum > lo_k)
                        lo = s->sorted[r];
                if (cum > hi_k)
                        return n % 2 ? s->sorted[r] : (lo + s->sorted[r]) / 2;
        }
        return NAN;
}

/* Quantile of sorted values with linear interpolation between order statistics. */
static double sorted_quantile(const double *s, size_t n, double q) {
        double h = q * (double) (n - 1);
        size_t lo = (size_t) floor(h);
        if (lo + 1 >= n)
                return s[n - 1];
        double frac = h - (double) lo;
        if (frac == 0 || s[lo] == s[lo + 1])
                return s[lo]; /* also keeps INFINITY out of 0 x inf */
        return s[lo] + frac * (s[lo + 1] - s[lo]);
}

int stats_bootstrap_ratio_ci(const double *a, size_t na, const double *b, size_t nb, double level, unsigned resamples,
                             uint64_t seed, double *ret_lo, double *ret_hi) {
        if (na == 0 || nb == 0 || resamples == 0 || !(level > 0 && level < 1))
                return -EINVAL;
        _cleanup_free_ double *ratios = malloc(resamples * sizeof(double));
        Side sa, sb;
        int r = side_init(&sa, a, na);
        if (r == 0)
                r = side_init(&sb, b, nb);
        else
                sb = (Side) {};
        if (!ratios)
                r = -ENOMEM;
        StatsRng rng;
        stats_rng_seed(&rng, seed);
        for (unsigned i = 0; r == 0 && i < resamples; i++) {
                double ma = resampled_median(&rng, &sa);
                double mb = resampled_median(&rng, &sb);
                if (isnan(ma) || isnan(mb) || (ma < 0) != (mb < 0) || (ma == 0 && mb < 0))
                        r = -EDOM;
                /* A baseline that did nothing (a failed round counts 0): any work is an infinite gain. */
                else
                        ratios[i] = ma != 0 ? mb / ma : mb > 0 ? INFINITY : 1;
        }
        side_done(&sa);
        side_done(&sb);
        if (r < 0)
                return r;
        qsort(ratios, resamples, sizeof(double), cmp_double);
        *ret_lo = sorted_quantile(ratios, resamples, (1 - level) / 2);
        *ret_hi = sorted_quantile(ratios, resamples, 1 - (1 - level) / 2);
        return 0;
}

/* 1 - 2 P(Bin(n, 1/2) < j): the chance that [x(j), x(n+1-j)] holds the true median. */
static double order_coverage(size_t n, size_t j) {
        double c = 1, tail = 0; /* C(n, i), exact in a double up to n = 50 and close beyond */
        for (size_t i = 0; i < j; i++) {
                tail += c;
                c = c * (double) (n - i) / (double) (i + 1);
        }
        return 1 - 2 * tail / pow(2, (double) n);
}

int stats_median_order_ci(const double *v, size_t n, double level, double *ret_lo, double *ret_hi, double *ret_level) {
        if (n == 0 || !(level > 0 && level < 1))
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (isnan(v[i]))
                        return -EINVAL;
        _cleanup_free_ double *s = malloc(n * sizeof(double));
        if (!s)
                return -ENOMEM;
        memcpy(s, v, n * sizeof(double));
        qsort(s, n, sizeof(double), cmp_double);
        size_t j = 1;
        while (2 * (j + 1) <= n + 1 && order_coverage(n, j + 1) >= level)
                j++;
        *ret_lo = s[j - 1];
        *ret_hi = s[n - j];
        *ret_level = n == 1 ? 0 : order_coverage(n, j);
        return 0;
}

const char *verdict_to_string(Verdict v) {
        static const char *const names[] = {
                [VERDICT_INCONCLUSIVE] = "inconclusive",
                [VERDICT_UNCHANGED] = "unchanged",
                [VERDICT_IMPROVED] = "improved",
                [VERDICT_REGRESSED] = "regressed",
        };
        return (size_t) v < ELEMENTSOF(names) ? names[v] : "unknown";
}

/* Rounds per side for 80 % power at two-sided alpha 0.05 to see a relative change `delta` when the
 * coefficient of variation is cv: n = 2 (z_0.975 + z_0.8)^2 cv^2 / delta^2. */
static double rounds_for_power(double cv, double delta) {
        const double z = 1.959964 + 0.841621;
        return 2 * z * z * cv * cv / (delta * delta);
}

static CompareOptions compare_defaults(const CompareOptions *opts) {
        CompareOptions o = opts ? *opts : (CompareOptions) { .higher_is_better = true };
        if (o.alpha <= 0)
                o.alpha = 0.05;
        if (o.noise <= 0)
                o.noise = 0.02;
        if (o.min_rounds == 0)
                o.min_rounds = 5;
        if (o.resamples == 0)
                o.resamples = 10000;
        if (o.level <= 0)
                o.level = 0.95;
        return o;
}

void stats_decide(Comparison *c, const CompareOptions *opts, double p) {
        CompareOptions o = compare_defaults(opts);
        size_t nmin = MIN(c->na, c->nb);
        /* Rounds for 80 % power to tell the estimate from the nearer edge of the noise band: when the
         * interval already excludes "no change", the estimate only has to be placed beyond the
         * band's edge; otherwise within +-threshold. */
        bool directed = !isnan(c->ci_lo) && (c->ci_lo > 1 || c->ci_hi < 1) && !isnan(c->ratio);
        double dist = directed ? MAX(c->threshold, fabs(c->ratio - 1) - c->threshold) : c->threshold;
        double need = isnan(c->cv) ? 0 : ceil(rounds_for_power(c->cv, dist));
        c->verdict = VERDICT_INCONCLUSIVE;
        c->more_rounds = 0;
        if (nmin < o.min_rounds) {
                c->more_rounds = (unsigned) MIN(MAX((double) (o.min_rounds - nmin), need - (double) nmin), 100000.0);
        } else if (isnan(c->ci_lo)) {
                c->more_rounds = 0; /* no ratio: nothing more rounds would fix */
        } else if (c->ci_lo >= 1 - (c->threshold - c->margin) && c->ci_hi <= 1 + (c->threshold - c->margin)) {
                c->verdict = VERDICT_UNCHANGED;
        } else if (p < o.alpha && (c->ci_lo > 1 + c->threshold || c->ci_hi < 1 - c->threshold)) {
                bool up = c->ci_lo > 1 + c->threshold;
                c->verdict = up == o.higher_is_better ? VERDICT_IMPROVED : VERDICT_REGRESSED;
        } else if (c->ci_lo > 1 + c->threshold || c->ci_hi < 1 - c->threshold) {
                /* The change is clearly beyond the noise, only p is not small enough (few rounds, or
                 * an adjustment for many metrics). Each extra round a side divides the p-value of
                 * well-separated samples by about 3.5 (exact U test: 2/C(2n,n)); the power for the
                 * observed change bounds it from the other side. */
                double by_p = isnan(p) || p <= 0 ? 1 : ceil(log(p / o.alpha) / log(3.5));
                double effect = fabs(c->ratio - 1);
                double by_power =
                        isnan(c->cv) || !(effect > 0) ? 0 : ceil(rounds_for_power(c->cv, effect)) - (double) nmin;
                c->more_rounds = (unsigned) MIN(MAX(MAX(by_p, by_power), 1.0), 100000.0);
        } else {
                double more = need - (double) nmin;
                c->more_rounds = more >= 1 ? (unsigned) MIN(more, 100000.0) : (unsigned) MAX(nmin / 2, 1);
        }
}

int stats_compare(const double *a, size_t na, const double *b, size_t nb, const CompareOptions *opts, Comparison *ret) {
        CompareOptions o = compare_defaults(opts);
        Comparison c = {
                .na = na,
                .nb = nb,
                .median_a = stats_median(a, na),
                .median_b = stats_median(b, nb),
                .ci_lo = NAN,
                .ci_hi = NAN,
                .ratio = NAN,
                .cv = NAN,
                .threshold = MAX(o.noise, o.aa_spread) + (o.margin > 0 ? o.margin : 0),
                .margin = o.margin > 0 ? o.margin : 0,
                .mwu = { .p = NAN },
        };
        if (na > 0 && nb > 0) {
                int r = stats_mann_whitney(a, na, b, nb, &c.mwu);
                if (r < 0)
                        return r;
                if (c.median_a != 0)
                        c.ratio = c.median_b / c.median_a;
                else if (c.median_b >= 0)
                        c.ratio = c.median_b > 0 ? INFINITY : 1;
                r = stats_bootstrap_ratio_ci(a, na, b, nb, o.level, o.resamples, o.seed, &c.ci_lo, &c.ci_hi);
                if (r < 0 && r != -EDOM)
                        return r;
                if (c.median_a != 0 && c.median_b != 0)
                        c.cv = (stats_mad(a, na) / fabs(c.median_a) + stats_mad(b, nb) / fabs(c.median_b)) / 2;
        }
        stats_decide(&c, &o, c.mwu.p);
        *ret = c;
        return 0;
}

static int cmp_index_by_p(const void *x, const void *y, void *arg) {
        const double *p = arg;
        double a = p[*(const size_t *) x], b = p[*(const size_t *) y];
        return (a > b) - (a < b);
}

int stats_holm(const double *p, size_t n, double *ret) {
        _cleanup_free_ size_t *idx = malloc((n ? n : 1) * sizeof(size_t));
        if (!idx)
                return -ENOMEM;
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
                ret[i] = NAN;
                if (!isnan(p[i]))
                        idx[m++] = i;
        }
        qsort_r(idx, m, sizeof(size_t), cmp_index_by_p, (void *) p);
        double running = 0;
        for (size_t k = 0; k < m; k++) {
                /* The k-th smallest is multiplied by the number of hypotheses still open; adjusted
                 * p-values never decrease along the order. */
                running = MAX(running, MIN(1.0, (double) (m - k) * p[idx[k]]));
                ret[idx[k]] = running;
        }
        return 0;
}

double stats_pair_margin(const double *a, const double *b, size_t n) {
        _cleanup_free_ double *d = malloc((n ? n : 1) * sizeof(double));
        if (!d)
                return NAN;
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
                if (!isnan(a[i]) && !isnan(b[i]))
                        d[k++] = fabs(b[i] - a[i]);
        return k ? stats_median(d, k) : 0;
}

double stats_aa_spread(const Comparison *aa) {
        if (isnan(aa->ci_lo) || isnan(aa->ci_hi))
                return NAN;
        return MAX(aa->ci_hi - 1, 1 - aa->ci_lo);
}
