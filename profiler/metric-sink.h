/* SPDX-License-Identifier: MIT */
/* The stream collectors emit: at each sample, the metrics of the interval that ends there (from the
 * collector's last two samples) and the gauges read at it, one MetricPoint each. A consumer sees the
 * stream as it comes (a daemon at 1 Hz, forever); `skytune profile` summarises it per series
 * (series-table.h). Nothing is kept by the emitter: the consumer copies what it needs. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* How a series' summary reads its weights. */
typedef enum MetricWeight {
        METRIC_WEIGHT_TIME,      /* a rate or share of one interval, weighted by its length in seconds */
        METRIC_WEIGHT_RATIO,     /* a ratio weighted by its denominator (I/Os, segments sent) */
        METRIC_WEIGHT_EQUAL,     /* a gauge read at a sample, weight 1 */
} MetricWeight;

/* resource, name and unit are strings that live as long as the profiler (literals, tables); an
 * object string best stays where it is between samples: the summariser finds a series by the
 * pointers first (series-table.c). */
typedef struct MetricPoint {
        const char *resource;    /* "cpu" */
        const char *object;      /* "per_cpu/cpu3", or NULL at the resource's level */
        const char *name;        /* "utilization_pct" */
        const char *unit;        /* "percent" */
        MetricWeight kind;
        double value, weight;
        uint64_t at_usec;        /* the sample that ends the interval (set by the profiler) */
        const char *collector;   /* the emitting collector's name (set by the profiler) */
} MetricPoint;

typedef struct MetricSink {
        /* Negative errno stops the sample (only -ENOMEM is fatal to the window). */
        int (*emit)(void *userdata, const MetricPoint *p);
        void *userdata;
} MetricSink;

/* The point's path as profiles and rules write it: resource.object.name, the object's '/' as '.'
 * ("cpu.per_cpu.cpu3.utilization_pct"). -ENAMETOOLONG when it does not fit in size bytes. */
int metric_point_path(const MetricPoint *p, char *buf, size_t size);

static inline int metric_emit(const MetricSink *s, const MetricPoint *p) {
        return s->emit(s->userdata, p);
}
