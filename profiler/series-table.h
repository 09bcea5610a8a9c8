/* SPDX-License-Identifier: MIT */
/* The summariser of the metric stream (metric-sink.h): one fixed-size SeriesStat per series (resource,
 * object, name), so its memory grows with the number of series, never with the window's length.
 * The profile's series are written from it (report_stream_series walks it with series_table_at) with
 * the same figures the window arrays gave: exact while a series is at most SERIES_EXACT_MAX long, p95
 * from a histogram beyond. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "metric-sink.h"
#include "series.h"

typedef struct SeriesTable SeriesTable;

int series_table_new(SeriesTable **ret);
SeriesTable *series_table_free(SeriesTable *t);
/* Add one point to its series (created at its first point) of collector number `collector`. */
int series_table_add(SeriesTable *t, unsigned collector, const MetricPoint *p);
/* The summary of one series; -ENOENT when it never had a point. */
int series_table_get(const SeriesTable *t, const char *resource, const char *object, const char *name,
                     SeriesSummary *ret);
/* The i-th series (i < series_table_size(t)), in the order they first came; the strings are the
 * table's. */
typedef struct SeriesView {
        unsigned collector;
        const char *resource, *object, *name, *unit;
        bool time;              /* weighted by time (METRIC_WEIGHT_TIME) */
        const SeriesStat *stat; /* series_stat_summary() gives its figures */
} SeriesView;
void series_table_at(const SeriesTable *t, size_t i, SeriesView *ret);
size_t series_table_size(const SeriesTable *t);
/* Bytes held by the table and its series. */
size_t series_table_memory(const SeriesTable *t);
