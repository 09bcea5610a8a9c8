/* SPDX-License-Identifier: MIT */
/* Plan validation: the one check of a `skytune.plan/1` document that both skytune-helper (before it
 * asks polkit, and again before it writes) and `skytune apply --dry-run` run, so that every plan the
 * helper refuses the dry run refuses too, with the same message. Only schema, persist and changes[]
 * {kind, key, proposed, mechanism, persist_file, allow_critical_process} matter; everything else is
 * ignored. Nothing in the plan is trusted: each change is checked against the allowlist of
 * common/tunable.h, and one bad change refuses the whole plan. No D-Bus, no printing. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "macro.h"
#include "schema.h"
#include "sysroot.h"
#include "tunable.h"

#define PLAN_MAX_BYTES (1024 * 1024)    /* bytes of plan JSON */
#define PLAN_MAX_CHANGES 256

/* One validated change. Keys are canonical, values normalized. */
typedef struct PlanChange {
        TunableKind kind;
        char *key;
        char *proposed;
        char *mechanism;                /* from the plan, informational; may be NULL */
        bool allow_critical_process;    /* the high-risk opt-in: a ulimit of PID 1 or of skytune-helper */
} PlanChange;

typedef struct Plan {
        bool persist;
        PlanChange *changes;
        size_t n_changes;
} Plan;

/* Parse len bytes of plan JSON (no NUL needed: the fuzzer's entry point) and check every change;
 * with root also against the host (plan_check_change_host). 0 and *ret (when ret is not NULL) on
 * success; on refusal -EINVAL and ret_error (when not NULL; its message may be NULL on ENOMEM) naming
 * the change and the reason; other negative errnos only for allocation failures. */
int plan_validate(const char *text, size_t len, const Sysroot *root, Plan **ret, Error *ret_error);

/* The host's part for changes[i]: a governor, energy preference or scheduler the host offers (when the
 * host has the attribute at all: without it the change is skipped as unavailable, not refused), and no
 * ulimit of PID 1 or of skytune-helper without allow_critical_process. -EINVAL and ret_error. */
int plan_check_change_host(const Sysroot *root, const Plan *plan, size_t i, Error *ret_error);

/* Why skytune-helper refuses this (canonical) key whatever the value, or NULL: sysctls whose kernel
 * handler checks a capability the helper does not keep (helper/caps.c). The optimizer holds such a
 * change back instead of proposing it. */
const char *plan_key_refused(TunableKind kind, const char *key);

Plan *plan_free(Plan *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(Plan *, plan_free);
