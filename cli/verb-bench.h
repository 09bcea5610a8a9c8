/* SPDX-License-Identifier: MIT */
/* What the files of `skytune bench` share (cli/verb-bench*.c). */
#pragma once

#include <stdbool.h>

#include "suite.h"

/* Loads the suite at path, logging its first mistake at file:line; NULL then. */
Suite *bench_load_suite(const char *path);
/* --history FILE, else /var/lib/skytune/bench.db for root, else $XDG_STATE_HOME/skytune/bench.db
 * (~/.local/state/skytune/bench.db); with make_dir its directory is created. Logs failures. */
int bench_history_path(const char *opt, bool make_dir, char **ret);
/* The history (--history opt or the default) opened to read; logs a failure (-ENOENT: none yet). */
typedef struct BenchHistory BenchHistory;
int bench_history_read(const char *opt, BenchHistory **ret);
/* The exit code of a failed gate (bench compare), distinct from errors (1) and usage (2). */
#define EXIT_GATE 4
/* No gate failed, but one or more could not be decided (more repetitions needed). */
#define EXIT_GATE_UNKNOWN 5

/* An option's whole number from 1 to max into *ret; else logs "OPT 'ARG': give a whole number from
 * 1 to MAX" and -EINVAL. */
int bench_parse_count(const char *opt, const char *arg, unsigned max, unsigned *ret);
int bench_run(int argc, char **argv);
int bench_compare(int argc, char **argv);
int bench_baseline(int argc, char **argv);
int bench_trends_verb(int argc, char **argv);
