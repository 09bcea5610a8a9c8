/* SPDX-License-Identifier: MIT */
/* Value operators of a policy change:
 *   "10"                       set
 *   ">=4096"  "<=10"           only raise / only lower (multi-value sysctls element by element,
 *                              ulimits soft and hard each, infinity the largest)
 *   "none|mq-deadline"         acceptable alternatives, the first supported one preferred; a current
 *                              value that is already one of the supported alternatives is kept
 *   "2*current" ">=2*PATH"     scaling: a factor times the current value or a measured value
 * A rule's floor and cap bound a computed number. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "tunable.h"

typedef enum ValOpKind {
        VALOP_SET,
        VALOP_RAISE,
        VALOP_LOWER,
        VALOP_ALTERNATIVES,
} ValOpKind;

typedef struct ValOp {
        ValOpKind kind;
        char *literal;          /* SET, RAISE, LOWER without scaling */
        double factor;          /* scaling: factor * ref */
        char *ref;              /* "current" or a metric path (may hold '$'); NULL without scaling */
        char **alts;
        size_t n_alts;
} ValOp;

/* -EINVAL with the reason in e (may be NULL) when text is not a value operator. */
int valop_parse(const char *text, ValOp *ret, Error *e);
void valop_done(ValOp *op);
/* Check the literal parts against the allowlist of kind/key (key canonical, '$' already replaced by
 * a sample name). -EINVAL / -ERANGE with the reason in e. */
int valop_check(const ValOp *op, TunableKind kind, const char *key, Error *e);

typedef struct ValInput {
        TunableKind kind;
        const char *key;                /* canonical */
        const char *current;            /* normalized, NULL when unknown */
        bool has_ref;
        double ref;                     /* value of op->ref ("current" resolved by the caller too) */
        char **supported;               /* NULL: every value the allowlist accepts */
        size_t n_supported;
        bool has_floor, has_cap;
        long long floor, cap;
} ValInput;

/* The proposed value, normalized. -ENODATA with why in e when nothing can be proposed. */
int valop_compute(const ValOp *op, const ValInput *in, char **ret, Error *e);
