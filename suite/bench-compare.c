/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench-compare.h"
#include "fingerprint.h"
#include "json-util.h"
#include "macro.h"
#include "schema.h"
#include "stats.h"

#define COMPARE_METRICS_MAX 4096

/* One metric of a benchmark present in both runs. */
typedef struct Pair {
        const char *bench;
        const json_t *ma, *mb;
        double *a, *b;
        size_t na, nb;
        CompareOptions opts;
        Comparison c;
        double p_adj;
        bool has_aa;
        double aa;    /* the A/A spread: NAN when no A/A run was given or it has no figure for the metric */
        size_t tests; /* how many metrics Holm's correction counts */
} Pair;

static const char *str(const json_t *o, const char *key) {
        return json_string_value(json_object_get(o, key));
}

static const json_t *find_named(const json_t *array, const char *name) {
        size_t i;
        const json_t *x;
        json_array_foreach(array, i, x)
                if (name && str(x, "name") && strcmp(str(x, "name"), name) == 0)
                        return x;
        return NULL;
}

static double *finite_samples(const json_t *m, size_t *ret_n) {
        return json_finite_numbers(json_object_get(m, "samples"), ret_n);
}

/* The hard fields that differ, and each common benchmark's config digest: as "field" entries. */
static json_t *hard_differences(const json_t *a, const json_t *b) {
        json_t *diff = fingerprint_diff(json_object_get(a, "fingerprint"), json_object_get(b, "fingerprint"), "hard");
        size_t i;
        const json_t *ba;
        json_array_foreach(json_object_get(a, "benchmarks"), i, ba) {
                const json_t *bb = find_named(json_object_get(b, "benchmarks"), str(ba, "name"));
                if (bb && !json_equal(json_object_get(ba, "config_digest"), json_object_get(bb, "config_digest"))) {
                        char field[256];
                        snprintf(field, sizeof(field), "config_digest of %s", str(ba, "name") ?: "?");
                        json_array_append_new(diff,
                                              json_pack("{s:s, s:O, s:O}", "field", field, "a",
                                                        json_object_get(ba, "config_digest"), "b",
                                                        json_object_get(bb, "config_digest")));
                }
        }
        return diff;
}

static int refuse(const char *what, const json_t *diff, Error *e) {
        char names[1024] = "";
        size_t i;
        const json_t *d;
        json_array_foreach(diff, i, d) {
                char one[300];
                snprintf(one, sizeof(one), "%s%s ('%s' vs '%s')", i ? ", " : "", str(d, "field") ?: "?",
                         json_is_string(json_object_get(d, "a")) ? str(d, "a") : "-",
                         json_is_string(json_object_get(d, "b")) ? str(d, "b") : "-");
                strncat(names, one, sizeof(names) - strlen(names) - 1);
        }
        return error_set(e, -EXDEV,
                         "%s differ in hard fingerprint fields: %s; they are not comparable (--force "
                         "compares them anyway)",
                         what, names);
}

/* The A/A spread of one metric: how far an A-against-A interval reaches from 1. */
static double aa_spread(const json_t *aa, const char *bench, const Pair *p, unsigned resamples) {
        const json_t *m = find_named(json_object_get(find_named(json_object_get(aa, "benchmarks"), bench), "metrics"),
                                     str(p->mb, "name"));
        size_t n = 0;
        double *v = m ? finite_samples(m, &n) : NULL;
        Comparison c;
        CompareOptions o = { .higher_is_better = p->opts.higher_is_better, .resamples = resamples, .seed = 1 };
        double spread = v && n > 0 && stats_compare(p->a, p->na, v, n, &o, &c) == 0 ? stats_aa_spread(&c) : NAN;
        free(v);
        return isfinite(spread) ? spread : NAN;
}

