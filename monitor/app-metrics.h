/* SPDX-License-Identifier: MIT */
/* The application metrics of one interval (docs/monitor.md, Application metrics): the records that
 * came (app-record.h) gathered per endpoint and method in a mergeable latency histogram
 * (common/histogram.h) with counts and bytes, and per custom metric its last value (or, for the unit
 * "count", the sum); at each tick app_metrics_harvest() hands out the interval's points and starts the
 * next interval. At most max_series endpoint/method pairs and custom names together: records of a new
 * one past that are dropped and counted; idle ones are forgotten (app_metrics_forget). Prints nothing. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app-record.h"

/* Latencies are kept in microseconds up to this (longer ones count at it), to 2 significant digits. */
#define APP_LATENCY_MAX_US UINT64_C(60000000)
/* The longest line read as one record; the rest of a longer one is a bad record. */
#define APP_LINE_MAX 4096

typedef struct AppMetrics AppMetrics;

typedef struct AppMetricsStats {
        size_t series;                  /* endpoint/method pairs and custom names kept */
        uint64_t records;               /* accepted, since start */
        uint64_t dropped[APP_DROP_MAX]; /* since start, by reason */
} AppMetricsStats;

/* The last record dropped, for the log: its reason, and for a bad field the field and the rule. */
typedef struct AppDropNote {
        AppDrop reason;
        const char *field, *why; /* static text; NULL unless reason is APP_DROP_BAD_FIELD */
} AppDropNote;

int app_metrics_new(size_t max_series, AppMetrics **ret);
AppMetrics *app_metrics_free(AppMetrics *a);
/* A new cap (a reload): series kept stay, new ones are refused once max_series are kept. */
void app_metrics_set_max_series(AppMetrics *a, size_t max_series);

/* One parsed record into the interval: 0; -ENOSPC when it is of a new series past the cap (counted);
 * -ENOMEM. */
int app_metrics_add(AppMetrics *a, const AppRecord *r);
/* A datagram: its records one a line (empty lines skipped), each parsed and added, bad ones counted
 * and dropped (*ret_note: the last one's reason). Returns how many were dropped, or -ENOMEM. */
int app_metrics_feed(AppMetrics *a, const char *buf, size_t len, AppDropNote *ret_note);
/* Counts n records lost for a reason outside the records (a truncated datagram). */
void app_metrics_drop(AppMetrics *a, AppDrop reason, uint64_t n);

/* Each point of the interval that ended (interval_s long) with its series name and unit, then the
 * counters monitor.app_records_total and monitor.app_dropped.REASON; a new interval starts. A
 * negative return of emit stops and is returned. */
typedef int (*AppEmit)(void *userdata, const char *name, const char *unit, double value);
int app_metrics_harvest(AppMetrics *a, double interval_s, AppEmit emit, void *userdata);

/* Forgets the endpoint/method pairs and custom metrics that had no record in the last max_idle
 * harvests, so that their places in the cap go to the ones in use: how many went, or -ENOMEM (then
 * nothing changed). */
int app_metrics_forget(AppMetrics *a, unsigned max_idle);

void app_metrics_stats(const AppMetrics *a, AppMetricsStats *ret);
/* Whether records came since the last harvest. */
bool app_metrics_pending(const AppMetrics *a);

/* The latency histogram /metrics serves (Prometheus' histogram type, docs/monitor.md): per endpoint
 * and method, cumulative since the pair's first record (or since it was last forgotten), at fixed
 * upper bounds in seconds (app-metrics.c says why these). A record counts at the microseconds its
 * interval histogram records (clamped at APP_LATENCY_MAX_US), so count and sum are that
 * histogram's, exactly. */
#define APP_LE_N 12
extern const uint64_t app_le_us[APP_LE_N];
typedef struct AppHistogram {
        const char *endpoint, *method; /* the series' parts, app.ENDPOINT.METHOD */
        uint64_t le[APP_LE_N];         /* cumulative: the records of at most app_le_us[i] */
        uint64_t count;                /* all of them: the +Inf bucket */
        double sum_s;
        uint64_t errors; /* the records not a success */
} AppHistogram;
/* Each endpoint/method pair's histogram, in the order the pairs came; a negative return of each
 * stops and is returned. */
typedef int (*AppHistogramEach)(void *userdata, const AppHistogram *h);
int app_metrics_each_histogram(const AppMetrics *a, AppHistogramEach each, void *userdata);

/* Whether name can be one of the series harvested here (the alert rules' check: the names of
 * endpoints and custom metrics are the applications', known only when records come): custom.NAME,
 * app.ENDPOINT.METHOD.STAT with one of the statistics, or the monitor.app_ counters. */
/* The statistics of an endpoint and method, app.ENDPOINT.METHOD.STAT: "requests" (the interval's
 * count), "requests_per_s", the bytes, "errors_pct" and the latencies (app-metrics.c). */
#define APP_REQUEST_STATS 9
extern const char *const app_request_stats[APP_REQUEST_STATS];
bool app_metrics_is_series(const char *name);
