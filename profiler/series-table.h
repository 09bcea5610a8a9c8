/* SPDX-License-Identifier: MIT */
/* The summariser of the metric stream (metric-sink.h): one fixed-size SeriesStat per series (resource,
 * object, name), so its memory grows with the number of series, never with the window's length.
 * The profile's series are written from it (series_table_report) with the same figures the window
 * arrays gave: exact while a series is at most SERIES_EXACT_MAX long, p95 from a histogram beyond. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "metric-sink.h"
#include "series.h"

typedef struct Report Report;
typedef struct SeriesTable SeriesTable;

int series_table_new(SeriesTable **ret);
SeriesTable *series_table_free(SeriesTable *t);
/* Add one point to its series (created at its first point) of collector number `collector`. */
int series_table_add(SeriesTable *t, unsigned collector, const MetricPoint *p);
/* The summary of one series; -ENOENT when it never had a point. */
int series_table_get(const SeriesTable *t, const char *resource, const char *object, const char *name,
                     SeriesSummary *ret);
/* Write every series of collector number `collector` into rep, in the order they first came. */
int series_table_report(const SeriesTable *t, unsigned collector, Report *rep);
size_t series_table_size(const SeriesTable *t);
/* Bytes held by the table and its series. */
size_t series_table_memory(const SeriesTable *t);

/* Write one streamed series of the collector whose report() runs (report_begin_collector) where it
 * belongs among its gauges and facts: report_stream_series later writes it again in the same place
 * with the same figures. Nothing when it has no point. */
int report_streamed(Report *rep, const char *resource, const char *object, const char *name, const char *unit,
                    bool time);