static int collect(const json_t *a, const json_t *b, const BenchCompareOptions *o, Pair *pairs, size_t *ret_n) {
        size_t n = 0, i, k;
        const json_t *bb, *mb;
        json_array_foreach(json_object_get(b, "benchmarks"), i, bb) {
                const json_t *ba = find_named(json_object_get(a, "benchmarks"), str(bb, "name"));
                if (!ba)
                        continue; /* listed in only_in_b */
                json_array_foreach(json_object_get(bb, "metrics"), k, mb) {
                        /* a metric A has not is judged on nothing: unknown, and its gate with it */
                        const json_t *ma = find_named(json_object_get(ba, "metrics"), str(mb, "name"));
                        if (n == COMPARE_METRICS_MAX)
                                return -E2BIG;
                        Pair *p = &pairs[n++];
                        *p = (Pair) { .bench = str(bb, "name"), .ma = ma, .mb = mb };
                        p->a = finite_samples(ma, &p->na);
                        p->b = finite_samples(mb, &p->nb);
                        if (!p->a || !p->b)
                                return -ENOMEM;
                        p->opts = (CompareOptions) { .higher_is_better =
                                                             json_is_true(json_object_get(mb, "higher_is_better")),
                                                     .noise = o->noise > 0 ? o->noise : BENCH_DEFAULT_NOISE,
                                                     .resamples = o->resamples ? o->resamples : 2000,
                                                     .seed = n };
                        p->has_aa = o->aa != NULL;
                        p->aa = o->aa ? aa_spread(o->aa, p->bench, p, p->opts.resamples) : NAN;
                        p->opts.aa_spread = isnan(p->aa) ? 0 : p->aa;
                }
        }
        *ret_n = n;
        return 0;
}

static const char *verdict_name(Verdict v) {
        switch (v) {
        case VERDICT_IMPROVED: return "improved";
        case VERDICT_REGRESSED: return "regressed";
        case VERDICT_UNCHANGED: return "same";
        default: return "unknown";
        }
}

/* The smallest two-sided p the exact U test can give na against nb: 2 / C(na + nb, na). */
static double min_exact_p(size_t na, size_t nb) {
        return 2 * exp(lgamma((double) (na + 1)) + lgamma((double) (nb + 1)) - lgamma((double) (na + nb + 1)));
}

/* Repetitions a side that let a gate fail at all: Holm multiplies the smallest p by the number of
 * tests, so tests * 2 / C(2n, n) has to be below alpha. */
static unsigned reps_to_fail(size_t tests, double alpha) {
        unsigned n = 1;
        while (n < 1000 && !((double) tests * min_exact_p(n, n) < alpha))
                n++;
        return n;
}

/* A gate fails when the regression is significant (Holm-adjusted p below its alpha) and the whole
 * interval lies beyond its size; it passes when even the interval's worst end is within its size
 * (or B improved); else it is unknown (more repetitions could tell), also when the metric has no
 * finite data. */
static json_t *gate_json(const Pair *p) {
        const json_t *g = json_object_get(p->mb, "gate");
        if (!g)
                return json_null();
        double max = jnum(g, "max_regression"), alpha = jnum(g, "alpha");
        bool hib = p->opts.higher_is_better;
        double near = hib ? p->c.ci_hi : p->c.ci_lo, worst = hib ? p->c.ci_lo : p->c.ci_hi;
        bool beyond = !isnan(near) && (hib ? near < 1 - max : near > 1 + max);
        bool within = isfinite(worst) && (hib ? worst >= 1 - max : worst <= 1 + max);
        const char *status = p->p_adj < alpha && beyond      ? "failed"
                : within || p->c.verdict == VERDICT_IMPROVED ? "passed"
                                                             : "unknown";
        json_t *j = json_pack("{s:o, s:o, s:s}", "max_regression", json_num(max), "alpha", json_num(alpha), "status",
                              status);
        /* With too few repetitions no p after Holm can get below alpha: say so, and how many would do. */
        size_t tests = p->tests ? p->tests : 1;
        if (j && !((double) tests * min_exact_p(p->na, p->nb) < alpha))
                json_object_set_new(j, "cannot_fail_below", json_integer(reps_to_fail(tests, alpha)));
        return j;
}

static json_t *pair_json(const Pair *p) {
        json_t *m =
                json_pack("{s:s, s:s?, s:s?, s:b, s:i, s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:o}", "benchmark",
                          p->bench, "metric", str(p->mb, "name"), "unit", str(p->mb, "unit"), "higher_is_better",
                          p->opts.higher_is_better, "n_a", (int) p->na, "n_b", (int) p->nb, "median_a",
                          json_num(p->c.median_a), "median_b", json_num(p->c.median_b), "ratio", json_num(p->c.ratio),
                          "p", json_num(p->c.mwu.p), "p_holm", json_num(p->p_adj), "threshold",
                          json_num(p->c.threshold), "verdict", verdict_name(p->c.verdict), "gate", gate_json(p));
        if (m && !isnan(p->c.ci_lo))
                json_object_set_new(m, "ci", json_pack("[o, o]", json_num(p->c.ci_lo), json_num(p->c.ci_hi)));
        if (m && p->c.verdict == VERDICT_INCONCLUSIVE)
                json_object_set_new(m, "more_repetitions", json_integer(p->c.more_rounds));
        /* Every repetition's value of both sides, as recorded: what the HTML report draws. */
        if (m)
                json_object_set_new(m, "samples_a", json_deep_copy(json_object_get(p->ma, "samples")));
        if (m)
                json_object_set_new(m, "samples_b", json_deep_copy(json_object_get(p->mb, "samples")));
        if (m && p->has_aa) /* null: the A/A run has no figure for it, the default threshold applies */
                json_object_set_new(m, "aa_spread", json_num(p->aa));
        return m;
}

