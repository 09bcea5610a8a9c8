/* SPDX-License-Identifier: MIT */
/* The profiler: samples every collector over a window and builds the skytune.profile/1 document
 * (docs/profile.md). Library code: it reads through a Sysroot and never prints. */
#pragma once

#include <jansson.h>
#include <stdint.h>

#include "sysroot.h"

#define PROFILE_SCHEMA "skytune.profile/1"

typedef struct Profiler Profiler;

/* Opens every collector (discovery, kept file descriptors). A source that is missing is recorded as
 * unavailable, never an error; errors are only for things like out-of-memory. */
int profiler_new(const Sysroot *root, Profiler **ret);
Profiler *profiler_free(Profiler *p);

/* One sample of all collectors at monotonic time now_usec (the caller's clock, so tests can replay
 * fixture trees with exact intervals). */
int profiler_sample(Profiler *p, uint64_t now_usec);
unsigned profiler_samples(const Profiler *p);

/* The profile document. duration_s/interval_s are what the caller asked for (recorded in "window"). */
int profiler_report(Profiler *p, double duration_s, double interval_s, json_t **ret);

/* Number of leaf metrics (objects with a "value") in a profile document. */
size_t profile_count_metrics(const json_t *profile);

/* Monotonic clock in microseconds. */
uint64_t profiler_now_usec(void);
