/* SPDX-License-Identifier: MIT */
/* Policies: libconfig files of static settings and evidence-driven rules (docs/policy.md). Loading
 * resolves includes (later wins), checks every field against the schema and the tunable allowlist,
 * and fails as a whole with file:line in an OptError: a bad policy never yields a partial result. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "schema.h"
#include "cond.h"
#include "opt-error.h"
#include "tunable.h"
#include "valop.h"

/* The JSON documents of `skytune policy` (docs/policy.md). */

typedef enum Risk {
        RISK_LOW,
        RISK_MEDIUM,
        RISK_HIGH,
        _RISK_MAX,
        _RISK_INVALID = -1,
} Risk;

Risk risk_from_string(const char *s);
const char *risk_to_string(Risk r);

typedef struct PolicyRule {
        char *id;
        bool setting;           /* from settings: applies without a condition */
        TunableKind kind;
        char *key;              /* may hold '$' (the foreach element); ulimit "$:RESOURCE" for targets */
        char *value_text;
        ValOp value;
        char *when_text;
        Cond *when;             /* NULL for settings */
        char *foreach;          /* path of an object whose members the rule runs over, or NULL */
        char *reason;
        char *effect;
        char **effect_metrics;  /* probe metrics the change should move (policy-effect.h) */
        size_t n_effect_metrics;
        bool has_effect_metrics;        /* the field was given (an empty list: no probe measures it) */
        char *source;
        char *confidence;       /* "high" (default), "medium", "low" */
        Risk risk;
        bool has_floor, has_cap;
        long long floor, cap;
        char *file;
        unsigned line;
        unsigned value_line, when_line;  /* where value and when are (0: absent) */
} PolicyRule;

typedef struct Policy {
        char *name;
        char *description;
        char *file;             /* the policy's own file */
        Risk allow_risk;
        char **files;           /* every file merged, includes first */
        size_t n_files;
        char **targets;         /* processes and units whose limits are checked */
        size_t n_targets;
        PolicyRule *rules;      /* settings and rules in merged order */
        size_t n_rules;
} Policy;

Policy *policy_free(Policy *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(Policy *, policy_free);

/* Where policies are found, in order: SKYTUNE_POLICY_PATH (colon-separated directories) when set;
 * otherwise <sysroot>/etc/skytune/policies, SKYTUNE_POLICY_DIR, SKYTUNE_SOURCE_POLICY_DIR. */
typedef struct PolicySearch {
        char **dirs;
        size_t n_dirs;
} PolicySearch;

int policy_search_init(PolicySearch *s, const char *sysroot_path);
void policy_search_done(PolicySearch *s);

/* NAME (found in the search path) or a FILE (contains '/' or ends in ".conf"). */
int policy_load(const PolicySearch *s, const char *name_or_file, Policy **ret, OptError *err);
/* The path a name resolves to; -ENOENT when no directory has it. */
int policy_find(const PolicySearch *s, const char *name, const char *skip_realpath, char **ret);

typedef struct PolicyListEntry {
        char *name;
        char *path;
        char *description;      /* NULL when the file does not load */
        char *error;            /* why it does not load */
        bool shadowed;          /* an earlier directory has the same name */
} PolicyListEntry;

int policy_list(const PolicySearch *s, PolicyListEntry **ret, size_t *ret_n);
void policy_list_free(PolicyListEntry *l, size_t n);

/* The merged policy as libconfig text that loads to the same policy, with origins in comments. */
int policy_format(const Policy *p, char **ret);
json_t *policy_to_json(const Policy *p);
