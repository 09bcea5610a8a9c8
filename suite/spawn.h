/* SPDX-License-Identifier: MIT */
/* Running a benchmark's child process (kind-command, and skytune itself for kind-load, -db, -stress): its own process group, ended with
 * SIGKILL on the deadline or when stop is set, stdout to /dev/null or captured. Not the interface. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

#include <jansson.h>

#include "error.h"
#include "suite.h"

typedef struct SuiteChild {
        int status;        /* wait4's status */
        struct rusage ru;  /* the child's and its waited-for children's */
        double start, end; /* CLOCK_MONOTONIC seconds: fork and exit */
        char *out;         /* captured stdout (NUL-terminated) when asked for, else NULL */
        size_t out_len;
        char err_line[512]; /* captured: the last non-empty line of its stderr (suite_tail_last_line), else "" */
} SuiteChild;

#define SUITE_CHILD_OUT_MAX (64u << 20)

/* The last SUITE_TAIL_MAX bytes written into it (a child's stderr): what came before is dropped. */
#define SUITE_TAIL_MAX (64u << 10)
typedef struct SuiteTail {
        char *buf;  /* 2 x SUITE_TAIL_MAX bytes once something was added; the tail is its last */
        size_t len; /* SUITE_TAIL_MAX (or fewer) bytes of len */
        bool cut;   /* bytes before buf were dropped */
} SuiteTail;
int suite_tail_add(SuiteTail *t, const char *p, size_t n);
/* How many bytes it keeps: at most SUITE_TAIL_MAX. */
size_t suite_tail_kept(const SuiteTail *t);
/* The last non-empty line into line (size bytes, NUL-terminated; "" when there is none): whole, or
 * "..." and its end when it is longer than fits or began before what was kept. */
void suite_tail_last_line(const SuiteTail *t, char *line, size_t size);
void suite_tail_done(SuiteTail *t);

/* Runs argv (execv: argv[0] is a path). timeout_ms 0: none. capture: keep stdout in ch->out.
 * (and the last line of stderr in ch->err_line, from its last SUITE_TAIL_MAX bytes; else stderr
 * goes to /dev/null). -EINTR when stop cut
 * it short, -ETIME at the deadline, other -errno on failure to start. */
int suite_child_run(char *const argv[], int64_t timeout_ms, bool capture, const volatile sig_atomic_t *stop,
                    SuiteChild *ch, Error *e);
void suite_child_done(SuiteChild *ch);

/* The child's argv, built up: every string a copy; past SUITE_ARGV_MAX or out of memory, oom is set
 * and suite_self_doc fails. v[0] is set by the first add; v stays NULL-terminated. */
#define SUITE_ARGV_MAX 96
typedef struct SuiteArgv {
        char *v[SUITE_ARGV_MAX + 1];
        size_t n;
        bool oom;
} SuiteArgv;
void suite_argv_add(SuiteArgv *a, const char *s);
void suite_argv_addf(SuiteArgv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void suite_argv_done(SuiteArgv *a);

/* How a kind runs skytune: the deadline, the exit codes that measured (bit k: code k), why another
 * code measured nothing (indexed by code, NULL: "failed"), the document's schema, the subcommand as
 * messages name it (NULL: argv[1]). */
#define SUITE_EXIT_WHY_MAX 8
typedef struct SuiteSelfRun {
        int64_t timeout_ms;
        unsigned accept;
        const char *why[SUITE_EXIT_WHY_MAX];
        const char *schema;
        const char *what;
} SuiteSelfRun;
/* Runs skytune itself (a->v[0] "/proc/self/exe", --json among the rest) and parses its stdout into
 * *ret (an object, the caller's); then an exit code not accepted or a document of
 * another schema fails the repetition with a message naming the subcommand. */
int suite_self_doc(const SuiteArgv *a, const SuiteSelfRun *how, const volatile sig_atomic_t *stop, json_t **ret,
                   Error *e);
/* The number at a dotted path ("total.latency_us.p99") of doc; NAN when absent, null or not a
 * number. */
double suite_json_num(const json_t *doc, const char *path);
/* Where a metric is in a document: a dotted path, and a factor to the metric's unit (0: 1). */
typedef struct SuiteFigure {
        const char *path;
        double scale;
} SuiteFigure;
/* values[i] = the figure at[i] of doc, for the metrics defs[0..n); one missing fails, naming it and
 * what ("load"), not a NaN sample. */
int suite_doc_figures(const json_t *doc, const char *what, const SuiteMetricDef *defs, const SuiteFigure *at, size_t n,
                      double *values, Error *e);
