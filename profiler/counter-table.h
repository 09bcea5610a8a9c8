/* SPDX-License-Identifier: MIT */
/* Raw samples of a fixed set of cumulative counters (and gauges), one row per sample, for the
 * collectors that keep several counters per object (a disk, an interface, the TCP stack). A row can
 * be absent (the source could not be read, the device was gone): no interval touches an absent row.
 * Rows grow by amortized doubling, so a sample allocates nothing in the steady state. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct CounterTable {
        size_t width;        /* counters per row */
        size_t n, cap;       /* rows */
        uint64_t *rows;      /* n * (width + 2): at (usec), present, counters... */
        bool last_two;       /* streaming: only the last two rows are kept (n <= 2) */
} CounterTable;

static inline void counter_table_init(CounterTable *t, size_t width) {
        *t = (CounterTable) { .width = width };
}
/* A table for a streaming collector: a push beyond two rows drops the oldest, so row n - 1 is the
 * latest sample and delta(n - 1) its interval; memory does not grow with the window. */
static inline void counter_table_init_last_two(CounterTable *t, size_t width) {
        *t = (CounterTable) { .width = width, .last_two = true };
}
void counter_table_free(CounterTable *t);

/* Append a row taken at `at`; row NULL appends an absent row. */
int counter_table_push(CounterTable *t, uint64_t at, const uint64_t *row);
/* Append absent rows until the table has `rows` rows (an object first seen in a later sample). */
int counter_table_pad(CounterTable *t, size_t rows);
/* Counters of row i, or NULL when absent. */
const uint64_t *counter_table_row(const CounterTable *t, size_t i);
/* Delta of column col between rows i-1 and i and the interval length in seconds; false when a row
 * is absent, the clock did not advance, or the counter was reset (series.h counter_delta). */
bool counter_table_delta(const CounterTable *t, size_t i, size_t col, uint64_t *ret, double *ret_dt);
/* Per-interval rates (delta * mult / dt) of column col into out (room for n - 1), and each interval's
 * length dt in seconds into out_dt (may be NULL), the weight that makes the average of the rates the
 * window's total delta over its total time (series.h); returns how many. */
size_t counter_table_rates(const CounterTable *t, size_t col, double mult, double *out, double *out_dt);
/* Values of column col (a gauge) * mult in the present rows into out (room for n); returns how many. */
size_t counter_table_gauges(const CounterTable *t, size_t col, double mult, double *out);
/* Sum of the valid deltas of column col over the window. */
uint64_t counter_table_total(const CounterTable *t, size_t col);

/* Counter tables of named objects (disks, interfaces) that may come and go between samples. An object
 * first seen in a later sample gets absent rows before it; one missing from a sample gets an absent
 * row for it. */
#define COUNTER_NAME_MAX 64

typedef struct CounterObject {
        char name[COUNTER_NAME_MAX];
        CounterTable t;
        bool seen;           /* has a row for the sample in progress */
        bool held;           /* the last sample left its table as it was (counter_set_hold) */
} CounterObject;

typedef struct CounterSet {
        size_t width;
        bool last_two;       /* every object's table keeps its last two rows only */
        size_t samples;      /* completed samples: a row each in every table (the last two in a
                              * last-two set), but for the samples that held it */
        CounterObject *obj;
        size_t n, cap;
        size_t hint;         /* where the next lookup starts: sources list objects in a stable order */
} CounterSet;

static inline void counter_set_init(CounterSet *s, size_t width) {
        *s = (CounterSet) { .width = width };
}
static inline void counter_set_init_last_two(CounterSet *s, size_t width) {
        *s = (CounterSet) { .width = width, .last_two = true };
}
void counter_set_free(CounterSet *s);
/* The object named name[0..len), or NULL. */
CounterObject *counter_set_find(CounterSet *s, const char *name, size_t len);
/* The object named name[0..len), added (with absent rows for the samples so far) when missing.
 * -ENAMETOOLONG for a name that does not fit, -EINVAL for an empty one. */
int counter_set_add(CounterSet *s, const char *name, size_t len, CounterObject **ret);
/* Store the row of one object for the sample in progress (a second row for the same object in one
 * sample is ignored). */
int counter_set_put(CounterSet *s, CounterObject *o, uint64_t at, const uint64_t *row);
/* Leave the object's table as it is for the sample in progress: not read at this sample (a slower
 * cadence), its last row stays the latest, so its next row's interval spans the samples between.
 * For sets of last-two tables only: in a set that keeps every row, rows would go out of step. */
void counter_set_hold(CounterSet *s, CounterObject *o);
/* End the sample in progress: absent rows for the objects it did not list. */
int counter_set_end_sample(CounterSet *s);
