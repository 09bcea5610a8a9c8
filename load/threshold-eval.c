/* SPDX-License-Identifier: MIT */
#include "threshold-eval.h"

#include <math.h>

static double pct(const Histogram *h, double p) {
        return histogram_count(h) ? (double) histogram_percentile(h, p) : NAN;
}

double load_metric(const LoadgenResults *r, double span_s, ThresholdMetric m) {
        const LoadgenCounters *c = &r->c;
        const Histogram *lat = r->h[LOADGEN_H_LATENCY];
        double done = (double) c->done;
        switch (m) {
        case THRESHOLD_P50:
                return pct(lat, 50);
        case THRESHOLD_P90:
                return pct(lat, 90);
        case THRESHOLD_P95:
                return pct(lat, 95);
        case THRESHOLD_P99:
                return pct(lat, 99);
        case THRESHOLD_P999:
                return pct(lat, 99.9);
        case THRESHOLD_MAX:
                return histogram_count(lat) ? (double) histogram_max(lat) : NAN;
        case THRESHOLD_MEAN:
                return histogram_mean(lat);
        case THRESHOLD_ERROR_RATE:
                return done > 0 ? (done - (double) c->ok) / done : NAN;
        case THRESHOLD_SUCCESS_RATE:
                return done > 0 ? (double) c->ok / done : NAN;
        case THRESHOLD_RPS:
                return span_s > 0 ? done / span_s : NAN;
        case THRESHOLD_OK_RPS:
                return span_s > 0 ? (double) c->ok / span_s : NAN;
        case THRESHOLD_SENT_RPS:
                return span_s > 0 ? (double) c->sent / span_s : NAN;
        case THRESHOLD_LATENESS_P99:
                return pct(r->h[LOADGEN_H_LATENESS], 99);
        default:
                return NAN;
        }
}

bool load_threshold_interval(LoadThresholdRun *tr, const LoadgenResults *r, double start_s, double end_s) {
        const Threshold *t = tr->t;
        if (!(t->for_s > 0) || !isnan(tr->failed_at_s))
                return false;
        double v = load_metric(r, end_s - start_s, t->metric);
        /* An interval without data (nothing answered) breaks a latency threshold no more than it
         * keeps it: the streak waits. Rates without data are broken (nothing was served). */
        if (!threshold_streak(t, v, start_s, end_s, &tr->broken_since_s, &tr->failed_at_s))
                return false;
        tr->passed = false;
        return t->abort;
}

void load_threshold_final(LoadThresholdRun *tr, const LoadgenResults *r, double span_s) {
        tr->observed = load_metric(r, span_s, tr->t->metric);
        if (tr->t->for_s > 0)
                tr->passed = isnan(tr->failed_at_s);
        else
                tr->passed = threshold_holds(tr->t, tr->observed);
}
