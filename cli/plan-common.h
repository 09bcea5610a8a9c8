/* SPDX-License-Identifier: MIT */
/* Building, loading and showing plans for `skytune plan` and `skytune apply` (also for the apply
 * path that hands a plan to skytune-helper). Functions log their errors and return negative errno. */
#pragma once

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "policy.h"
#include "sysroot.h"

#define PLAN_DEFAULT_POLICY "balanced"

typedef struct PlanArgs {
        const char *policy;             /* NAME or FILE; NULL: balanced */
        const char *profile;            /* saved profile; NULL: profile now */
        const char *sysroot;
        double duration, interval;      /* of the profile taken now */
        Risk allow_risk;                /* _RISK_INVALID: the policy's allow_risk */
        char **targets;
        size_t n_targets;
        bool persist;
        bool json;
        bool duration_set;              /* --duration given */
} PlanArgs;

#define PLAN_ARGS_INIT ((PlanArgs) { .duration = 10, .interval = 1, .allow_risk = _RISK_INVALID })

enum {
        PLAN_OPT_POLICY = 0x200,
        PLAN_OPT_PROFILE,
        PLAN_OPT_ALLOW_RISK,
        PLAN_OPT_TARGET,
        PLAN_OPT_SYSROOT,
        PLAN_OPT_DURATION,
        PLAN_OPT_PERSIST,
        PLAN_OPT_JSON,
};

/* The options plan and apply share, for their getopt_long tables. */
#define PLAN_COMMON_OPTIONS                                                     \
        { "policy", required_argument, NULL, PLAN_OPT_POLICY },                 \
        { "profile", required_argument, NULL, PLAN_OPT_PROFILE },               \
        { "allow-risk", required_argument, NULL, PLAN_OPT_ALLOW_RISK },         \
        { "target", required_argument, NULL, PLAN_OPT_TARGET },                 \
        { "sysroot", required_argument, NULL, PLAN_OPT_SYSROOT },               \
        { "duration", required_argument, NULL, PLAN_OPT_DURATION },             \
        { "persist", no_argument, NULL, PLAN_OPT_PERSIST },                     \
        { "json", no_argument, NULL, PLAN_OPT_JSON }

/* 1: handled; 0: not a shared option; -EINVAL: bad argument (logged). */
int plan_args_option(PlanArgs *a, int opt, const char *arg);
/* After parsing: EXIT_OK, or EXIT_USAGE for options that contradict each other (logged). */
int plan_args_check(const PlanArgs *a);
void plan_args_done(PlanArgs *a);

/* Policy search path with the sysroot, and the policy (errors logged as file:line: message). */
int cli_load_policy(const char *sysroot_path, const char *name_or_file, Policy **ret);
int cli_load_json(const char *path, const char *what, json_t **ret);
/* A plan file checked as skytune-helper checks a plan (dryrun_load_plan); logs why not. */
int cli_load_plan(const Sysroot *root, const char *path, json_t **ret);
/* Load the policy and the profile (or profile now), and build the plan. -EINTR (not logged) when
 * Ctrl-C stopped the profile taken now: a plan is never made from a truncated window. */
int cli_build_plan(const PlanArgs *a, const Sysroot *root, json_t **ret);
