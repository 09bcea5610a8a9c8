/* SPDX-License-Identifier: MIT */
/* The run: thresholds set up, groups of steps one after another (the steps of a group side by side,
 * one thread each) and the judgement at the end; the total's intervals are run-total.c's. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "macro.h"
#include "run-internal.h"
#include "threshold-eval.h"
#include "time-util.h"

static void *step_main(void *arg) {
        StepCtx *c = arg;
        c->r = step_execute(c);
        RunCtx *rc = c->run;
        pthread_mutex_lock(&rc->lock);
        rc->active--;
        run_total_flush(rc, false);
        pthread_mutex_unlock(&rc->lock);
        return NULL;
}

/* Steps first .. first + n - 1 side by side; the first error wins. */
static int run_group(RunCtx *rc, size_t first, size_t n, bool first_group, Error *e) {
        rc->active = (unsigned) n;
        rc->ring_next = 0;
        size_t started = 0;
        int r = 0;
        for (; started < n; started++) {
                StepCtx *c = &rc->steps[first + started];
                c->first_group = first_group;
                if ((r = -pthread_create(&c->tid, NULL, step_main, c)) < 0)
                        break;
        }
        pthread_mutex_lock(&rc->lock);
        rc->active -= (unsigned) (n - started);
        pthread_mutex_unlock(&rc->lock);
        for (size_t i = 0; i < started; i++)
                pthread_join(rc->steps[first + i].tid, NULL);
        pthread_mutex_lock(&rc->lock);
        run_total_flush(rc, true);
        pthread_mutex_unlock(&rc->lock);
        if (r < 0)
                return error_set(e, r, "cannot start a thread for step '%s'", rc->steps[first + started].out->step->name);
        for (size_t i = 0; i < n; i++) {
                StepCtx *c = &rc->steps[first + i];
                if (c->r < 0) {
                        int k = c->r;
                        error_done(e);
                        *e = c->e;
                        c->e = ERROR_NULL;
                        return k;
                }
        }
        return 0;
}

static int thresholds_setup(LoadRun *run, const Scenario *sc) {
        size_t n = sc->n_thresholds;
        for (size_t i = 0; i < sc->n_steps; i++)
                n += sc->steps[i].n_thresholds;
        run->thresholds = calloc(MAX(n, 1), sizeof(LoadThresholdRun));
        if (!run->thresholds)
                return -ENOMEM;
        for (size_t i = 0; i < sc->n_steps; i++)
                for (size_t k = 0; k < sc->steps[i].n_thresholds; k++)
                        run->thresholds[run->n_thresholds++] = (LoadThresholdRun) {
                                .t = &sc->steps[i].thresholds[k], .step = (int) i, .passed = true,
                                .observed = NAN, .failed_at_s = NAN, .broken_since_s = NAN,
                        };
        for (size_t k = 0; k < sc->n_thresholds; k++)
                run->thresholds[run->n_thresholds++] = (LoadThresholdRun) {
                        .t = &sc->thresholds[k], .step = -1, .passed = true, .observed = NAN, .failed_at_s = NAN,
                        .broken_since_s = NAN,
                };
        return 0;
}

static int run_alloc(const LoadRunConfig *cfg, RunCtx *rc, LoadRun **ret) {
        const Scenario *sc = cfg->scenario;
        LoadRun *run = *ret = calloc(1, sizeof(LoadRun));
        if (!run)
                return -ENOMEM;
        run->scenario = sc;
        run->segment_index = cfg->segment_index;
        run->segment_count = cfg->segment_count;
        run->steps = calloc(sc->n_steps, sizeof(LoadStepRun));
        rc->steps = calloc(sc->n_steps, sizeof(StepCtx));
        if (!run->steps || !rc->steps || thresholds_setup(run, sc) < 0 || loadgen_results_init(&run->total) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < RING; i++)
                if (loadgen_results_init(&rc->ring[i].r) < 0)
                        return -ENOMEM;
        for (size_t i = 0; i < sc->n_steps; i++) {
                LoadStepRun *s = &run->steps[i];
                run->n_steps = i + 1;
                s->step = &sc->steps[i];
                s->phases = calloc(MAX(s->step->n_phases, 1), sizeof(LoadPhaseRun));
                if (!s->phases || loadgen_results_init_entries(&s->results, MAX(s->step->n_endpoints, 1)) < 0)
                        return -ENOMEM;
                rc->steps[i] = (StepCtx) { .run = rc, .index = i, .out = s, .cut_at = NAN };
        }
        return 0;
}

