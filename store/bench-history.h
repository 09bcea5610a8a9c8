/* SPDX-License-Identifier: MIT */
/* The benchmark history (docs/bench.md): one SQLite file (WAL) of runs, their benchmarks, every
 * repetition and every sample, written one run per transaction (a run is there whole or not at
 * all). Runs go in and come out as skytune.bench-run/1 documents. A file that is not ours or is
 * damaged is moved aside (never deleted); a newer schema is refused. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct BenchHistory BenchHistory;

/* Opens (creating) the file at path; *ret_moved (when not NULL) gets where a damaged or foreign
 * file went, else NULL. -EPROTO: written by a newer skytune. */
int bench_history_open(const char *path, BenchHistory **ret, char **ret_moved);
/* Read-only, for compare: -ENOENT when there is no history yet. */
int bench_history_open_reader(const char *path, BenchHistory **ret);
void bench_history_close(BenchHistory *h);

/* Adds the run document (skytune.bench-run/1 without "id"); *ret_id its id. -EINVAL for a
 * document without its members or a metric without one sample per repetition (*e says which;
 * e may be NULL). */
int bench_history_add(BenchHistory *h, const json_t *run, int64_t *ret_id, Error *e);
/* The run with this id as skytune.bench-run/1 (with "id"); -ENOENT when there is none. */
int bench_history_get(BenchHistory *h, int64_t id, json_t **ret);
/* Up to n ids, newest first, of the suite's runs (suite NULL: any suite's); *ret_n how many. */
int bench_history_last(BenchHistory *h, const char *suite, size_t n, int64_t *ids, size_t *ret_n);
/* The suite's runs that started at since_us or later, oldest first (as bench_history_get gives
 * them), appended to runs: the newest max of them; *ret_capped whether older ones were left out. */
int bench_history_window(BenchHistory *h, const char *suite, int64_t since_us, size_t max, json_t *runs,
                         bool *ret_capped);
/* The suite's number of runs and the newest one's started_us (0 when it has none). */
int bench_history_suite_stats(BenchHistory *h, const char *suite, int64_t *ret_runs, int64_t *ret_last_us);
/* Retention: deletes the suite's runs that started before older_than_us (0: none by age) and all
 * but the newest keep_runs (0: no limit), never a baseline's run. *ret_deleted how many went. */
int bench_history_prune(BenchHistory *h, const char *suite, int64_t older_than_us, unsigned keep_runs,
                        unsigned *ret_deleted);

/* Baselines (bench-history-baseline.c): the run that is the suite's baseline called name. set makes
 * run (of suite) the baseline; accepted marks it a deliberate change over the one before, which is
 * kept as "previous". -ENOENT: no such run (set) or no such baseline (get). */
int bench_history_baseline_set(BenchHistory *h, const char *name, int64_t run, bool accepted, int64_t now_us);
int bench_history_baseline_get(BenchHistory *h, const char *suite, const char *name, int64_t *ret_run);
/* Every baseline as [{suite, name, run, set_us, accepted, previous}], by suite and name. */
int bench_history_baselines(BenchHistory *h, json_t **ret);
