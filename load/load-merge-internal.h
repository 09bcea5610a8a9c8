/* SPDX-License-Identifier: MIT */
/* Internal to load-merge*.c: the sum of SUMMARY or INTERVAL objects of several agents. */
#pragma once

#include <jansson.h>

#include "error.h"
#include "load-merge.h"
#include "loadgen.h"

typedef struct MergeAcc {
        LoadgenResults r; /* the counters added, h[LATENCY] the sum of the "hdr" fields,
                                         * h[LATENESS] each part's lateness p99 (for lateness_p99) */
        json_t *parts;    /* the objects added, for the distributions without histogram */
} MergeAcc;

int merge_acc_init(MergeAcc *a);
void merge_acc_reset(MergeAcc *a);
void merge_acc_done(MergeAcc *a);
/* Adds one SUMMARY or INTERVAL; where ("FILE: total") names it in errors. -EINVAL with *e when a
 * count is not a non-negative integer, a status not 1..599, or "hdr" is missing or damaged. */
int merge_acc_add(MergeAcc *a, const json_t *o, const char *where, Error *e);
/* out (made from a->r by load_summary_json() or its kin): its distributions without histogram
 * replaced by the parts' count and max added up, their count-weighted mean and, as percentiles, the
 * largest of the parts' (an upper bound of the merged one). */
void merge_acc_bounds(const MergeAcc *a, json_t *out);
/* The accumulated counters as one endpoint's (for load_entry_summary_json()); borrows a's histograms. */
void merge_acc_entry(const MergeAcc *a, LoadgenEntryResults *ret);

/* o[k] when it is a finite number, else dflt. */
double merge_num(const json_t *o, const char *k, double dflt);

/* doc's "client" from the agents' (load-merge-client.c): threads and CPU added, client_bound when one
 * was, one entry per agent in "agents". Returns 5 with why (len bytes) saying which agent made the
 * merged run invalid (client-bound, interrupted, a segment index twice or out of range, a count
 * that is not n), else 0. */
int merge_client(const LoadMergeInput *in, size_t n, const double *offset_s, double interval_s, json_t *doc, char *why,
                 size_t len);

/* client.clock of the merged document (load-merge-clock.c): { "start_spread_s", "max_clock_error_s",
 * "limit_s", "warnings": [ { "file", "kind": "unsynchronized" | "clock_error" | "start", "value_s",
 * "text" } ] }, a warning for each agent whose clock was not synchronized or whose clock error or
 * start after the earliest agent exceeds limit_s (a tenth of interval_s). */
json_t *merge_clock(const LoadMergeInput *in, size_t n, const double *offset_s, double interval_s);
/* When agent a really began on the merged time axis: its offset plus its start_skew_s. */
double merge_agent_start(const LoadMergeInput *a, double offset_s);
