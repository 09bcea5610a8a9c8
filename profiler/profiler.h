/* SPDX-License-Identifier: MIT */
/* The profiler: samples every collector over a window and builds the skytune.profile/1 document
 * (docs/profile.md). Library code: it reads through a Sysroot and never prints. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "schema.h"
#include "metric-catalog.h"
#include "metric-sink.h"
#include "sysroot.h"


typedef struct Profiler Profiler;

/* Opens every collector (discovery, kept file descriptors). A source that is missing is recorded as
 * unavailable, never an error; errors are only for things like out-of-memory. */
int profiler_new(const Sysroot *root, Profiler **ret);
/* The same, also watching what each of targets names (a process, a unit or a cgroup path: see the
 * collectors' target hook) where a collector reports per object, such as the cgroup memory collector. */
int profiler_new_targets(const Sysroot *root, char *const *targets, size_t n_targets, Profiler **ret);
Profiler *profiler_free(Profiler *p);

/* One sample of all collectors at monotonic time now_usec (the caller's clock, so tests can replay
 * fixture trees with exact intervals). last marks the window's final sample.
 *
 * /proc/vmstat, /proc/net/netstat, /proc/net/softnet_stat and /proc/softirqs cost the kernel much of a
 * sample (it formats every one of their hundreds of fields), and they only feed rates whose use is
 * their window average. So they are read at "full" samples only: the first, the last, and the first
 * one at least the full period (default 5 s) after the previous full one. Their rates are over those
 * longer, unequal intervals, which the summaries weigh by their length (report_series_weighted);
 * every other source, /proc/net/snmp included (CurrEstab is a gauge), is read at every sample. A
 * collector may take a source as unchanged at a full sample when another one it read proves it (netstat
 * after snmp), never at the last (SAMPLE_WHOLE, collector.h). */
#define PROFILER_FULL_PERIOD_USEC UINT64_C(5000000)
int profiler_sample(Profiler *p, uint64_t now_usec, bool last);
/* 0 makes every sample full (tests of per-interval behaviour, benchmarks): every source is due at
 * every sample, netstat's last row standing for a read while TCP is idle (unless repeats are off). */
void profiler_set_full_period(Profiler *p, uint64_t usec);
/* false: every full sample reads every source, none taken as unchanged (a daemon whose series go stale
 * when a point is late: netstat's timeouts_per_s comes only at its reads). Default true. */
void profiler_set_repeats(Profiler *p, bool on);
unsigned profiler_samples(const Profiler *p);

/* Registers a consumer of the metric stream (metric-sink.h): from the next sample on, every point the
 * streaming collectors emit reaches sink->emit, each interval's values as the sample that ends it is
 * taken, so a daemon can sample at 1 Hz forever and keep what it wants. sink is copied. At most
 * PROFILER_MAX_SINKS (-ENOSPC). A consumer's error other than -ENOMEM is ignored. */
#define PROFILER_MAX_SINKS 8
int profiler_add_sink(Profiler *p, const MetricSink *sink);
/* Off: the stream reaches the sinks only and is not summarised (a daemon that samples forever and
 * never reports a profile saves the summaries' memory and time); profiler_report() then has no series. */
void profiler_set_summaries(Profiler *p, bool on);
/* Bytes the summaries of the stream hold (they grow with the number of series only). */
size_t profiler_series_memory(const Profiler *p);

/* How profiler_run() paces a window. The callbacks keep the clock and the waiting with the caller
 * (tests replay fixture trees on a synthetic clock; the CLI sleeps and watches for Ctrl-C). */
typedef struct ProfilerWindow {
        double duration_s, interval_s;  /* 0 s: one instant snapshot */
        uint64_t (*now)(void *userdata);
        /* Wait until the monotonic deadline; false ends the window early (interrupted). */
        bool (*wait_until)(uint64_t deadline_usec, void *userdata);
        /* Before each wait: samples taken so far of the total planned, seconds elapsed. May be NULL. */
        void (*progress)(unsigned taken, unsigned total, double elapsed_s, void *userdata);
        void *userdata;
} ProfilerWindow;

/* The shortest sampled time a rate is computed over (--interval's floor): a window cut short
 * sooner keeps its first sample only, and its rates are listed as unavailable. */
#define PROFILER_MIN_RATE_WINDOW_USEC (10 * UINT64_C(1000))

/* Samples a whole window: at its start, every interval, and at its end, on time: when the duration is
 * not a multiple of the interval the last interval is shorter (10 s at 4 s: 0, 4, 8, 10 s), and a
 * remainder under PROFILER_MIN_RATE_WINDOW_USEC lengthens the last one instead. A window ended early by
 * wait_until still ends with a last (full) sample, so that the rates of the costly sources cover the
 * time actually sampled (unless that is under PROFILER_MIN_RATE_WINDOW_USEC); the report then says
 * "interrupted" and gives the real length. */
int profiler_run(Profiler *p, const ProfilerWindow *w);
bool profiler_interrupted(const Profiler *p);

/* The profile document. duration_s/interval_s are what the caller asked for (recorded in "window");
 * after an interrupted profiler_run() the window's duration_s is the time actually sampled. */
int profiler_report(Profiler *p, double duration_s, double interval_s, json_t **ret);

/* Number of leaf metrics (objects with a "value") in a profile document. */
size_t profile_count_metrics(const json_t *profile);

/* Adds every path a profile can hold (what each collector declares; see collector.h) to c. The
 * tunables are not listed: their names are the allowlist's (tunable.h). */
int profiler_metric_catalog(MetricCatalog *c);

/* Monotonic clock in microseconds. */
uint64_t profiler_now_usec(void);
