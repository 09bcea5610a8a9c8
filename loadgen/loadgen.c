/* SPDX-License-Identifier: MIT */
/* The engine: workers set up once, then runs. Without an interval callback worker 0 runs on the
 * calling thread and the results are merged after the join; with one, every worker has its thread
 * and the calling thread harvests each interval as the workers publish it (worker.c: rotate()). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conn.h"
#include "time-util.h"
#include "macro.h"
#include "worker.h"

struct Loadgen {
        LoadgenConfig cfg;
        RequestTable table;
        Worker *w;
        unsigned nthreads, slots;
        WorkerRun run;
        LoadgenResults interval;        /* one interval, merged over workers */
        LoadgenResults record;          /* record_run: the last run's, merged */
        uint64_t start_at_usec;         /* the next run's start (wall clock); 0: at once */
        bool global_init;
};

static unsigned default_slots(const LoadgenConfig *cfg) {
        if (cfg->slots)
                return cfg->slots;
        if (cfg->schedule.model == LOADGEN_OPEN)
                return 100;
        double peak = ceil(loadgen_schedule_peak(&cfg->schedule));
        peak = peak > 100000 ? 100000 : peak;
        unsigned users = loadgen_segment_users((unsigned) peak, cfg->segment_index, cfg->segment_count);
        return users < 1 ? 1 : users;
}

static int setup_workers(Loadgen *lg, Error *e) {
        const LoadgenConfig *cfg = &lg->cfg;
        lg->nthreads = MIN(MAX(cfg->threads, 1u), lg->slots);
        lg->w = calloc(lg->nthreads, sizeof(Worker));
        if (!lg->w)
                return -ENOMEM;
        for (unsigned t = 0; t < lg->nthreads; t++)
                lg->w[t].epfd = -1;
        uint64_t seed = cfg->seed ? cfg->seed : 0x68747470;
        for (unsigned t = 0; t < lg->nthreads; t++) {
                Worker *w = &lg->w[t];
                /* Slots and load split evenly; a sum of independent Poisson streams is Poisson. */
                unsigned share = lg->slots / lg->nthreads + (t < lg->slots % lg->nthreads);
                w->index = t;
                w->run = &lg->run;
                /* Segments of a Poisson schedule: every stream draws the one global process. */
                stats_rng_seed(&w->arrival_rng, cfg->segment_count > 1 ? seed : seed + t);
                stats_rng_seed(&w->rng, (seed + t) ^ UINT64_C(0x7265717565737473));
                int r = worker_setup(w, cfg, &lg->table, share, e);
                if (r < 0)
                        return r;
        }
        return 0;
}

int loadgen_new(const LoadgenConfig *cfg, Loadgen **ret, Error *e) {
        if (isempty(cfg->url))
                return error_set(e, -EINVAL, "no URL to send the requests to");
        if (loadgen_schedule_check(&cfg->schedule) < 0)
                return error_set(e, -EINVAL, "the load schedule has a negative or missing value, a step or ramp without a "
                                    "positive duration, or (open model) never a positive rate");
        if (cfg->segment_count > 1 && cfg->segment_index >= cfg->segment_count)
                return error_set(e, -EINVAL, "segment %u of %u: the index counts from 0 and must be below the count",
                                 cfg->segment_index, cfg->segment_count);
        int r = curl_api_load(e);
        if (r < 0)
                return r;
        Loadgen *lg = calloc(1, sizeof(Loadgen));
        if (!lg)
                return -ENOMEM;
        lg->cfg = *cfg;
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
                free(lg);
                return -ENOMEM;
        }
        lg->global_init = true;
        lg->slots = default_slots(cfg);
        r = request_table_build(&lg->table, cfg->url, cfg->requests, cfg->n_requests, e);
        if (r >= 0)
                r = setup_workers(lg, e);
        if (r >= 0)
                r = loadgen_results_init_entries(&lg->interval, cfg->per_request ? lg->table.n : 0);
        if (r >= 0 && cfg->record_run)
                r = loadgen_results_init(&lg->record);
        if (r < 0) {
                loadgen_free(lg);
                return r;
        }
        *ret = lg;
        return 0;
}

Loadgen *loadgen_free(Loadgen *lg) {
        if (!lg)
                return NULL;
        for (unsigned t = 0; lg->w && t < lg->nthreads; t++)
                worker_teardown(&lg->w[t]);
        free(lg->w);
        request_table_done(&lg->table);
        loadgen_results_done(&lg->interval);
        loadgen_results_done(&lg->record);
        if (lg->global_init)
                curl_global_cleanup();
        free(lg);
        return NULL;
}

