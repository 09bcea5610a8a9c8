/* SPDX-License-Identifier: MIT */
/* Plans: a profile and a policy in, the `skytune.plan/1` JSON document out (docs/plan.md). Current
 * values are read live through the Sysroot; nothing is ever written. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "opt-error.h"
#include "plan-validate.h"         /* PLAN_SCHEMA */
#include "policy.h"
#include "sysroot.h"

typedef struct PlanOptions {
        const Policy *policy;
        const json_t *profile;
        const Sysroot *root;
        Risk allow_risk;                /* _RISK_INVALID: what the policy allows */
        char *const *targets;           /* --target names, added to the policy's */
        size_t n_targets;
        bool persist;                   /* recorded as the plan's "persist" */
        const char *profile_source;     /* a file path, or NULL when profiled just now */
} PlanOptions;

int plan_build(const PlanOptions *o, json_t **ret, OptError *err);
