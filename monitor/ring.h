/* SPDX-License-Identifier: MIT */
/* The monitor's RAM ring: each series' samples since its last flush, as scaled integers, until
 * ring_flush() writes them to the store's log (tsdb_log: one transaction for all series). A store that
 * cannot take them (disk full, I/O error) costs memory up to max_pending samples a series, then the
 * oldest go; a series past max_series is not kept at all. Both are counted, never fatal. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "tsdb.h"

typedef struct MonitorRing MonitorRing;

typedef struct MonitorRingStats {
        size_t series;             /* kept */
        uint64_t points;           /* accepted */
        uint64_t stored;           /* written to the store */
        uint64_t dropped_overflow; /* oldest pending samples dropped: the store did not take them */
        uint64_t dropped_series;   /* samples of series beyond max_series */
        uint64_t dropped_order;    /* not after the series' last sample (the clock went back) */
        uint64_t dropped_value;    /* NaN, infinite or beyond int64 at the series' scale */
        uint64_t store_errors;     /* series the store could not create */
} MonitorRingStats;

/* The store t (not owned) names series and takes flushes. */
int ring_new(struct tsdb *t, size_t max_series, size_t max_pending, MonitorRing **ret);
MonitorRing *ring_free(MonitorRing *r);
/* New limits (a reload); pending samples past the new max_pending go, oldest first. */
void ring_set_limits(MonitorRing *r, size_t max_series, size_t max_pending);

/* The scale (decimal digits kept) of a series by its unit: bytes, counts and us 0, ms 3, the rest 2. */
int ring_unit_scale(const char *unit);

/* One sample of series name (created in the store on first sight, with the scale of unit; an
 * existing series keeps its own) at t_ms since the epoch. A dropped sample is counted and returns 0;
 * only -ENOMEM is an error. */
int ring_add(MonitorRing *r, const char *name, const char *unit, int64_t t_ms, double value);

/* Writes every pending sample to the store's log in one transaction. A series whose samples the
 * store refuses as out of order (-EEXIST: a clock stepped back past what an earlier run stored)
 * loses them, counted; any other store error keeps them for the next flush and is returned. */
int ring_flush(MonitorRing *r);

/* The last sample accepted for name (its time and value as given, before scaling): -ENOENT when the
 * series has none. */
int ring_last(const MonitorRing *r, const char *name, int64_t *ret_t, double *ret_v);

/* The samples of name that no flush has written yet (so that no query of the store has them), oldest
 * first, as scaled integers at *ret_scale (the store's scale of the series), valid until the next
 * ring_add(), ring_flush() or ring_set_limits(): -ENOENT when the ring has no such series. */
int ring_pending(const MonitorRing *r, const char *name, const struct store_point **ret, size_t *ret_n, int *ret_scale);

/* Calls f for each series with a sample, in the order first seen: its name, its unit (as the first
 * sample gave it), and its last sample as ring_last() gives it. A negative return of f stops the walk
 * and is returned. */
typedef int (*RingEachFn)(void *userdata, const char *name, const char *unit, int64_t t_ms, double v);
int ring_each_last(const MonitorRing *r, RingEachFn f, void *userdata);

void ring_stats(const MonitorRing *r, MonitorRingStats *ret);
/* Bytes held: the table, names and pending samples. */
size_t ring_memory(const MonitorRing *r);
