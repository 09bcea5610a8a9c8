/* SPDX-License-Identifier: MIT */
/* A collector is one entry in the table in collectors.c: it opens its sources once, reads them at each
 * sample (cheap: pread of kept files and integer parsing, no allocation in the steady state), and
 * either streams (interval: each sample's metrics from its last two samples into a MetricSink, so its
 * memory does not grow with the window; the profile's series come from the summarised stream) or
 * stores raw samples and turns them into metrics at the end. report() gives facts, instant gauges,
 * findings, unavailable notes and tunable values through the Report API. Rates come from counter
 * deltas (series.h handles wrap and reset). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "metric-catalog.h"
#include "metric-sink.h"
#include "report.h"
#include "sysroot.h"

/* What a sample reads (profiler_sample): the cheap sources (QUICK); the costly ones too (FULL), a
 * source proved unchanged by another one read (netstat by snmp) standing for its read; every source,
 * none taken as unchanged (WHOLE): the window's last sample, so that its totals are whole, and every
 * full one of a profiler without repeats (profiler_set_repeats). */
typedef enum SampleKind {
        SAMPLE_QUICK,
        SAMPLE_FULL,
        SAMPLE_WHOLE,
} SampleKind;

typedef struct Collector {
        const char *name;
        size_t state_size;   /* zeroed state handed to every callback */
        /* Discover and open sources. Missing sources are remembered and reported as unavailable. */
        int (*open)(void *state, const Sysroot *root);
        /* Optional: called after open for each --target (a process, unit or cgroup the user names), for
         * collectors that watch such things besides what they find themselves. */
        int (*target)(void *state, const Sysroot *root, const char *name);
        /* Store one sample. A source that fails to parse is counted, not fatal (see report). Sources
         * whose kernel side is costly and that only feed rates are read at FULL and WHOLE samples (see
         * profiler_sample); the others at every sample. */
        int (*sample)(void *state, uint64_t now_usec, SampleKind kind);
        /* Optional, streaming: called right after each sample(); emits into sink the metrics of the
         * interval that ended at that sample (from the last two readable samples) and the gauges read
         * at it. The profile reports every series emitted (series-table.h) before calling report(). */
        int (*interval)(void *state, const MetricSink *sink);
        /* Emit facts, metrics, findings, tunables. */
        int (*report)(void *state, const Sysroot *root, Report *rep);
        void (*close)(void *state);
        /* Every metric and fact report can emit (the metric catalogue, metric-catalog.h): policy check
         * validates rules against it, and a test checks that profiles emit nothing it lacks. */
        const MetricSpec *metrics;
        size_t n_metrics;
} Collector;

/* The table, in report order (collectors.c). */
extern const Collector *const collector_table[];
extern const size_t collector_table_size;
