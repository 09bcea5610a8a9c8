/* SPDX-License-Identifier: MIT */
/* What the files of `skytune bench` share (cli/verb-bench*.c). */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "suite.h"

/* The file of SUITE, a path or a name looked up in the suite places (suite-lookup.h) under root
 * (NULL: the host's), the user's place only with user; logs where it looked when there is none. */
int bench_find_suite(const char *arg, const char *root, bool user, char **ret_path);
/* Loads SUITE (as bench_find_suite finds it), logging its first mistake at file:line; NULL then. */
Suite *bench_load_suite(const char *arg);
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
/* The active skytune transactions (bench-tx.h's entries, with their tunables) as skytune-helper
 * lists them; NULL when it cannot be asked or does not answer (nothing is logged). */
json_t *bench_active_transactions(void);
int bench_run(int argc, char **argv);
int bench_compare(int argc, char **argv);
/* Writes the comparison (--junit, --html when not NULL; then JSON or text on stdout) and warns of
 * gates these repetitions cannot fail; the exit code: EXIT_GATE, EXIT_GATE_UNKNOWN, EXIT_OK or
 * EXIT_FAIL when a write failed. */
int bench_compare_report(const json_t *cmp, bool json, const char *junit, const char *html);
int bench_baseline(int argc, char **argv);
int bench_trends_verb(int argc, char **argv);
int bench_export_verb(int argc, char **argv);
int bench_import_verb(int argc, char **argv);
int bench_list(int argc, char **argv);
int bench_schedule(int argc, char **argv);
