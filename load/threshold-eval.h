/* SPDX-License-Identifier: MIT */
/* threshold-eval: a threshold's metric from results, and its judgement per interval (`for D`) and on
 * the whole run. Internal to load/ (and its tests). */
#pragma once

#include <stdbool.h>

#include "loadgen.h"
#include "run.h"

/* The metric of r over span_s seconds in its base unit (us, fraction, 1/s); NAN when there is no data
 * (no successful request for a latency, nothing completed for a rate). open: attempted counts the
 * arrivals that were due but never sent. */
double load_metric(const LoadgenResults *r, double span_s, ThresholdMetric m);
/* One interval [start_s, end_s) of the threshold's step (or the total). With `for`: a broken interval
 * extends the streak, a held one ends it; the threshold fails (for good) when the streak covers for_s.
 * Returns true when it failed now and has `abort`. Without `for`: nothing. */
bool load_threshold_interval(LoadThresholdRun *tr, const LoadgenResults *r, double start_s, double end_s);
/* At the end: observed on the whole step or run; without `for`, passed is judged on it. */
void load_threshold_final(LoadThresholdRun *tr, const LoadgenResults *r, double span_s);
