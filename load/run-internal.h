/* SPDX-License-Identifier: MIT */
/* The runner's state shared by run.c (groups, the total, thresholds) and run-step.c (one step on its
 * engine and thread). Internal to load/. */
#pragma once

#include <pthread.h>
#include <stdatomic.h>

#include "run.h"

enum { RING = 4 };              /* total intervals waiting for every step of a group */

typedef struct Pending {
        LoadgenResults r;
        unsigned got;
        double start_s, end_s, planned;
        bool used;
} Pending;

typedef struct RunCtx RunCtx;

typedef struct StepCtx {
        RunCtx *run;
        size_t index;
        LoadStepRun *out;
        Loadgen *lg;
        LoadPlan plan;
        atomic_bool end_now;
        double t_base;                  /* run time of the engine run's t = 0 */
        double cut_at;                  /* plan time at which `until` ended the plan; NAN: it did not */
        unsigned next_index;            /* of the step's intervals */
        bool first_group;
        int r;
        Error e;
        pthread_t tid;
} StepCtx;

struct RunCtx {
        const LoadRunConfig *cfg;
        LoadRun *run;
        pthread_mutex_t lock;
        atomic_bool abort;
        uint64_t t0_ns;                 /* the run's t = 0 (monotonic) */
        StepCtx *steps;
        unsigned active;                /* steps of the group still running */
        Pending ring[RING];
        unsigned ring_next;             /* the next total interval to hand out */
        double total_end_s;             /* where the last total interval handed out ended */
};

/* Runs one step on the calling thread (its own engine); 0 or -errno with c->e. */
int step_execute(StepCtx *c);
/* The step's interval has ended (under the lock): into the group's total. */
void run_total_add(RunCtx *rc, unsigned k, const LoadgenResults *r, double start_s, double end_s, double planned);
/* Hands out, in order, the total intervals every running step has delivered (all: whatever came). */
void run_total_flush(RunCtx *rc, bool all);
/* A threshold broke for good with `abort`: the run ends (under the lock). */
void run_abort(RunCtx *rc, const Threshold *t);
double run_now_s(const RunCtx *rc);
