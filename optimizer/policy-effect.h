/* SPDX-License-Identifier: MIT */
/* A rule's effect_metrics: the probe metrics ("PROBE.METRIC", common/effect-metrics.h) its change
 * is expected to move, which apply --verify judges as primary. An empty list says that no probe
 * measures the change. */
#pragma once

#include <libconfig.h>
#include <stddef.h>

#include "opt-error.h"

/* Parse the setting (a list or array of strings) into *ret / *ret_n (freed by the caller, also on
 * failure). An unknown name fails with file:line and the nearest known name. */
int policy_parse_effect_metrics(const config_setting_t *s, const char *file, OptError *err, char ***ret, size_t *ret_n);
