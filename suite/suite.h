/* SPDX-License-Identifier: MIT */
/* Benchmark suites (docs/bench.md): a libconfig file of named benchmarks, each of a kind from a table
 * (command: a shell command timed as a whole process; probe: any skytune probe; load, db, stress: a
 * skytune load, db load or stress run as a child), with repetitions,
 * warm-up, the metrics that matter and gates. Library code: errors go into an Error with the file's
 * line, nothing prints. */
#pragma once

#include <jansson.h>
#include <libconfig.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf-read.h"
#include "error.h"
#include "probe.h"

#define SUITE_BENCHES_MAX         64
#define SUITE_METRICS_MAX         32
#define SUITE_REPETITIONS_MAX     1000
#define SUITE_WARMUP_MAX          100
#define SUITE_DEFAULT_REPETITIONS 10
#define SUITE_DEFAULT_WARMUP      1

/* One metric a kind can measure: the probes' record (name, unit, higher_is_better). */
typedef ProbeMetricDef SuiteMetricDef;

/* A gate: the metric may not regress by more than max_regression (relative, 0.05 = 5 %) with
 * significance alpha (after Holm across the comparison's metrics). */
typedef struct SuiteGate {
        size_t metric; /* index into the benchmark's metrics */
        double max_regression;
        double alpha;
        unsigned line;
} SuiteGate;

typedef struct SuiteKind SuiteKind;

typedef struct SuiteBench {
        char *name;
        const SuiteKind *kind;
        void *spec; /* the kind's own settings */
        unsigned repetitions, warmup;
        const SuiteMetricDef **metrics; /* the ones that matter, in the file's order */
        size_t *metric_ix;              /* each one's index among the kind's metrics (SuiteRepOut) */
        size_t n_metrics;
        SuiteGate *gates;
        size_t n_gates;
        unsigned line;
} SuiteBench;

typedef struct Suite {
        char *name;
        char *file;
        char digest[17]; /* FNV-1a of the file's bytes, hex */
        SuiteBench *benches;
        size_t n_benches;
} Suite;

/* What one repetition of a benchmark measured: values[i] for the kind's metric i (NAN: not
 * measured), and the histograms the kind keeps (name -> its encoding as a string, e.g. the load's
 * latency as HdrHistogram's base64 "HISTF..."; an empty object when none). */
typedef struct SuiteRepOut {
        double *values;
        json_t *histograms;
} SuiteRepOut;

struct SuiteKind {
        const char *name;
        const char *summary;
        const char *const *keys; /* the kind's own keys of a benchmark */
        size_t n_keys;
        int (*parse)(const ConfRead *c, const config_setting_t *bench, void **ret_spec);
        /* The metrics the kind can measure for this spec (a probe's depend on the probe). */
        void (*metrics)(const void *spec, const SuiteMetricDef **ret, size_t *ret_n);
        /* The spec as JSON for `bench check` (what will run). */
        json_t *(*spec_json)(const void *spec);
        /* One repetition: out->values sized by metrics(); -errno with the reason in e. stop may be
         * set by SIGINT; a repetition it cuts short returns -EINTR. */
        int (*run)(const void *spec, SuiteRepOut *out, const volatile sig_atomic_t *stop, Error *e);
        void (*spec_free)(void *spec);
};

extern const SuiteKind *const suite_kinds[];
extern const size_t suite_kinds_size;
const SuiteKind *suite_kind_find(const char *name);
/* Index of the kind's metric named name for this spec; -ENOENT when it has none. */
int suite_kind_metric(const SuiteKind *k, const void *spec, const char *name);

/* Reads and checks a suite file: -errno with *e at file:line for the first mistake. */
int suite_load_file(const char *path, Suite **ret, Error *e);
/* Same from text (the fuzz target and the tests); file names it in messages. */
int suite_load_text(const char *file, const char *text, size_t len, Suite **ret, Error *e);
void suite_free(Suite *s);
const SuiteBench *suite_find_bench(const Suite *s, const char *name);

/* The suite as skytune.bench-suite/1 (what `bench check --json` prints). */
json_t *suite_check_json(const Suite *s);