static void sleep_until(uint64_t t) {
        uint64_t now = loadgen_now_ns();
        if (t <= now)
                return;
        struct timespec ts = { .tv_sec = (time_t) ((t - now) / 1000000000), .tv_nsec = (long) ((t - now) % 1000000000) };
        nanosleep(&ts, NULL);
}

/* Whether every worker has published interval k or finished; *any: one has interval k. */
static bool interval_ready(const Loadgen *lg, uint64_t k, bool *any, bool *last) {
        bool ready = true;
        *any = false;
        *last = true;
        for (unsigned t = 0; t < lg->nthreads; t++) {
                Worker *w = &lg->w[t];
                bool finished = atomic_load_explicit(&w->finished, memory_order_acquire);
                uint64_t published = atomic_load_explicit(&w->published, memory_order_acquire);
                ready &= published > k || finished;
                *any |= published > k;
                *last &= finished && published <= k + 1;
        }
        return ready;
}

/* Takes interval k from every worker that has it, hands it to the callback and adds it to total;
 * false when no worker has it (the run is over). */
static bool harvest_one(Loadgen *lg, uint64_t k, LoadgenResults *total) {
        const WorkerRun *run = &lg->run;
        bool any, last;
        /* Until the interval's end in steps of 20 ms (a run stopped early ends it sooner), then every
         * millisecond until each worker has switched. */
        uint64_t boundary = run->t0 + (k + 1) * run->interval_ns;
        while (!interval_ready(lg, k, &any, &last)) {
                uint64_t now = loadgen_now_ns();
                sleep_until(now < boundary ? MIN(boundary, now + 20000000) : now + 1000000);
        }
        if (!any)
                return false;
        loadgen_results_reset(&lg->interval);
        for (unsigned t = 0; t < lg->nthreads; t++)
                if (atomic_load_explicit(&lg->w[t].published, memory_order_acquire) > k)
                        loadgen_results_merge(&lg->interval, &lg->w[t].buf[k % 2]);
        double end_s = last ? (double) (loadgen_now_ns() - run->t0) / 1e9 : (double) ((k + 1) * run->interval_ns) / 1e9;
        LoadgenInterval iv = {
                .index = (unsigned) k, .start_s = (double) (k * run->interval_ns) / 1e9, .end_s = end_s,
                .results = &lg->interval,
        };
        lg->cfg.on_interval(&iv, lg->cfg.userdata);
        loadgen_results_merge(total, &lg->interval);
        for (unsigned t = 0; t < lg->nthreads; t++)
                atomic_store_explicit(&lg->w[t].consumed, k + 1, memory_order_release);
        return true;
}

/* Starts workers first..n-1 on their own threads; returns how many run (from first). */
static unsigned spawn(Loadgen *lg, unsigned first, int *r) {
        unsigned t = first;
        for (; t < lg->nthreads; t++) {
                *r = -pthread_create(&lg->w[t].tid, NULL, worker_run, &lg->w[t]);
                if (*r < 0)
                        break;
        }
        return t;
}

static void collect(Loadgen *lg, unsigned started, uint64_t elapsed_ns, LoadgenResults *total, LoadgenRunInfo *info) {
        bool harvested = lg->cfg.on_interval;
        if (lg->cfg.record_run)
                loadgen_results_reset(&lg->record);
        *info = (LoadgenRunInfo) { 0 };
        double elapsed = (double) elapsed_ns / 1e9;
        for (unsigned t = 0; t < started; t++) {
                Worker *w = &lg->w[t];
                if (!harvested)
                        loadgen_results_merge(total, &w->buf[0]);
                if (lg->cfg.record_run)
                        loadgen_results_merge(&lg->record, &w->whole);
                info->cpu_s += w->cpu_s;
                /* A thread busy nearly all the time: the client, not the server, set the pace. */
                info->client_bound |= w->cpu_s - (double) w->poll_ns / 1e9 > 0.9 * elapsed;
        }
}

/* Waits for the wall time of loadgen_start_at (or a stop) and gives the monotonic time of the
 * schedule's t = 0 then: earlier than now when the start is late. */