static void run_judge(LoadRun *run) {
        for (size_t i = 0; i < run->n_steps; i++) {
                LoadStepRun *s = &run->steps[i];
                loadgen_results_merge(&run->total, &s->results);
                run->cpu_s += s->cpu_s;
                run->client_bound |= s->client_bound;
        }
        for (size_t i = 0; i < run->n_thresholds; i++) {
                LoadThresholdRun *tr = &run->thresholds[i];
                if (tr->step >= 0) {
                        const LoadStepRun *s = &run->steps[tr->step];
                        load_threshold_final(tr, &s->results, s->end_s - s->start_s);
                } else
                        load_threshold_final(tr, &run->total, run->duration_s);
        }
        /* Nothing answered at all, not even with an error status: no connection could be made. */
        const LoadgenCounters *c = &run->total.c;
        run->failed = !run->interrupted && c->sent > 0 && c->done == c->errors[LOADGEN_ERR_CONNECT] + c->errors[LOADGEN_ERR_TLS];
}

static void run_groups(RunCtx *rc, const Scenario *sc, Error *e, int *r) {
        for (size_t g = 0; g < sc->n_steps && *r >= 0;) {
                size_t n = 1;
                while (g + n < sc->n_steps && sc->steps[g + n].parallel)
                        n++;
                if (atomic_load(&rc->abort) || (rc->cfg->stop && atomic_load(rc->cfg->stop)))
                        break;
                *r = run_group(rc, g, n, g == 0, e);
                unsigned width = 0;
                for (size_t i = g; i < g + n; i++)
                        width += rc->run->steps[i].threads;
                rc->run->threads = MAX(rc->run->threads, width);
                g += n;
        }
}

int load_run(const LoadRunConfig *cfg, LoadRun **ret, Error *e) {
        RunCtx rc = { .cfg = cfg };
        pthread_mutex_init(&rc.lock, NULL);
        LoadRun *run = NULL;
        int r = run_alloc(cfg, &rc, &run);
        rc.run = run;
        if (r >= 0) {
                uint64_t real = time_now_realtime_usec(), mono = loadgen_now_ns();
                uint64_t at = cfg->start_at_usec ? cfg->start_at_usec : real;
                /* t = 0 is the start-at time: later than now (the engine waits for it) or earlier. */
                rc.t0_ns = at >= real ? mono + (at - real) * 1000 : mono - MIN((real - at) * 1000, mono);
                run->started_usec = at;
                (void) clock_state_read(&run->clock_start); /* unknown when it fails: the run goes on */
                run_groups(&rc, cfg->scenario, e, &r);
                run->duration_s = run_now_s(&rc);
                run->ended_usec = time_now_realtime_usec();
                (void) clock_state_read(&run->clock_end);
                run->interrupted = cfg->stop && atomic_load(cfg->stop);
                run_judge(run);
        } else
                error_set(e, r, "no memory for the run's results");
        for (size_t i = 0; rc.steps && i < run->n_steps; i++)
                error_done(&rc.steps[i].e);
        free(rc.steps);
        for (size_t i = 0; i < RING; i++)
                loadgen_results_done(&rc.ring[i].r);
        pthread_mutex_destroy(&rc.lock);
        if (r < 0) {
                load_run_free(run);
                return r;
        }
        *ret = run;
        return 0;
}

LoadRun *load_run_free(LoadRun *run) {
        if (!run)
                return NULL;
        for (size_t i = 0; i < run->n_steps; i++) {
                free(run->steps[i].phases);
                loadgen_results_done(&run->steps[i].results);
        }
        free(run->steps);
        free(run->thresholds);
        loadgen_results_done(&run->total);
        free(run);
        return NULL;
}

size_t load_run_passed(const LoadRun *run) {
        size_t n = 0;
        for (size_t i = 0; i < run->n_thresholds; i++)
                n += run->thresholds[i].passed;
        return n;
}

int load_run_exit(const LoadRun *run) {
        if (run->interrupted)
                return 130;
        if (run->failed)
                return 1;
        if (run->client_bound)
                return 5;
        return load_run_passed(run) < run->n_thresholds ? THRESHOLD_EXIT_FAILED : 0;
}
