/* SPDX-License-Identifier: MIT */
/* threshold: a pass/fail condition on a run's results (skytune load, stress, db load and query), k6-style:
 *     p99 < 500ms     error_rate < 1%     rps > 900     p95 <= 0.2s for 10s     success_rate >= 99.5%
 * `METRIC OP VALUE[UNIT] [for DURATION] [abort]`. Latency metrics (p50 p90 p95 p99 p99.9 max mean, of
 * successful requests, latency from the intended send time) take us, ms, s (no unit: ms); rates
 * (error_rate, success_rate) take % (no unit: a fraction 0..1); rps (completed per second), ok_rps,
 * sent_rps take a number; lateness_p99 (send lateness) a time.
 * Without `for` a threshold is judged once on the whole run (or step); with `for D` it fails as soon
 * as it was broken in every interval of a window of D seconds, and `abort` ends the run then.
 * Two spellings more: tps (ok_rps: successful requests or committed transactions per second) and
 * errors_pct (error_rate, a plain number read as percent: errors_pct < 1 is error_rate < 1%).
 * Values are held in base units: microseconds, fractions, per second. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "error.h"

/* The exit code of a run whose thresholds did not all pass (skytune load, stress, db load, db query). */
#define THRESHOLD_EXIT_FAILED 4

typedef enum ThresholdMetric {
        THRESHOLD_P50,
        THRESHOLD_P90,
        THRESHOLD_P95,
        THRESHOLD_P99,
        THRESHOLD_P999,
        THRESHOLD_MAX,
        THRESHOLD_MEAN,
        THRESHOLD_ERROR_RATE,
        THRESHOLD_SUCCESS_RATE,
        THRESHOLD_RPS,
        THRESHOLD_OK_RPS,
        THRESHOLD_SENT_RPS,
        THRESHOLD_LATENESS_P99,
        _THRESHOLD_METRIC_MAX,
} ThresholdMetric;

typedef enum ThresholdOp {
        THRESHOLD_LT,
        THRESHOLD_LE,
        THRESHOLD_GT,
        THRESHOLD_GE,
        _THRESHOLD_OP_MAX,
} ThresholdOp;

typedef struct Threshold {
        char *text;             /* as written, for messages and reports */
        unsigned line;          /* in the scenario file; 0: command line */
        ThresholdMetric metric;
        ThresholdOp op;
        double value;           /* base unit */
        double for_s;           /* 0: judged on the whole run */
        bool abort;             /* end the run when it fails */
} Threshold;

typedef struct ThresholdMetricInfo {
        const char *name;       /* "p99", "error_rate" ... */
        const char *unit;       /* "us", "fraction", "1/s" */
} ThresholdMetricInfo;
extern const ThresholdMetricInfo threshold_metrics[_THRESHOLD_METRIC_MAX];

/* Parse text into *ret (ret->text and ret->line set; file names the input for errors, may be NULL).
 * -EINVAL with *e naming what is wrong and what is accepted. */
int threshold_parse(const char *text, const char *file, unsigned line, Threshold *ret, Error *e);
void threshold_done(Threshold *t);
/* Whether value (base unit) meets the threshold. NAN (no data) meets none. */
bool threshold_holds(const Threshold *t, double value);
/* `for D`: the interval [start_s, end_s) had value v. A broken interval extends the streak that began
 * at *broken_since_s (NAN: none), a held one ends it; when the streak covers for_s, *failed_at_s
 * becomes end_s (it stays NAN until then) and this returns true. An interval without data (v NAN)
 * neither breaks nor keeps a threshold on p50 .. mean (the streak waits); any other it breaks. */
bool threshold_streak(const Threshold *t, double v, double start_s, double end_s, double *broken_since_s,
                      double *failed_at_s);
/* "<", "<=", ">", ">=". */
const char *threshold_op_name(ThresholdOp op);
/* A judged threshold as the documents keep it: {text, metric, op, value, unit, for_s, abort, passed,
 * observed, failed_at_s} (values in base units, NAN as null). NULL on OOM. */
json_t *threshold_result_json(const Threshold *t, bool passed, double observed, double failed_at_s);
/* Whether m is a latency (microseconds). */
bool threshold_metric_is_time(ThresholdMetric m);
