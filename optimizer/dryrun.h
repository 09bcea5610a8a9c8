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

/* The plan is checked by the helper's own code (common/plan-validate.h) over the bytes 'skytune apply'
 * would send, host checks included, so every plan the helper refuses is refused here with the same
 * message. *ret: { live: [ {kind, key, from, to, mechanism, status} ], files: [ {path, exists, changed,
 * diff} ], warnings: [ {message} ], pending: N }; status is "change", "unchanged", "unsupported" or
 * "file". */
int dryrun_effects(const Sysroot *root, const json_t *plan, bool persist, json_t **ret, OptError *err);
/* The plan as skytune-helper will read it: compact JSON, validated by plan_validate() against root. */
int dryrun_check_plan(const Sysroot *root, const json_t *plan, OptError *err);
/* A plan file ("-": standard input) checked byte for byte as the helper checks what it receives (size,
 * duplicate members, types, values, host), then parsed. */
int dryrun_load_plan(const Sysroot *root, const char *path, json_t **ret, OptError *err);
