/* SPDX-License-Identifier: MIT */
/* The pool sweep's decisions, without a server: the recommended size from the sizes' intervals and
 * an SLO, and the Universal Scalability Law fitted to the medians. */
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include "db-sweep.h"

/* A throughput interval wider than this share of its median: the repeats disagree too much to
 * rank that size against the others. */
#define WIDE_INTERVAL 0.25

/* a's median reaches b's interval, whose lower end is taken DB_SWEEP_NOISE of b's median lower:
 * repeats of a few seconds are tight on a steady workload, and a 2% gap is then "significant" but
 * no reason to open more connections. a's own interval is not enough: a wide one reaches anything. */
static bool reaches(const DbSweepPoint *a, const DbSweepPoint *b) {
        return a->median >= b->lo - DB_SWEEP_NOISE * b->median;
}

static double width_of(const DbSweepPoint *p) {
        return (p->hi - p->lo) / p->median;
}

static int best_index(const DbSweepPoint *p, size_t n) {
        int best = -1;
        for (size_t i = 0; i < n; i++)
                if (p[i].ok_repeats > 0 && isfinite(p[i].median) && (best < 0 || p[i].median > p[best].median))
                        best = (int) i;
        return best;
}

static bool too_few(const DbSweepPoint *p, size_t n, DbSweepVerdict *v) {
        for (size_t i = 0; i < n; i++)
                if (p[i].ok_repeats < DB_SWEEP_MIN_OK_REPEATS) {
                        snprintf(v->reason, sizeof v->reason,
                                 "not enough evidence: %u client%s had %u ok repeat%s (%d needed): run more --repeats",
                                 p[i].clients, p[i].clients == 1 ? "" : "s", p[i].ok_repeats,
                                 p[i].ok_repeats == 1 ? "" : "s", DB_SWEEP_MIN_OK_REPEATS);
                        return true;
                }
        return false;
}

/* The best's or the candidate's interval too wide to rank them: not enough evidence. */
static bool too_wide(const DbSweepPoint *p, DbSweepVerdict *v) {
        if (!(width_of(p) > WIDE_INTERVAL))
                return false;
        snprintf(v->reason, sizeof v->reason,
                 "not enough evidence: the throughput interval of %u client%s (%.1f-%.1f tps) is %.0f%% of its "
                 "median wide (%.0f%% at most): run more --repeats or a longer --duration",
                 p->clients, p->clients == 1 ? "" : "s", p->lo, p->hi, width_of(p) * 100, WIDE_INTERVAL * 100);
        v->enough = false;
        v->recommended = -1;
        return true;
}

void db_sweep_recommend(const DbSweepPoint *p, size_t n, double slo_p95_ms, DbSweepVerdict *ret) {
        DbSweepVerdict v = { .recommended = -1, .best = best_index(p, n) };
        if (v.best < 0) {
                snprintf(v.reason, sizeof v.reason, "not enough evidence: no size completed a run");
                *ret = v;
                return;
        }
        if (too_few(p, n, &v) || too_wide(&p[v.best], &v)) {
                *ret = v;
                return;
        }
        v.enough = true;
        for (size_t i = 0; i < n; i++) {
                bool slo_ok = slo_p95_ms <= 0 || (isfinite(p[i].p95_ms) && p[i].p95_ms <= slo_p95_ms);
                if (reaches(&p[i], &p[v.best]) && p[i].median > 0 && slo_ok &&
                    (v.recommended < 0 || p[i].clients < p[v.recommended].clients))
                        v.recommended = (int) i;
        }
        const DbSweepPoint *b = &p[v.best];
        if (v.recommended >= 0 && too_wide(&p[v.recommended], &v)) {
                *ret = v;
                return;
        }
        if (v.recommended < 0)
                snprintf(v.reason, sizeof v.reason,
                         "no size near the best throughput (%u clients, %.1f tps) meets the P95 SLO of %g ms",
                         b->clients, b->median, slo_p95_ms);
        else if (v.recommended == v.best)
                snprintf(v.reason, sizeof v.reason,
                         "%u clients gave the most throughput (%.1f tps, interval %.1f-%.1f)%s", b->clients, b->median,
                         b->lo, b->hi, slo_p95_ms > 0 ? " within the P95 SLO" : "");
        else
                snprintf(v.reason, sizeof v.reason,
                         "%u clients reach the best throughput within its interval (%.1f tps against %.1f tps at %u "
                         "clients, interval %.1f-%.1f)%s: more connections add no throughput",
                         p[v.recommended].clients, p[v.recommended].median, b->median, b->clients, b->lo, b->hi,
                         slo_p95_ms > 0 ? ", within the P95 SLO" : "");
        *ret = v;
}