static uint64_t wait_start(Loadgen *lg, double *skew_s) {
        uint64_t at = lg->start_at_usec;
        lg->start_at_usec = 0;
        *skew_s = 0;
        if (!at)
                return loadgen_now_ns();
        for (;;) {
                uint64_t real = time_now_realtime_usec(), mono = loadgen_now_ns();
                bool stop = (lg->cfg.stop && *lg->cfg.stop) || (lg->cfg.cancel && atomic_load(lg->cfg.cancel));
                if (real >= at || stop) {
                        uint64_t late_ns = real >= at ? (real - at) * 1000 : 0;
                        late_ns = MIN(late_ns, mono);
                        *skew_s = (double) late_ns / 1e9;
                        return mono - late_ns;
                }
                uint64_t wait_us = MIN(at - real, (uint64_t) 20000);
                struct timespec ts = { .tv_sec = 0, .tv_nsec = (long) (wait_us * 1000) };
                nanosleep(&ts, NULL);
        }
}

void loadgen_start_at(Loadgen *lg, uint64_t realtime_usec) {
        lg->start_at_usec = realtime_usec;
}

int loadgen_set_schedule(Loadgen *lg, const LoadgenSchedule *s) {
        if (loadgen_schedule_check(s) < 0 || s->model != lg->cfg.schedule.model)
                return -EINVAL;
        lg->cfg.schedule = *s;
        return 0;
}

size_t loadgen_requests(const Loadgen *lg) {
        return lg->table.n;
}

int loadgen_run(Loadgen *lg, double duration_s, LoadgenResults *total, LoadgenRunInfo *info) {
        const LoadgenConfig *cfg = &lg->cfg;
        bool harvest = cfg->on_interval;
        double skew_s;
        uint64_t t0 = wait_start(lg, &skew_s);
        double grace_s = MIN(cfg->timeout_s > 0 ? cfg->timeout_s : 10, 2.0);
        lg->run = (WorkerRun) {
                .schedule = &lg->cfg.schedule, .nthreads = lg->nthreads, .t0 = t0,
                .end = t0 + (uint64_t) (duration_s * 1e9), .grace_ns = (uint64_t) (grace_s * 1e9),
                .interval_ns = harvest ? (uint64_t) ((cfg->interval_s > 0 ? cfg->interval_s : 1) * 1e9) : 0,
                .think_ns = cfg->schedule.model == LOADGEN_CLOSED && cfg->think_s > 0 ? (uint64_t) (cfg->think_s * 1e9) : 0,
                .seg_index = cfg->segment_index, .seg_count = cfg->segment_count,
                .stop = cfg->stop, .end_now = cfg->end_now, .cancel = cfg->cancel,
        };
        for (unsigned t = 0; t < lg->nthreads; t++) {
                Worker *w = &lg->w[t];
                w->r = 0;
                atomic_store_explicit(&w->published, 0, memory_order_relaxed);
                atomic_store_explicit(&w->consumed, 0, memory_order_relaxed);
                atomic_store_explicit(&w->finished, false, memory_order_relaxed);
        }
        int r = 0;
        unsigned started = spawn(lg, harvest ? 0 : 1, &r);
        for (unsigned t = started; t < lg->nthreads; t++)
                atomic_store_explicit(&lg->w[t].finished, true, memory_order_release);  /* never ran */
        if (harvest) {
                for (uint64_t k = 0; harvest_one(lg, k, total); k++)
                        ;
        } else
                worker_run(&lg->w[0]);  /* worker 0 runs on the calling thread */
        for (unsigned t = harvest ? 0 : 1; t < started; t++)
                pthread_join(lg->w[t].tid, NULL);
        uint64_t t1 = loadgen_now_ns();
        collect(lg, started, t1 - t0, total, info);
        info->send_window_s = (double) (MIN(t1, lg->run.end) - t0) / 1e9;
        info->elapsed_s = (double) (t1 - t0) / 1e9;
        info->start_skew_s = skew_s;
        for (unsigned t = 0; t < started && r >= 0; t++)
                r = lg->w[t].r;
        return r;
}

const LoadgenResults *loadgen_run_record(Loadgen *lg) {
        return lg->cfg.record_run ? &lg->record : NULL;
}

unsigned loadgen_threads(const Loadgen *lg) {
        return lg->nthreads;
}

unsigned loadgen_slots(const Loadgen *lg) {
        return lg->slots;
}

bool loadgen_loopback(const Loadgen *lg) {
        return lg->table.loopback;
}
