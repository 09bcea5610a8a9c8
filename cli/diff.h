/* SPDX-License-Identifier: MIT */
/* skytune diff: two documents of one kind (profiles, plans or probe runs) are each flattened into
 * the same shape, then compared member by member. Nothing in the documents is trusted: a member of
 * the wrong type is skipped, never dereferenced. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "schema.h"

typedef enum DiffKind {
        DIFF_PROFILE,
        DIFF_PLAN,
        DIFF_PROBE,
        _DIFF_KIND_MAX,
        _DIFF_KIND_INVALID = -1,
} DiffKind;

/* The kind of a document from its "schema" member; _DIFF_KIND_INVALID for anything else. */
DiffKind diff_kind_of(const json_t *doc);
const char *diff_kind_name(DiffKind k);

/* The flat form: { metrics: {PATH: {value, unit?, min?, max?, n?}}, tunables: {NAME: "value"},
 * findings: {ID: "message"}, facts: {NAME: "value"} }. -ENOMEM only. */
int diff_flatten(DiffKind kind, const json_t *doc, json_t **ret);

/* The skytune.diff/1 document of two flat forms (docs/verbs.md); all: unchanged metrics too. */
int diff_compare(const json_t *a, const json_t *b, bool all, json_t **ret);

/* The comparison for people: render_diff() (render.h). */
