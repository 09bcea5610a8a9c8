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
} CounterTable;

static inline void counter_table_init(CounterTable *t, size_t width) {
        *t = (CounterTable) { .width = width };
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
/* Per-interval rates (delta * mult / dt) of column col into out (room for n - 1); returns how many. */
size_t counter_table_rates(const CounterTable *t, size_t col, double mult, double *out);
/* Values of column col (a gauge) * mult in the present rows into out (room for n); returns how many. */
size_t counter_table_gauges(const CounterTable *t, size_t col, double mult, double *out);
/* Sum of the valid deltas of column col over the window. */
uint64_t counter_table_total(const CounterTable *t, size_t col);
