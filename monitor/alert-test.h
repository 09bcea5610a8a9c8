/* SPDX-License-Identifier: MIT */
/* Rule tests (docs/monitor.md, Testing rules): a libconfig file of series and timed expectations,
 * replayed through alert rules on a synthetic clock, as `promtool test rules` does for Prometheus:
 *
 *   interval = "1s";
 *   series = ( { name = "cpu.utilization_pct"; values = "50x120 97x300 _x10 10x200"; } );
 *   expect = ( { at = "150s"; alert = "HostCPUBusy"; state = "pending"; level = "crit"; } );
 *
 * values: "V" one sample, "VxN" N samples of V, "V+DxN" / "V-DxN" N samples from V by steps of D,
 * "_" and "_xN" no data (N samples each; promtool's "xN" gives N + 1). Every mistake, and every
 * expectation not met, is reported at file:line. */
#pragma once

#include <stddef.h>

#include "alert-rule.h"
#include "error.h"

typedef struct AlertTest AlertTest;

/* -EINVAL with *e at file:line for a mistake (an unknown alert among the expectations included). */
int alert_test_load(const char *path, const AlertRules *rules, AlertTest **ret, Error *e);
AlertTest *alert_test_free(AlertTest *t);
size_t alert_test_expectations(const AlertTest *t);
/* The evaluations a run makes: the longest series or the last expectation, whichever is later. */
int64_t alert_test_steps(const AlertTest *t);

/* Called for every expectation not met: its line and what was found instead. */
typedef void (*alert_test_fail_fn)(const char *file, unsigned line, const char *msg, void *userdata);
/* Replays the series through rules; returns the number of expectations not met (0: all met) or
 * -ENOMEM. */
int alert_test_run(const AlertTest *t, const AlertRules *rules, alert_test_fail_fn fail, void *userdata);
