/* SPDX-License-Identifier: MIT */
/* The metric paths policy rules read (their when conditions, foreach objects and value operators
 * such as ">=2*targets.$.nofile.used"), checked against the metric catalogue (metric-catalog.h) and
 * against a profile. */
#pragma once

#include <jansson.h>

#include "metric-catalog.h"
#include "opt-error.h"
#include "policy.h"

/* Adds what the optimizer puts beside the profile for rules to read (targets, limits). */
int policy_metric_catalog(MetricCatalog *c);

/* Every path of every rule is in the catalogue, or a "tunables.KIND.KEY" of the allowlist: else
 * -EINVAL and err names the rule's file:line, the path and the nearest known one. */
int policy_check_metrics(const Policy *p, const MetricCatalog *c, OptError *err);

/* One warning (a string) into warnings for each path a rule reads that this profile does not have,
 * naming the rule and its file:line: such a rule cannot fire on this host. Paths under exists(),
 * targets and limits (measured when planning) are not checked. */
int policy_missing_metrics(const Policy *p, const json_t *profile, json_t *warnings);