/* improvements, regressions, same, unknown, and the net improvement: the geometric mean over the
 * metrics of how much better B is (ratio, inverted when lower is better), as a percentage. */
static json_t *summary_json(const Pair *pairs, size_t n) {
        size_t count[4] = {};
        double log_sum = 0;
        size_t n_log = 0, gates_failed = 0;
        for (size_t i = 0; i < n; i++) {
                const Pair *p = &pairs[i];
                count[p->c.verdict]++;
                double better = p->opts.higher_is_better ? p->c.ratio : 1 / p->c.ratio;
                if (isfinite(better) && better > 0) {
                        log_sum += log(better);
                        n_log++;
                }
        }
        return json_pack("{s:i, s:i, s:i, s:i, s:f, s:i}", "improvements", (int) count[VERDICT_IMPROVED], "regressions",
                         (int) count[VERDICT_REGRESSED], "same", (int) count[VERDICT_UNCHANGED], "unknown",
                         (int) count[VERDICT_INCONCLUSIVE], "net_improvement",
                         n_log ? 100 * (exp(log_sum / (double) n_log) - 1) : 0.0, "gates_failed", (int) gates_failed);
}

static int judge(Pair *pairs, size_t n) {
        double *p = malloc((n + 1) * sizeof(double)), *adj = malloc((n + 1) * sizeof(double));
        int r = p && adj ? 0 : -ENOMEM;
        for (size_t i = 0; r == 0 && i < n; i++) {
                if (stats_compare(pairs[i].a, pairs[i].na, pairs[i].b, pairs[i].nb, &pairs[i].opts, &pairs[i].c) < 0) {
                        /* an empty side or signs that differ: nothing to judge */
                        pairs[i].c = (Comparison) { .na = pairs[i].na,
                                                    .nb = pairs[i].nb,
                                                    .median_a = NAN,
                                                    .median_b = NAN,
                                                    .ratio = NAN,
                                                    .ci_lo = NAN,
                                                    .ci_hi = NAN,
                                                    .mwu = { .p = NAN },
                                                    .verdict = VERDICT_INCONCLUSIVE };
                }
                p[i] = pairs[i].c.mwu.p;
        }
        if (r == 0)
                r = stats_holm(p, n, adj);
        size_t tests = 0;
        for (size_t i = 0; r == 0 && i < n; i++)
                tests += !isnan(p[i]);
        for (size_t i = 0; r == 0 && i < n; i++) {
                pairs[i].p_adj = adj[i];
                pairs[i].tests = tests;
                if (!isnan(pairs[i].c.ratio))
                        stats_decide(&pairs[i].c, &pairs[i].opts, isnan(adj[i]) ? 1 : adj[i]);
        }
        free(p);
        free(adj);
        return r;
}

/* The names of x's benchmarks that y has not: not compared, and said so. */
static json_t *only_in(const json_t *x, const json_t *y) {
        json_t *names = json_array();
        size_t i;
        const json_t *b;
        json_array_foreach(json_object_get(x, "benchmarks"), i, b)
                if (str(b, "name") && !find_named(json_object_get(y, "benchmarks"), str(b, "name")))
                        json_array_append_new(names, json_string(str(b, "name")));
        return names;
}

/* "benchmark metric" for each metric of x's benchmarks that y's same benchmark has not. */
static json_t *metrics_only_in(const json_t *x, const json_t *y) {
        json_t *names = json_array();
        size_t i, k;
        const json_t *bx, *m;
        json_array_foreach(json_object_get(x, "benchmarks"), i, bx) {
                const json_t *by = find_named(json_object_get(y, "benchmarks"), str(bx, "name"));
                json_array_foreach(json_object_get(bx, "metrics"), k, m)
                        if (by && str(m, "name") && !find_named(json_object_get(by, "metrics"), str(m, "name")))
                                json_array_append_new(names,
                                                      json_pack("{s:s, s:s}", "benchmark", str(bx, "name"), "metric",
                                                                str(m, "name")));
        }
        return names;
}

