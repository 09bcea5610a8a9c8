/* SPDX-License-Identifier: MIT */
/* How collectors put results into the profile document (layout in docs/profile.md):
 *   resources.<resource>[.<object path>].<metric> = {"unit", "value", and for series min/avg/max/p95/n}
 *   resources.<resource>.unavailable.<name>       = "reason"
 *   host.<fact>                                   (collectors set members of report_host())
 *   findings[]                                    the rows of rules/findings.conf that hold over the
 *                                                 rest, ranked at the end: errors, saturation,
 *                                                 utilization (collectors emit metrics, never findings)
 *   tunables.<kind>.<key> = "value";  tunables.unavailable[] = {kind, key?, reason}
 * The object path uses '/' between levels, e.g. "devices/vda" -> resources.disk.devices.vda. */
#pragma once

#include <jansson.h>
#include <stddef.h>

#include "macro.h"
#include "series.h"
#include "tunable.h"

typedef struct Report Report;

int report_new(Report **ret);
Report *report_free(Report *r);

json_t *report_host(Report *r);
/* A fact about one resource (e.g. a disk's rotational flag): resources.<resource>[.<object>].<name>. */
int report_fact(Report *r, const char *resource, const char *object, const char *name, json_t *value /* stolen */);

/* A metric sampled over the window; n == 0 reports nothing. Each value weighs w[i] in the summary
 * (series_summarize_weighted): for a rate, the length of its interval, so that "value" is the total
 * delta over the total time; then the metric also says the time it covers ("span_s") and, when its
 * intervals differ by more than 10 %, the shortest and the longest. */
int report_series_weighted(Report *r, const char *resource, const char *object, const char *name, const char *unit,
                           const double *v, const double *w, size_t n);
/* Per-interval ratios each weighted by its denominator (w: segments sent, I/Os completed), so that
 * "value" is the ratio of the window's totals; no span_s. */
int report_ratio_series(Report *r, const char *resource, const char *object, const char *name, const char *unit,
                        const double *v, const double *w, size_t n);
/* A series summarised already (series-table.h); time: as report_series_weighted (span_s and the
 * extreme intervals), otherwise as report_ratio_series. n == 0 reports nothing. */
int report_summary(Report *r, const char *resource, const char *object, const char *name, const char *unit,
                   const SeriesSummary *s, bool time);
/* The summaries of the emitted stream (not owned), for the series and the collectors' findings. */
struct SeriesTable;
void report_set_series(Report *r, const struct SeriesTable *t);
/* The collector (its number in collector_table) whose report() runs next (the profiler sets it). */
void report_begin_collector(Report *r, unsigned collector);
/* Writes that collector's streamed series here, once: a collector's report() calls it where its
 * series belong among its gauges and facts; the profiler calls it after report() otherwise. */
int report_stream_series(Report *r);
/* Write one streamed series of the collector whose report() runs (report_begin_collector) where it
 * belongs among its gauges and facts: report_stream_series later writes it again in the same place
 * with the same figures. Nothing when it has no point. */
int report_streamed(Report *rep, const char *resource, const char *object, const char *name, const char *unit,
                    bool time);
/* The summary of a streamed series (object NULL at the resource's level); -ENOENT when absent. */
int report_series_summary(Report *r, const char *resource, const char *object, const char *name,
                          SeriesSummary *ret);
/* The same with equal weights (gauges read at each sample). */
int report_series(Report *r, const char *resource, const char *object, const char *name, const char *unit,
                  const double *v, size_t n);
/* A Series of rates pushed with series_push_rate (or of gauges: report_gauge_series). */
int report_rate_series(Report *r, const char *resource, const char *object, const char *name, const char *unit,
                       const Series *s);
int report_gauge_series(Report *r, const char *resource, const char *object, const char *name, const char *unit,
                        const Series *s);
/* A metric with one value (an instant gauge, or a rate over the whole window). */
int report_gauge(Report *r, const char *resource, const char *object, const char *name, const char *unit, double v);
int report_unavailable(Report *r, const char *resource, const char *name, const char *fmt, ...) _printf_(4, 5);
/* What the window says about rates that could not be computed ("one sample only: ...", "the window was
 * interrupted after 2.5 s"), set by the profiler before the collectors report; "" for a full window. */
int report_set_rates_hint(Report *r, const char *hint);
/* resources.<resource>.unavailable.<name>: source gave fewer than two readable samples, so no rates. */
int report_rates_unavailable(Report *r, const char *resource, const char *name, const char *source);

int report_tunable(Report *r, TunableKind kind, const char *key, const char *value);
int report_tunable_unavailable(Report *r, TunableKind kind, const char *key, const char *fmt, ...) _printf_(4, 5);

/* Assemble the document; the Report keeps ownership of nothing afterwards. */
int report_finish(Report *r, json_t **ret);
