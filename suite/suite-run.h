/* SPDX-License-Identifier: MIT */
/* Running a suite: every benchmark's repetitions interleaved (round k runs repetition k of each
 * benchmark in turn: A B A B, so that drift and neighbours hit all of them alike), warm-ups run
 * first within the same rounds and thrown away, and the whole run as a skytune.bench-run/1
 * document (without "id": the history gives it). */
#pragma once

#include <jansson.h>
#include <signal.h>

#include "suite.h"
#include "sysroot.h"

typedef struct SuiteRunOptions {
        unsigned repeat;                   /* 0: each benchmark's own repetitions */
        const Sysroot *sysroot;            /* where the fingerprint is read (NULL: "/") */
        const volatile sig_atomic_t *stop; /* set by SIGINT: the run ends with -EINTR */
        /* Called before each repetition (warm-up or kept); may be NULL. */
        void (*progress)(void *userdata, const SuiteBench *b, unsigned rep, unsigned reps, bool warmup);
        void *userdata;
        /* The active skytune transactions when the run started (the caller asks the helper): an
         * array, recorded as the run's "transactions"; NULL: unknown (recorded as null). */
        const json_t *transactions;
} SuiteRunOptions;

/* 0 and *ret the document, or -errno with *e (a failed repetition names its benchmark); -EINTR
 * when stopped: nothing is returned then. */
int suite_run(const Suite *s, const SuiteRunOptions *o, json_t **ret, Error *e);
/* s against a reference ref (bench run --against): each round runs every benchmark on both sides,
 * their order swapping every round, with s's repetitions and warm-ups; *ret is s's run, *ret_ref
 * ref's. Refused (-EINVAL, by suite_pair_check) unless ref has another name and the same benchmark
 * names. */
int suite_run_pair(const Suite *s, const Suite *ref, const SuiteRunOptions *o, json_t **ret, json_t **ret_ref,
                   Error *e);
int suite_pair_check(const Suite *s, const Suite *ref, Error *e);
/* The digest of what a benchmark runs and measures (kind, spec, metrics), hex in buf[17]: runs
 * with different ones are not compared. */
void suite_bench_digest(const SuiteBench *b, char buf[static 17]);