static json_t *run_ref(const json_t *run) {
        return json_pack("{s:O?, s:s?, s:O?, s:O?}", "id", json_object_get(run, "id"), "suite", str(run, "suite"),
                         "started_us", json_object_get(run, "started_us"), "fingerprint",
                         json_object_get(run, "fingerprint"));
}

/* The A/A run has to be of A's suite, host and configuration, or its spread says nothing of A's. */
static int check_aa(const json_t *a, const BenchCompareOptions *o, Error *e) {
        if (!str(a, "suite") || !str(o->aa, "suite") || strcmp(str(a, "suite"), str(o->aa, "suite")) != 0)
                return error_set(e, -EXDEV,
                                 "the A/A run (--aa) is of suite %s, run A of suite %s: give a run of A's suite",
                                 str(o->aa, "suite") ?: "?", str(a, "suite") ?: "?");
        json_t *diff = hard_differences(a, o->aa);
        int r = json_array_size(diff) > 0 && !o->force ? refuse("run A and the A/A run (--aa)", diff, e) : 0;
        json_decref(diff);
        return r;
}

int bench_compare_runs(const json_t *a, const json_t *b, const BenchCompareOptions *o, json_t **ret, Error *e) {
        *ret = NULL;
        if (!json_is_array(json_object_get(a, "benchmarks")) || !json_is_array(json_object_get(b, "benchmarks")))
                return error_set(e, -EINVAL, "a run without benchmarks");
        json_t *hard = hard_differences(a, b);
        int r = json_array_size(hard) > 0 && !o->force ? refuse("the runs", hard, e) : 0;
        if (r == 0 && o->aa)
                r = check_aa(a, o, e);
        if (r < 0) {
                json_decref(hard);
                return r;
        }
        Pair *pairs = calloc(COMPARE_METRICS_MAX, sizeof(Pair));
        size_t n = 0;
        r = pairs ? collect(a, b, o, pairs, &n) : -ENOMEM;
        if (r == 0)
                r = judge(pairs, n);
        json_t *metrics = json_array();
        /* Every metric is listed (a NULL entry would be dropped silently, its gate with it). */
        for (size_t i = 0; r == 0 && i < n; i++)
                if (!metrics || json_array_append_new(metrics, pair_json(&pairs[i])) < 0)
                        r = -ENOMEM;
        if (r < 0) {
                json_decref(hard);
                json_decref(metrics);
        }
        for (size_t i = 0; pairs && i < n; i++) {
                free(pairs[i].a);
                free(pairs[i].b);
        }
        json_t *doc = r == 0 ? json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "schema", BENCH_COMPARE_SCHEMA, "a",
                                         run_ref(a), "b", run_ref(b), "hard_differences", hard, "soft_differences",
                                         fingerprint_diff(json_object_get(a, "fingerprint"),
                                                          json_object_get(b, "fingerprint"), "soft"),
                                         "summary", summary_json(pairs, n), "metrics", metrics)
                             : NULL;
        free(pairs);
        if (!doc) {
                if (r == 0)
                        r = -ENOMEM; /* json_pack released what it was given */
                return error_set(e, r, "cannot compare the runs: %s", strerror(-r));
        }
        json_object_set_new(doc, "only_in_a", only_in(a, b));
        json_object_set_new(doc, "only_in_b", only_in(b, a));
        json_object_set_new(doc, "metrics_only_in_a", metrics_only_in(a, b));
        json_object_set_new(doc, "metrics_only_in_b", metrics_only_in(b, a));
        json_object_set_new(json_object_get(doc, "summary"), "gates_failed",
                            json_integer((json_int_t) bench_compare_failed_gates(doc)));
        json_object_set_new(json_object_get(doc, "summary"), "gates_unknown",
                            json_integer((json_int_t) bench_compare_gates(doc, "unknown")));
        *ret = doc;
        return 0;
}

size_t bench_compare_gates(const json_t *cmp, const char *status) {
        size_t i, n = 0;
        const json_t *m;
        json_array_foreach(json_object_get(cmp, "metrics"), i, m)
                if (str(json_object_get(m, "gate"), "status") &&
                    strcmp(str(json_object_get(m, "gate"), "status"), status) == 0)
                        n++;
        return n;
}

size_t bench_compare_failed_gates(const json_t *cmp) {
        return bench_compare_gates(cmp, "failed");
}
