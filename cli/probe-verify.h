/* SPDX-License-Identifier: MIT */
/* The measuring half of `skytune apply --verify`: baseline and candidate probe rounds, alternating,
 * around the helper's Apply and Rollback, a table of verdicts, and rollback on a regressed primary
 * metric when asked. verb-apply parses its own options and hands the --verify ones to
 * apply_verify_option() (see APPLY_VERIFY_OPTIONS), then calls cli_apply_verify() instead of a
 * single helper apply. */
#pragma once

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "probe-options.h"

enum {
        OPT_VERIFY = 0x300, OPT_VERIFY_PROBES, OPT_VERIFY_ROUNDS, OPT_VERIFY_ROUND_S, OPT_VERIFY_URL,
        OPT_VERIFY_ROLLBACK, OPT_VERIFY_SEQUENTIAL, OPT_VERIFY_NOISE,
        OPT_VERIFY_BACKEND = 0x400,     /* + k: the k-th probe backend option (probe-options.h) */
};

#define APPLY_VERIFY_OPTIONS                                                                    \
        { "verify", no_argument, NULL, OPT_VERIFY },                                            \
        { "probes", required_argument, NULL, OPT_VERIFY_PROBES },                               \
        { "rounds", required_argument, NULL, OPT_VERIFY_ROUNDS },                               \
        { "round-duration", required_argument, NULL, OPT_VERIFY_ROUND_S },                      \
        { "url", required_argument, NULL, OPT_VERIFY_URL },                                     \
        { "rollback-on-regression", no_argument, NULL, OPT_VERIFY_ROLLBACK },                   \
        { "sequential", no_argument, NULL, OPT_VERIFY_SEQUENTIAL },                             \
        { "noise", required_argument, NULL, OPT_VERIFY_NOISE }

#define APPLY_VERIFY_USAGE                                                                      \
        "  --verify             measure before and after with probes, alternating baseline and\n" \
        "                       candidate rounds (A B A B), and print a verdict per metric; other\n" \
        "                       load widens the threshold by how much it differed between paired\n" \
        "                       rounds, and rounds the host refused count as its worst (docs/probes.md)\n" \
        "  --probes LIST        probes to verify with (default: those measuring the metrics the plan's\n" \
        "                       rules name in effect_metrics, else net,sched; see 'skytune probe --help')\n" \
        "  --rounds N           rounds per side (default 7; fewer than 5 give no verdict)\n" \
        "  --round-duration S   length of one round (default 1)\n"                             \
        "  --url URL            target of the http probe (adds http to the probes)\n"          \
        "  --dsn DSN            target of the db probe (adds db); the probes' other options\n" \
        "                       are those of 'skytune probe --help' (--password-file)\n"     \
        "  --rollback-on-regression  roll the transaction back when a primary metric regressed\n" \
        "  --sequential         all baseline rounds first, then all candidate rounds\n"        \
        "  --noise PCT          smallest change that counts, in percent (default 2)\n"

typedef struct ApplyVerifyArgs {
        bool verify, rollback_on_regression, sequential;
        char *probes;                   /* comma-separated, NULL: default */
        unsigned rounds;
        double round_s, noise;
        char *url;
        ProbeOptionSet *backend;        /* the probes' own options given (NULL: none) */
} ApplyVerifyArgs;

#define APPLY_VERIFY_ARGS_INIT { .rounds = 7, .round_s = 1, .noise = 0.02 }

/* 1: the option was one of APPLY_VERIFY_OPTIONS and is taken; 0: not ours; <0: bad value (logged). */
int apply_verify_option(ApplyVerifyArgs *a, int c, const char *arg);
void apply_verify_args_done(ApplyVerifyArgs *a);
/* Appends the probes' own options that the table before them (head, ending with {0}) lacks, as
 * OPT_VERIFY_BACKEND + k; room for PROBE_OPTION_NAMES_MAX. Returns how many. */
size_t apply_verify_backend_longopts(const struct option *head, struct option *out);

/* Runs the verification: the metrics the plan's changes name (effect_metrics) are judged as primary,
 * and without --probes their probes are the ones run; a plan that names none says so before
 * measuring and each probe's own primary metric is judged. The plan is applied and rolled back through the helper as the rounds
 * alternate, and is left applied at the end, unless a primary metric regressed and
 * rollback_on_regression is set, or measuring failed (then it is rolled back and this fails).
 * The verdicts, the decision and the ids of every transaction the rounds used are stored with the
 * last transaction (AnnotateTransaction; a failure to store is a warning).
 * Prints the table (or nothing with json: *ret gets {"verify": ..., "tx": ..., "rolled_back": ..};
 * "tx" is the transaction as saved, with its "verification").
 * Returns 0 when the run completed (whatever the verdicts), else a negative errno (logged). */
int cli_apply_verify(const json_t *plan, const char *plan_json, uint64_t helper_flags, const ApplyVerifyArgs *a,
                     bool json, json_t **ret);

/* The distinct effect_metrics of the plan's changes (strings owned by plan; *ret freed by the
 * caller), and the comma-separated probes that measure them (NULL when none; one that takes a
 * target only when has_target says it was given one). */
int verify_effects_collect(const json_t *plan, const char ***ret, size_t *ret_n);
int verify_effects_probes(const char *const *names, size_t n, bool (*has_target)(const ProbeBackend *b, const void *u),
                          const void *userdata, char **ret);

/* What `skytune apply --verify` does after planning: nothing to verify when pending is 0; else asks
 * (on a terminal, unless yes), then cli_apply_verify(); with json prints the plan with "verify",
 * "transaction", "transaction_id" and "rolled_back" added. Exit code: 0, or 1 when it failed or a
 * primary metric regressed (rolled back or not). */
int cli_apply_plan_verified(json_t *plan, long long pending, bool yes, bool json, const ApplyVerifyArgs *a);

struct VerifyResult;
/* The verdict table: probe, metric, baseline, candidate, change [interval], verdict. */
void probe_verify_render(FILE *f, const struct VerifyResult *r);
/* The verdict table and summary of a document: render/render-probe.h. */
#include "render-probe.h"
