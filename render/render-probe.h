/* SPDX-License-Identifier: MIT */
/* The renderers of probe runs (skytune.probe/1 entries) and verification records (skytune.verify/1),
 * from the documents only (render.h says the rules). */
#pragma once

#include <jansson.h>
#include <stdio.h>

/* One run of a probe document's "probes"; target: what it ran against (its URL), or NULL. */
int render_probe_entry(FILE *f, const json_t *entry, const char *target);
/* The verdict table: probe, metric, baseline, candidate, change [interval], verdict. */
int render_verify(FILE *f, const json_t *verify);
/* One line for a list: the decision and the primary metrics' verdicts ("kept: http successful_rps
 * improved +12.3%", "rolled-back: 2 primary metrics, 1 regressed, 1 unchanged"). */
const char *render_verify_summary(const json_t *verification, char *buf, size_t len);
/* A number for a table: 4 significant digits, k/M/G above 10^4, "-" for NAN. */
const char *render_probe_value(double v, char *buf, size_t len);
