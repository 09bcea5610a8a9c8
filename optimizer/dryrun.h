/* SPDX-License-Identifier: MIT */
/* The exact effect of applying a plan, computed without writing anything: every live value from ->
 * to, read again now, and the unified diff of each owned file the apply would write (persistent forms
 * with persist, and always the files that are the only mechanism of a change: unit drop-ins, limits.d,
 * system.conf.d). */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "opt-error.h"
#include "sysroot.h"

/* A plan read from a file is checked like the helper checks it: a change outside the allowlist is an
 * error naming changes[i]. *ret: { live: [ {kind, key, from, to, mechanism, status} ], files: [ {path,
 * exists, changed, diff} ], pending: N }; status is "change", "unchanged", "unsupported" or "file". */
int dryrun_effects(const Sysroot *root, const json_t *plan, bool persist, json_t **ret, OptError *err);
/* The plan's structure as the helper reads it (schema, changes[] with kind/key/proposed). */
int dryrun_check_plan(const json_t *plan, OptError *err);
