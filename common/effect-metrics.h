/* SPDX-License-Identifier: MIT */
/* The probe metrics a policy rule may name as its expected effect ("effect_metrics"), as
 * "PROBE.METRIC": the one list the policy loader validates against and apply --verify judges by.
 * It must equal the probes' own metric tables (probes/probe-*.c); a unit test checks. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

extern const char *const effect_metric_names[];
extern const size_t effect_metric_count;

bool effect_metric_known(const char *name);
/* The catalogue name nearest to name (edit distance), for "did you mean". */
const char *effect_metric_nearest(const char *name);
