/* SPDX-License-Identifier: MIT */
/* The probe backends' own options on a command line: every backend's option table offered as long
 * options, each value handed to the backends that have that option (a target option's values are
 * kept as targets, one run each), and the help printed from the tables. Nothing here knows a
 * backend by name. */
#pragma once

#include <getopt.h>
#include <stdio.h>

#include "error.h"
#include "probe.h"

#define PROBE_OPTION_SET_MAX   16 /* backends */
#define PROBE_OPTION_NAMES_MAX 64 /* distinct option names over every backend */

typedef struct ProbeOptionSet {
        void *opts[PROBE_OPTION_SET_MAX];           /* per probe_table entry: its options struct */
        const char **targets[PROBE_OPTION_SET_MAX]; /* the target option's values (argv's) */
        size_t n_targets[PROBE_OPTION_SET_MAX];
        bool given[PROBE_OPTION_NAMES_MAX]; /* by option k, as probe_option_set_apply had it */
} ProbeOptionSet;

/* Each backend's defaults; -ENOMEM or -E2BIG with nothing left allocated. */
int probe_option_set_init(ProbeOptionSet *s);
void probe_option_set_done(ProbeOptionSet *s);
/* Appends every distinct backend option to out (room for PROBE_OPTION_NAMES_MAX) as
 * { name, required_argument or no_argument, NULL, base + k }; returns how many. */
size_t probe_option_set_longopts(struct option *out, int base);
/* The option getopt returned as base + k, with its value: parsed by each backend that has it. */
int probe_option_set_apply(ProbeOptionSet *s, int k, const char *value, Error *e);
/* Each backend's check across its options. */
int probe_option_set_check(const ProbeOptionSet *s, Error *e);
/* The same for the n backends of sel only (the others do not run). */
int probe_option_set_check_some(const ProbeOptionSet *s, const ProbeBackend *const *sel, size_t n, Error *e);
/* The name of the next option given that none of the n backends of sel takes, from *k on (start at
 * 0); NULL past the last. */
const char *probe_option_set_unused(const ProbeOptionSet *s, const ProbeBackend *const *sel, size_t n, size_t *k);
/* The backend's options struct (NULL: it has none) and its targets. */
const void *probe_option_set_of(const ProbeOptionSet *s, const ProbeBackend *b);
size_t probe_option_set_targets(const ProbeOptionSet *s, const ProbeBackend *b, const char *const **ret);
/* Whether any backend was given a target. */
bool probe_option_set_any_target(const ProbeOptionSet *s);
/* Hands a target to the backend's target option (before each of its runs). */
int probe_option_set_target(ProbeOptionSet *s, const ProbeBackend *b, const char *target, Error *e);
/* The help of every backend's options, a section each under its heading. */
void probe_option_set_help(FILE *f);