double db_usl_eval(const DbUslFit *f, double n) {
        return f->lambda * n / (1 + f->sigma * (n - 1) + f->kappa * n * (n - 1));
}

/* For given sigma and kappa the best lambda is closed-form (x is linear in it): the residual sum. */
static double sse_at(const double *n, const double *x, size_t k, double sigma, double kappa, double *ret_lambda) {
        double gx = 0, gg = 0;
        for (size_t i = 0; i < k; i++) {
                double g = n[i] / (1 + sigma * (n[i] - 1) + kappa * n[i] * (n[i] - 1));
                gx += g * x[i];
                gg += g * g;
        }
        double lambda = gx / gg, sse = 0;
        for (size_t i = 0; i < k; i++) {
                double d = x[i] - lambda * n[i] / (1 + sigma * (n[i] - 1) + kappa * n[i] * (n[i] - 1));
                sse += d * d;
        }
        *ret_lambda = lambda;
        return sse;
}

/* A grid over sigma in [0, 1] and kappa in [0, 1] (0 and log steps), then a shrinking pattern
 * search around the best point: deterministic, and no starting guess to get wrong. */
static double grid_value(int i) {
        return i == 0 ? 0 : pow(10, -6 + 6.0 * (i - 1) / 59);
}

static int check_points(const double *n, const double *x, size_t k) {
        size_t distinct = 0;
        for (size_t i = 0; i < k; i++) {
                if (!(isfinite(n[i]) && n[i] >= 1 && isfinite(x[i]) && x[i] > 0))
                        return -EINVAL;
                bool seen = false;
                for (size_t j = 0; j < i; j++)
                        seen = seen || n[j] == n[i];
                distinct += !seen;
        }
        return distinct >= 4 ? 0 : -EINVAL;
}

int db_usl_fit(const double *n, const double *x, size_t k, DbUslFit *ret) {
        if (check_points(n, x, k) < 0)
                return -EINVAL;
        double best_s = 0, best_k = 0, lambda, best = sse_at(n, x, k, 0, 0, &lambda);
        for (int i = 0; i <= 60; i++)
                for (int j = 0; j <= 60; j++) {
                        double l, e = sse_at(n, x, k, grid_value(i), grid_value(j), &l);
                        if (e < best)
                                best = e, best_s = grid_value(i), best_k = grid_value(j);
                }
        for (double step = 0.1; step > 1e-9; step /= 2)
                for (bool moved = true; moved;) {
                        moved = false;
                        static const int dirs[4][2] = { { 1, 0 }, { -1, 0 }, { 0, 1 }, { 0, -1 } };
                        for (int d = 0; d < 4; d++) {
                                double s = fmax(0, best_s + dirs[d][0] * step * fmax(best_s, 1e-6) * 10),
                                       q = fmax(0, best_k + dirs[d][1] * step * fmax(best_k, 1e-8) * 10), l;
                                double e = sse_at(n, x, k, s, q, &l);
                                if (e < best * (1 - 1e-12))
                                        best = e, best_s = s, best_k = q, moved = true;
                        }
                }
        double mean = 0, sst = 0;
        for (size_t i = 0; i < k; i++)
                mean += x[i] / (double) k;
        for (size_t i = 0; i < k; i++)
                sst += (x[i] - mean) * (x[i] - mean);
        sse_at(n, x, k, best_s, best_k, &lambda);
        *ret = (DbUslFit) { .lambda = lambda,
                            .sigma = best_s,
                            .kappa = best_k,
                            .r2 = sst > 0 ? 1 - best / sst : (best < 1e-12 ? 1 : 0),
                            .peak_clients = best_k > 0 && best_s < 1 ? sqrt((1 - best_s) / best_k) : NAN };
        return 0;
}
