/* SPDX-License-Identifier: MIT */
#pragma once

/* What a plan's rules see besides the profile: the kernel's limits and the targets. Internal to
 * plan.c; apart so that the rule engine there stays about rules. */

#include <jansson.h>

#include "plan.h"
#include "targets.h"

/* fs.nr_open and min(kernel.threads-max, kernel.pid_max); -1 where unknown. */
void plan_kernel_limits(const Sysroot *root, long long *ret_nr_open, long long *ret_nproc_max);

/* Scans the targets: the policy's, the command line's, and the processes the profile found near
 * their open-files limit, once each. */
int plan_scan_targets(const PlanOptions *o, Target **ret, size_t *ret_n);

/* The rules' context document {"targets": ..., "limits": ...}; NULL when out of memory. */
json_t *plan_context_json(const Sysroot *root, const Target *t, size_t n, long long nr_open, long long nproc_max);
