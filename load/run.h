/* SPDX-License-Identifier: MIT */
/* run: what `skytune load` does with a Scenario (scenario.h). Each step's phases become loadgen
 * schedules of linear pieces (run-phases.c); a stepping phase with an `until` condition ends the
 * engine's run at the first interval that breaks it, and the phases after it run next, from the value
 * it reached. Groups of steps run one after another, the steps of a group (`parallel`) side by side,
 * each on its own engine and thread. Every interval (scenario interval_s, 1 s by default) gives one
 * record per step and one for the total, handed to the hooks as it comes and not kept: memory does not
 * grow with the run's length. Thresholds are judged per interval (`for D`, `abort`) and on the whole
 * run (threshold-eval.c). SIGINT or SIGTERM (cfg->stop) ends the run with what it has, marked
 * interrupted. Library code: nothing printed; errors in an Error. */
#pragma once

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "clock-state.h"
#include "error.h"
#include "loadgen.h"
#include "scenario.h"

/* One interval record (docs/load.md INTERVAL). step NULL: every step's requests together. */
typedef struct LoadInterval {
        const char *step;
        unsigned index;                 /* of the step's (or the total's) intervals */
        double start_s, end_s;          /* since the run started */
        double planned;                 /* users or rate at the middle (the total: the sum) */
        const LoadgenResults *results;
} LoadInterval;

/* Called on the runner's threads, one call at a time. on_interval: each record as it ends (writers,
 * progress); on_tick: once per total interval, where system metrics and host findings are sampled on
 * the run's time axis. */
typedef struct LoadHooks {
        void (*on_interval)(const LoadInterval *iv, void *userdata);
        void (*on_tick)(double t_s, void *userdata);
        void *userdata;
} LoadHooks;

typedef struct LoadRunConfig {
        const Scenario *scenario;
        unsigned threads;               /* of a step that names none (0: 1) */
        uint64_t seed;                  /* 0: a fixed one (agents of one run must agree) */
        unsigned segment_index, segment_count;  /* --segment i/N (0/0: the whole load) */
        uint64_t start_at_usec;         /* --start-at (wall clock); 0: at once */
        const atomic_bool *stop;        /* set by a signal handler (a lock-free atomic: the engines'
                                         * threads read it) */
        LoadHooks hooks;
} LoadRunConfig;

/* A phase as it ran. */
typedef struct LoadPhaseRun {
        LoadPhaseKind kind;
        double start_s, end_s;          /* since the run started; both 0: it never ran */
        double planned_from, planned_to;
} LoadPhaseRun;

typedef struct LoadStepRun {
        const LoadStep *step;
        double start_s, end_s;
        LoadPhaseRun *phases;           /* one per step->phases */
        LoadgenResults results;         /* the whole step, with one entry per endpoint */
        double cpu_s;
        bool client_bound;
        unsigned threads;
} LoadStepRun;

/* A threshold's outcome. */
typedef struct LoadThresholdRun {
        const Threshold *t;
        int step;                       /* index into steps; -1: global */
        bool passed;
        double observed;                /* on the whole step or run (NAN: no data) */
        double failed_at_s;             /* `for`: when the window was complete; NAN: did not fail so */
        double broken_since_s;          /* the current streak of broken intervals (NAN: none) */
} LoadThresholdRun;

typedef struct LoadRun {
        const Scenario *scenario;
        uint64_t started_usec, ended_usec;      /* wall clock */
        double duration_s;
        LoadStepRun *steps;
        size_t n_steps;
        LoadgenResults total;
        LoadThresholdRun *thresholds;   /* every step's, then the global ones */
        size_t n_thresholds;
        bool interrupted;
        const Threshold *aborted_by;
        bool client_bound;
        bool failed;                    /* nothing answered: no connection at all */
        double cpu_s;
        unsigned threads;               /* the most any group ran at once */
        unsigned segment_index, segment_count;
        double start_skew_s;            /* --start-at: how late the run began */
        ClockState clock_start, clock_end; /* the host clock at the start and the end (clock-state.h) */
        unsigned intervals;             /* total records */
} LoadRun;

/* Runs the scenario. -EINVAL (with *e) for a step the engine refuses (bad URL, request, schedule);
 * a run that starts returns 0 whatever its outcome (see load_run_exit()). */
int load_run(const LoadRunConfig *cfg, LoadRun **ret, Error *e);
LoadRun *load_run_free(LoadRun *run);
/* docs/load.md's exit code: 130 interrupted, 1 nothing answered, 5 client-bound, 4 a threshold
 * failed, else 0. */
int load_run_exit(const LoadRun *run);
/* How many thresholds passed. */
size_t load_run_passed(const LoadRun *run);

/* The mapping of phases to a schedule (run-phases.c), exposed for tests. A plan is phases first ..
 * last of a step: the last is a stepping phase with `until`, or the step's last phase. before: the
 * value before phase `first` (0 at the step's start). */
typedef struct LoadPlan {
        size_t first, last;
        LoadgenPiece *pieces;
        size_t n_pieces;
        double *phase_start_s;          /* of each phase first..last within the plan's time */
        double duration_s;
        const Threshold *until;         /* of phase `last`, or NULL */
        double until_from_s;            /* when that phase begins in the plan */
} LoadPlan;

int load_plan_build(const LoadStep *st, size_t first, double before, LoadPlan *ret);
void load_plan_done(LoadPlan *p);
/* The value the plan's schedule has reached at t (what the phase after a cut-short one starts from). */
double load_plan_value(const LoadPlan *p, double t);
/* The most users or requests per second a step ever asks for (closed: the slots it needs). */
double load_step_peak(const LoadStep *st);
