/* SPDX-License-Identifier: MIT */
/* stress-run: a stress pattern (load/stress.h) run through the load runner (load/run.h). spike, surge,
 * gradual and endurance are one run of the pattern's schedule; breakpoint is one run per hold that the
 * search asks for, with its rests, merged into one LoadRun on one time axis. Each total interval
 * becomes a StressInterval for the pattern's analysis: endurance streams them into its fixed-size
 * series, the others keep them (64 bytes each: an hour at 1 s is 230 KB); breakpoint keeps only the
 * current hold's. Library code: nothing printed. */
#pragma once

#include <jansson.h>
#include <stdatomic.h>

#include "run.h"
#include "stress.h"

typedef struct StressRunConfig {
        const StressConfig *c;          /* finished (stress_config_finish) */
        const char *url;
        unsigned threads;               /* 0: 1 */
        double timeout_s;               /* per request (0: the runner's 10 s) */
        const atomic_bool *stop;
        LoadHooks hooks;                /* every record, its times on the whole run's axis */
        /* NULL, or the server's RSS in bytes (NAN: not known), called with hooks.userdata as each total
         * interval becomes a StressInterval, before that interval's on_tick: the sample of the tick
         * before, at the interval's start (endurance's RSS drift). */
        double (*server_rss)(void *userdata);
} StressRunConfig;

typedef struct StressRun {
        StressPattern pattern;
        StressOptions options;          /* as run, defaults filled */
        Scenario *scenario;             /* what ran (breakpoint: one hold phase per hold) */
        LoadRun *run;                   /* the whole run (breakpoint: the holds merged) */
        int analysed;                   /* 0, or -ENODATA when the intervals gave no answer */
        StressSurgeResult surge;        /* spike, surge */
        StressKnee knee;                /* gradual */
        StressBreakpoint bp;            /* breakpoint */
        StressDrift drift[3];           /* endurance: p99, error rate, server RSS */
        int drift_r[3];                 /* 0 or -ENODATA each */
        double rested_s;                /* breakpoint: time spent resting between holds */
} StressRun;

/* -EINVAL (with *e) when the runner refuses the URL or the schedule; a run that starts returns 0. */
int stress_run(const StressRunConfig *cfg, StressRun **ret, Error *e);
StressRun *stress_run_free(StressRun *sr);
/* docs/stress.md's exit code: load_run_exit()'s 130, 1, 5, then 5 when breakpoint was client-bound,
 * 4 when a spike did not recover, else 0. */
int stress_run_exit(const StressRun *sr);
/* The interval as the analyses read it (p99 of latency from the intended send time, microseconds).
 * Its lateness is the client's only: the p99 of send lateness when over a fifth of the sends went out
 * over 10 ms late with a slot free, else 0 (late because every slot waited on the server is not the
 * client's fault: that shows as latency and as requests not sent). */
StressInterval stress_interval_from(const LoadInterval *iv);

/* Sets doc's "stress" object (docs/stress.md) and appends the pattern's markers (spike start and
 * end, recovery, knee, holds, change point) to its "markers". -ENOMEM. */
int stress_doc_add(json_t *doc, const StressRun *sr);
