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
        return json_pack("{s:s, s:s, s:s, s:[], s:o}", "name", b->name, "kind", b->kind->name, "config_digest", digest,
                         "repetition_started_us", "metrics", metrics);
}

/* One repetition of b: its values appended to the document's samples unless it is a warm-up. */
static int run_one(const SuiteBench *b, json_t *doc, bool keep, const SuiteRunOptions *o, double *values, Error *e) {
        const SuiteMetricDef *defs;
        size_t n_defs;
        b->kind->metrics(b->spec, &defs, &n_defs);
        for (size_t i = 0; i < n_defs; i++)
                values[i] = NAN;
        int64_t started = (int64_t) time_now_realtime_usec();
        SuiteRepOut out = { .values = values };
        int r = b->kind->run(b->spec, &out, o->stop, e);
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

static int run_rounds(const Suite *s, const SuiteRunOptions *o, json_t *benches, Error *e) {
        unsigned rounds = 0;
        for (size_t i = 0; i < s->n_benches; i++)
                rounds = MAX(rounds, s->benches[i].warmup + reps_of(&s->benches[i], o));
        double values[SUITE_METRICS_MAX * 4];
        for (unsigned k = 0; k < rounds; k++)
                for (size_t i = 0; i < s->n_benches; i++) {
                        const SuiteBench *b = &s->benches[i];
                        unsigned reps = reps_of(b, o);
                        if (k >= b->warmup + reps)
                                continue;
                        bool warm = k < b->warmup;
                        if (o->progress)
                                o->progress(o->userdata, b, warm ? k + 1 : k - b->warmup + 1, warm ? b->warmup : reps,
                                            warm);
                        Error own = ERROR_NULL;
                        int r = run_one(b, json_array_get(benches, i), !warm, o, values, &own);
                        if (r == -EINTR) {
                                error_done(&own);
                                return r;
                        }
                        if (r < 0) {
                                error_set(e, r, "benchmark %s, %s %u: %s", b->name, warm ? "warm-up" : "repetition",
                                          warm ? k + 1 : k - b->warmup + 1, error_message(&own));
                                error_done(&own);
                                return r;
                        }
                }
        return 0;
}

int suite_run(const Suite *s, const SuiteRunOptions *o, json_t **ret, Error *e) {
        *ret = NULL;
        for (size_t i = 0; i < s->n_benches; i++) {
                const SuiteMetricDef *defs;
                size_t n;
                s->benches[i].kind->metrics(s->benches[i].spec, &defs, &n);
                if (n > SUITE_METRICS_MAX * 4)
                        return error_set(e, -E2BIG, "benchmark %s measures %zu metrics: at most %d", s->benches[i].name,
                                         n, SUITE_METRICS_MAX * 4);
        }
        Sysroot *own = NULL;
        if (!o->sysroot) {
                int r = sysroot_open("/", &own);
                if (r < 0)
                        return error_set(e, r, "cannot open /: %s", strerror(-r));
        }
        json_t *fingerprint = fingerprint_read(o->sysroot ? o->sysroot : own);
        sysroot_free(own);
        json_t *benches = json_array();
        for (size_t i = 0; i < s->n_benches; i++)
                json_array_append_new(benches, bench_doc(&s->benches[i]));
        int64_t started = (int64_t) time_now_realtime_usec();
        json_t *doc = json_pack("{s:s, s:s, s:s, s:I, s:s, s:o, s:o}", "schema", BENCH_RUN_SCHEMA, "suite", s->name,
                                "suite_digest", s->digest, "started_us", (json_int_t) started, "skytune_version",
                                SKYTUNE_VERSION, "fingerprint", fingerprint, "benchmarks", benches);
        if (!doc)
                return error_set(e, -ENOMEM, "out of memory");
        int r = run_rounds(s, o, benches, e);
        if (r < 0) {
                json_decref(doc);
                return r;
        }
        json_object_set_new(doc, "finished_us", json_integer((json_int_t) time_now_realtime_usec()));
        *ret = doc;
        return 0;
}
