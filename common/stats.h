/* SPDX-License-Identifier: MIT */
/* Statistics for comparing two sets of per-round samples (baseline A, candidate B): a seeded PRNG,
 * medians, the two-sided Mann-Whitney U test, a bootstrap confidence interval of the ratio of
 * medians and a verdict (improved / regressed / unchanged / inconclusive) against a noise threshold.
 * One sample is one round of a probe (one run), never one request: requests inside a run are
 * correlated and would give absurdly small p-values. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* xoshiro256** seeded through splitmix64: deterministic for a seed, fast, good enough for
 * resampling and arrival schedules (not for secrets). */
typedef struct StatsRng {
        uint64_t s[4];
} StatsRng;

void stats_rng_seed(StatsRng *rng, uint64_t seed);
uint64_t stats_rng_next(StatsRng *rng);
/* Uniform in [0, 1) with 53 random bits. */
double stats_rng_uniform(StatsRng *rng);
/* Uniform integer in [0, n) without modulo bias; n > 0. */
uint64_t stats_rng_below(StatsRng *rng, uint64_t n);
/* Exponentially distributed with the given mean (inter-arrival times of a Poisson process). */
double stats_rng_exponential(StatsRng *rng, double mean);
/* Standard normal (mean 0, deviation 1): Box-Muller, one of the pair per call (two uniforms), for
 * seeded synthetic noise in the tests and benchmarks. */
double stats_rng_gauss(StatsRng *rng);

/* Median of n values (NAN when n == 0); the input is not changed. */
double stats_median(const double *v, size_t n);
/* Median absolute deviation scaled by 1.4826 (a robust standard deviation); NAN when n == 0. */
double stats_mad(const double *v, size_t n);
/* Standard normal upper tail P(Z > z). */
double stats_normal_sf(double z);

typedef struct MannWhitney {
        double u_a; /* U of sample A: pairs (a, b) with a > b, ties count one half */
        double u_b; /* n_a * n_b - u_a */
        double z;   /* normal approximation (0 when exact) */
        double p;   /* two-sided p-value */
        bool exact; /* p from the exact null distribution (no ties, small samples) */
        bool ties;
} MannWhitney;

/* Largest n_a + n_b for which the exact distribution is used (when there are no ties). */
#define STATS_MWU_EXACT_MAX 50

/* Two-sided Mann-Whitney U test. Exact p-value when there are no ties and n_a + n_b <=
 * STATS_MWU_EXACT_MAX, else the normal approximation with tie and continuity corrections. NAN values
 * are not allowed (-EINVAL); -EINVAL also for an empty side. */
int stats_mann_whitney(const double *a, size_t na, const double *b, size_t nb, MannWhitney *ret);
/* Same, always with the normal approximation (for comparison with published tables). */
int stats_mann_whitney_asymptotic(const double *a, size_t na, const double *b, size_t nb, MannWhitney *ret);

/* Percentile bootstrap confidence interval of median(b) / median(a): `resamples` resamples of each
 * side with replacement from a PRNG seeded with `seed`. A resample whose median of A is 0 gives
 * +inf when B's is positive (a baseline that did nothing) and 1 when it is 0 too. -EDOM when the
 * signs differ (a ratio has no meaning then). */
int stats_bootstrap_ratio_ci(const double *a, size_t na, const double *b, size_t nb, double level, unsigned resamples,
                             uint64_t seed, double *ret_lo, double *ret_hi);

/* Distribution-free interval of the median of v (e.g. one setting's throughput over its repeats):
 * the order statistics [x(j), x(n+1-j)] with the largest j whose coverage 1 - 2 P(Bin(n, 1/2) < j)
 * is at least `level`; with too few values for that, the range, whose coverage (75% for three
 * values, 94% for five) is what *ret_level says. */
int stats_median_order_ci(const double *v, size_t n, double level, double *ret_lo, double *ret_hi, double *ret_level);

typedef enum Verdict {
        VERDICT_INCONCLUSIVE,
        VERDICT_UNCHANGED,
        VERDICT_IMPROVED,
        VERDICT_REGRESSED,
} Verdict;

const char *verdict_to_string(Verdict v);

typedef struct CompareOptions {
        bool higher_is_better; /* throughput: true; latency: false */
        double alpha;          /* significance level; 0 means 0.05 */
        double noise;          /* relative noise floor; 0 means 0.02 (2 %) */
        double aa_spread;      /* relative spread measured by an A/A run; used when larger than noise */
        double margin;         /* added to the threshold for a measured disturbance (contamination), >= 0 */
        unsigned min_rounds;   /* per side; 0 means 5 */
        unsigned resamples;    /* bootstrap resamples; 0 means 10000 */
        uint64_t seed;         /* bootstrap seed; the same data and seed give the same interval */
        double level;          /* confidence level; 0 means 0.95 */
} CompareOptions;

typedef struct Comparison {
        size_t na, nb;
        double median_a, median_b;
        double ratio;        /* median_b / median_a */
        double ci_lo, ci_hi; /* bootstrap interval of the ratio (NAN when there is none) */
        double threshold;    /* relative threshold used: max(noise, aa_spread) + margin */
        double margin;       /* the part of it from a measured disturbance: an interval must clear it to
                                 * be improved/regressed, but "unchanged" is judged without it */
        double cv;           /* robust coefficient of variation (MAD / median), mean of both sides */
        MannWhitney mwu;
        Verdict verdict;
        unsigned more_rounds; /* when inconclusive: estimated extra rounds per side (0 if unknown) */
} Comparison;

/* Compare candidate B with baseline A.
 *  improved/regressed: p < alpha and the whole interval lies beyond 1 +- threshold in one direction;
 *  unchanged:          the whole interval lies within 1 +- (threshold - margin) (any change is below
 *                      the noise);
 *  inconclusive:       fewer than min_rounds on a side, or neither of the above; more_rounds then
 *                      estimates how many extra rounds per side could decide (power 80 %, from the
 *                      robust coefficient of variation and the threshold). */
int stats_compare(const double *a, size_t na, const double *b, size_t nb, const CompareOptions *opts, Comparison *ret);

/* Decide (again) with the p-value p, e.g. one adjusted for many metrics: sets verdict and more_rounds
 * from the comparison's interval, threshold and cv. */
void stats_decide(Comparison *c, const CompareOptions *opts, double p);

/* Holm-Bonferroni step-down adjustment of n p-values (NAN stays NAN, and is not counted). */
int stats_holm(const double *p, size_t n, double *ret);

/* How much a disturbance shared unevenly by paired rounds could move a ratio: the median over the
 * pairs of |b[i] - a[i]| (e.g. the foreign CPU share of the machine in the candidate and the baseline
 * round of pair i). Pairs with a NAN are skipped; 0 when none is left. Load that hits both rounds of
 * a pair alike (a busy host, steadily) adds nothing; load that comes and goes adds its size. */
double stats_pair_margin(const double *a, const double *b, size_t n);

/* The relative spread an A/A comparison shows: how far its interval reaches from 1. */
double stats_aa_spread(const Comparison *aa);
