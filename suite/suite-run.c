/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint.h"
#include "fnv1a.h"
#include "macro.h"
#include "schema.h"
#include "suite-run.h"
#include "time-util.h"

void suite_bench_digest(const SuiteBench *b, char buf[static 17]) {
        json_t *names = json_array();
        for (size_t i = 0; i < b->n_metrics; i++)
                json_array_append_new(names, json_string(b->metrics[i]->name));
        json_t *what = json_pack("{s:s, s:o*, s:o}", "kind", b->kind->name, "spec", b->kind->spec_json(b->spec),
                                 "metrics", names);
        char *text = what ? json_dumps(what, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        snprintf(buf, 17, "%016llx", (unsigned long long) fnv1a_str(text ? text : ""));
        free(text);
        json_decref(what);
}

static unsigned reps_of(const SuiteBench *b, const SuiteRunOptions *o) {
        return o->repeat ? o->repeat : b->repetitions;
}

static json_t *bench_doc(const SuiteBench *b) {
        char digest[17];
        suite_bench_digest(b, digest);
        json_t *metrics = json_array();
        for (size_t i = 0; i < b->n_metrics; i++) {
                json_t *m = json_pack("{s:s, s:s, s:b, s:[]}", "name", b->metrics[i]->name, "unit", b->metrics[i]->unit,
                                      "higher_is_better", b->metrics[i]->higher_is_better, "samples");
                for (size_t g = 0; m && g < b->n_gates; g++)
                        if (b->gates[g].metric == i)
                                json_object_set_new(m, "gate",
                                                    json_pack("{s:f, s:f}", "max_regression",
                                                              b->gates[g].max_regression, "alpha", b->gates[g].alpha));
                json_array_append_new(metrics, m);
        }
        return json_pack("{s:s, s:s, s:s, s:[], s:o, s:[]}", "name", b->name, "kind", b->kind->name, "config_digest",
                         digest, "repetition_started_us", "metrics", metrics, "histograms");
}

/* One repetition of b: its values appended to the document's samples unless it is a warm-up. */
static int run_one(const SuiteBench *b, json_t *doc, bool keep, const SuiteRunOptions *o, double *values, Error *e) {
        const SuiteMetricDef *defs;
        size_t n_defs;
        b->kind->metrics(b->spec, &defs, &n_defs);
        for (size_t i = 0; i < n_defs; i++)
                values[i] = NAN;
        int64_t started = (int64_t) time_now_realtime_usec();
        SuiteRepOut out = { .values = values, .histograms = json_object() };
        if (!out.histograms)
                return error_set(e, -ENOMEM, "out of memory");
        int r = b->kind->run(b->spec, &out, o->stop, e);
        if (r == 0 && keep)
                json_array_append_new(json_object_get(doc, "histograms"),
                                      json_object_size(out.histograms) ? json_incref(out.histograms) : json_null());
        json_decref(out.histograms);
        if (r == -EINTR || (o->stop && *o->stop))
                return -EINTR;
        if (r < 0)
                return r;
        if (!keep)
                return 0;
        json_array_append_new(json_object_get(doc, "repetition_started_us"), json_integer(started));
        json_t *metrics = json_object_get(doc, "metrics");
        for (size_t i = 0; i < b->n_metrics; i++) {
                double v = values[b->metric_ix[i]];
                json_array_append_new(json_object_get(json_array_get(metrics, i), "samples"),
                                      isfinite(v) ? json_real(v) : json_null());
        }
        return 0;
}

/* One side of a run: its suite, its benchmarks' documents, and for each benchmark of the first
 * side the index of the same-named one in this side's suite. */
typedef struct Side {
        const Suite *s;
        json_t *benches;
        size_t map[SUITE_BENCHES_MAX];
} Side;

/* Round k runs repetition k of every benchmark, on each side in turn; the sides swap places every
 * round (A B, B A, ...) so neither always runs first. The first side's repetitions and warm-ups
 * count for both. */
static int run_rounds(Side *sides, size_t n_sides, const SuiteRunOptions *o, Error *e) {
        const Suite *s = sides[0].s;
        unsigned rounds = 0;
        for (size_t i = 0; i < s->n_benches; i++)
                rounds = MAX(rounds, s->benches[i].warmup + reps_of(&s->benches[i], o));
        double values[SUITE_METRICS_MAX * 4];
        for (unsigned k = 0; k < rounds; k++)
                for (size_t i = 0; i < s->n_benches; i++) {
                        const SuiteBench *first = &s->benches[i];
                        unsigned reps = reps_of(first, o);
                        if (k >= first->warmup + reps)
                                continue;
                        bool warm = k < first->warmup;
                        unsigned rep = warm ? k + 1 : k - first->warmup + 1;
                        for (size_t j = 0; j < n_sides; j++) {
                                Side *side = &sides[k % 2 ? n_sides - 1 - j : j];
                                const SuiteBench *b = &side->s->benches[side->map[i]];
                                if (o->progress)
                                        o->progress(o->userdata, b, rep, warm ? first->warmup : reps, warm);
                                Error own = ERROR_NULL;
                                int r = run_one(b, json_array_get(side->benches, side->map[i]), !warm, o, values, &own);
                                if (r < 0 && r != -EINTR)
                                        error_set(e, r, "%s%s%sbenchmark %s, %s %u: %s", n_sides > 1 ? "suite " : "",
                                                  n_sides > 1 ? side->s->name : "",
                                                  n_sides > 1 ? (side == &sides[0] ? ", " : " (the reference), ") : "",
                                                  b->name, warm ? "warm-up" : "repetition", rep, error_message(&own));
                                error_done(&own);
                                if (r < 0)
                                        return r;
                        }
                }
        return 0;
}

static int check_metrics(const Suite *s, Error *e) {
        for (size_t i = 0; i < s->n_benches; i++) {
                const SuiteMetricDef *defs;
                size_t n;
                s->benches[i].kind->metrics(s->benches[i].spec, &defs, &n);
                if (n > SUITE_METRICS_MAX * 4)
                        return error_set(e, -E2BIG, "benchmark %s measures %zu metrics: at most %d", s->benches[i].name,
                                         n, SUITE_METRICS_MAX * 4);
        }
        return 0;
}

/* The run's document before its rounds: fingerprint, benchmarks without samples. */
static json_t *run_doc(const Suite *s, json_t *fingerprint, const json_t *txs, json_t **ret_benches) {
        json_t *benches = json_array();
        for (size_t i = 0; i < s->n_benches; i++)
                json_array_append_new(benches, bench_doc(&s->benches[i]));
        *ret_benches = benches;
        int64_t started = (int64_t) time_now_realtime_usec();
        return json_pack("{s:s, s:s, s:s, s:I, s:s, s:O, s:o, s:o}", "schema", BENCH_RUN_SCHEMA, "suite", s->name,
                         "suite_digest", s->digest, "started_us", (json_int_t) started, "skytune_version",
                         SKYTUNE_VERSION, "fingerprint", fingerprint, "transactions",
                         json_is_array(txs) ? json_deep_copy(txs) : json_null(), "benchmarks", benches);
}

int suite_pair_check(const Suite *s, const Suite *ref, Error *e) {
        if (strcmp(s->name, ref->name) == 0)
                return error_set(e, -EINVAL,
                                 "the suite and its reference are both named '%s': give the reference %s its own "
                                 "name (name = \"...\";) so that its runs do not mix into the suite's trends",
                                 s->name, ref->file ? ref->file : "");
        if (s->n_benches != ref->n_benches)
                return error_set(e, -EINVAL,
                                 "suite %s has %zu benchmarks and its reference %s %zu: each needs its "
                                 "same-named counterpart",
                                 s->name, s->n_benches, ref->name, ref->n_benches);
        for (size_t i = 0; i < s->n_benches; i++)
                if (!suite_find_bench(ref, s->benches[i].name))
                        return error_set(e, -EINVAL, "benchmark %s of suite %s has no counterpart in the reference %s",
                                         s->benches[i].name, s->name, ref->name);
        return 0;
}

static int run_sides(const Suite *s, const Suite *ref, const SuiteRunOptions *o, json_t **ret, json_t **ret_ref,
                     Error *e) {
        *ret = NULL;
        if (ret_ref)
                *ret_ref = NULL;
        int r = check_metrics(s, e);
        if (r < 0 || (ref && ((r = check_metrics(ref, e)) < 0 || (r = suite_pair_check(s, ref, e)) < 0)))
                return r;
        Sysroot *own = NULL;
        if (!o->sysroot && (r = sysroot_open("/", &own)) < 0)
                return error_set(e, r, "cannot open /: %s", strerror(-r));
        json_t *fingerprint = fingerprint_read(o->sysroot ? o->sysroot : own);
        sysroot_free(own);
        Side sides[2] = { { .s = s } };
        json_t *docs[2] = { run_doc(s, fingerprint, o->transactions, &sides[0].benches), NULL };
        size_t n = 1;
        if (ref) {
                sides[1].s = ref;
                docs[n++] = run_doc(ref, fingerprint, o->transactions, &sides[1].benches);
        }
        json_decref(fingerprint);
        for (size_t i = 0; i < s->n_benches; i++) {
                sides[0].map[i] = i;
                if (ref)
                        sides[1].map[i] = (size_t) (suite_find_bench(ref, s->benches[i].name) - ref->benches);
        }
        r = !docs[0] || (ref && !docs[1]) ? error_set(e, -ENOMEM, "out of memory") : run_rounds(sides, n, o, e);
        for (size_t j = 0; j < n; j++) {
                if (r == 0)
                        json_object_set_new(docs[j], "finished_us",
                                            json_integer((json_int_t) time_now_realtime_usec()));
                else
                        json_decref(docs[j]);
        }
        if (r < 0)
                return r;
        *ret = docs[0];
        if (ret_ref)
                *ret_ref = docs[1];
        return 0;
}

int suite_run(const Suite *s, const SuiteRunOptions *o, json_t **ret, Error *e) {
        return run_sides(s, NULL, o, ret, NULL, e);
}

int suite_run_pair(const Suite *s, const Suite *ref, const SuiteRunOptions *o, json_t **ret, json_t **ret_ref,
                   Error *e) {
        return run_sides(s, ref, o, ret, ret_ref, e);
}
