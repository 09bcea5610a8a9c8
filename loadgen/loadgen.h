/* SPDX-License-Identifier: MIT */
/* loadgen: an HTTP/1.1 load engine. Threads (workers), each with its own connections made by
 * libcurl (resolution, TCP, TLS, timeouts) and then driven by the worker's own epoll set: the
 * requests of a table (request.h) go out over kept-alive connections as bytes built once, and the
 * responses are parsed in place (http1.h). The load follows a schedule, a function of time
 * (schedule.h): closed (N users, N may change over the run) or open (arrivals at rate(t), evenly
 * spaced or Poisson). Latency is measured from each request's intended send time, so that a stalled
 * server shows in the percentiles (coordinated omission); the service time from the actual send and
 * the send lateness are kept beside it.
 *
 * Results are log-linear histograms (common/histogram.h) and counters, which merge by adding. With
 * an interval callback they are harvested every interval while the workers run: each worker records
 * into one of two result sets and switches at each interval's end, once the harvester has taken the
 * set it switches to (an atomic pair of counters per worker: no lock, no pause, no reset of a set the
 * other side is reading).
 *
 * Library code: nothing here prints; errors are -errno with a reason in an Error (common/error.h). */
#pragma once

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "histogram.h"
#include "request.h"
#include "schedule.h"

typedef enum LoadgenError {
        LOADGEN_ERR_CONNECT,
        LOADGEN_ERR_TLS,
        LOADGEN_ERR_TIMEOUT,
        LOADGEN_ERR_SEND,
        LOADGEN_ERR_READ,
        LOADGEN_ERR_OTHER,
        _LOADGEN_ERR_MAX,
} LoadgenError;
extern const char *const loadgen_error_names[_LOADGEN_ERR_MAX];

typedef enum LoadgenHist {
        LOADGEN_H_LATENCY,              /* from the intended send time to the response's end (us) */
        LOADGEN_H_SERVICE,              /* from the actual send */
        LOADGEN_H_CONNECT,              /* TCP connect of a new connection */
        LOADGEN_H_TLS,                  /* TLS handshake after it */
        LOADGEN_H_TTFB,                 /* from the send to the response's first byte */
        LOADGEN_H_TOTAL,                /* the whole exchange, as libcurl's total time */
        LOADGEN_H_LATENESS,             /* of each send against its intended time */
        _LOADGEN_H_MAX,
} LoadgenHist;
extern const char *const loadgen_hist_names[_LOADGEN_H_MAX];

typedef struct LoadgenCounters {
        uint64_t sent, done, ok;        /* sent; ended (answered or failed); answered 2xx or 3xx */
        uint64_t late;                  /* sent more than 1 ms after the intended time */
        uint64_t late_client;           /* open: sent over 10 ms late although a slot was free when it was
                                         * due: the client, not the server, held it back */
        uint64_t cut;                   /* still in flight at the end of the grace period */
        uint64_t not_sent;              /* open: due while every slot was busy, and never sent */
        uint64_t new_connections;
        uint64_t retried;               /* reset on a kept connection before any answer, sent again
                                         * on a fresh one (counted once in sent) */
        uint64_t errors[_LOADGEN_ERR_MAX];
        uint64_t status[600];           /* by HTTP status; [0] = no response */
        uint64_t by_request[LOADGEN_REQUESTS_MAX];     /* sent, by request table entry */
} LoadgenCounters;

/* One request table entry's share (LoadgenConfig.per_request): what a per-endpoint summary needs. */
typedef struct LoadgenEntryResults {
        uint64_t sent, done, ok;
        uint64_t errors[_LOADGEN_ERR_MAX];
        uint64_t status[600];
        Histogram *latency, *service, *lateness;
} LoadgenEntryResults;

typedef struct LoadgenResults {
        LoadgenCounters c;
        Histogram *h[_LOADGEN_H_MAX];   /* microseconds, up to one hour */
        LoadgenEntryResults *entries;   /* by request table entry; NULL: not kept */
        size_t n_entries;
} LoadgenResults;

int loadgen_results_init(LoadgenResults *r);
/* The same with results kept for n request table entries (merging adds them entry by entry). */
int loadgen_results_init_entries(LoadgenResults *r, size_t n);
void loadgen_results_done(LoadgenResults *r);
void loadgen_results_reset(LoadgenResults *r);
void loadgen_results_merge(LoadgenResults *to, const LoadgenResults *from);
void loadgen_counters_add(LoadgenCounters *to, const LoadgenCounters *from);

/* One harvested interval, merged over the workers. start_s/end_s: since the run started; the last
 * interval ends with the run (drain and grace included). Requests are counted in the interval in
 * which they ended, sends in the one in which they went out. */
typedef struct LoadgenInterval {
        unsigned index;
        double start_s, end_s;
        const LoadgenResults *results;
} LoadgenInterval;
typedef void (*LoadgenIntervalFn)(const LoadgenInterval *iv, void *userdata);

typedef struct LoadgenConfig {
        const char *url;                /* http or https; its path is the default request's */
        const char *cacert;             /* https: CA certificates to trust (PEM); NULL: the system's */
        double timeout_s;               /* per request, also of connecting; 0: 10 s */
        unsigned slots;                 /* closed: most users (0: the schedule's peak); open: most requests
                                         * in flight (0: 100) */
        unsigned threads;               /* 0: 1; slots and load split evenly */
        LoadgenSchedule schedule;
        const LoadgenRequest *requests; /* NULL: one GET of the URL */
        size_t n_requests;
        uint64_t seed;                  /* Poisson arrivals and the request draw (0: a fixed one) */
        double interval_s;              /* harvest period with on_interval (0: 1 s) */
        LoadgenIntervalFn on_interval;  /* NULL: no harvest while running */
        void *userdata;
        /* Also record every histogram value into a whole-run set beside the intervals' (checks the
         * harvest; costs a second record per value). */
        bool record_run;
        const volatile sig_atomic_t *stop;      /* set asynchronously to end a run early; may be NULL */
        const atomic_bool *end_now;     /* set by another thread (the interval callback) to stop sending */
        /* The same as stop for callers whose flag other threads read too: a lock-free atomic, set by a
         * signal handler or another thread (a volatile sig_atomic_t read by the workers is a data
         * race). May be NULL. */
        const atomic_bool *cancel;
        double think_s;                 /* closed: each user's pause after an answer before its next request */
        /* Segments (schedule.h): this agent sends arrivals (users) i, i + N, ... of the schedule. With
         * N > 1 and Poisson arrivals, every agent must use the same seed. 0 or 1: the whole schedule. */
        unsigned segment_index, segment_count;
        bool per_request;               /* keep results per request table entry (LoadgenResults.entries) */
} LoadgenConfig;

typedef struct LoadgenRunInfo {
        double send_window_s;           /* from the start until sending stopped (the duration, or a stop) */
        double elapsed_s;               /* until the last worker ended */
        double cpu_s;                   /* of the workers' threads */
        bool client_bound;              /* a worker was busy over 90 % of the time: the client set the pace */
        double start_skew_s;            /* loadgen_start_at: how late the run started against that time */
} LoadgenRunInfo;

typedef struct Loadgen Loadgen;

/* Strings, steps and requests of cfg are borrowed for the engine's life. Calls curl_global_init. */
int loadgen_new(const LoadgenConfig *cfg, Loadgen **ret, Error *e);
Loadgen *loadgen_free(Loadgen *lg);
/* Sends for duration_s following the schedule (from its t = 0), waits up to min(timeout, 2 s) for
 * answers, and adds everything into *total (initialised by the caller). Runs again from t = 0 on the
 * next call, keeping connections. */
int loadgen_run(Loadgen *lg, double duration_s, LoadgenResults *total, LoadgenRunInfo *info);
/* With record_run: the last run's whole-run histograms, merged over workers (counters zero). */
const LoadgenResults *loadgen_run_record(Loadgen *lg);
/* The next run starts at this wall time (CLOCK_REALTIME, microseconds; 0: at once): it waits until
 * then (a stop ends the wait) and its schedule's t = 0 is that time even when it starts late, so that
 * agents started apart send one schedule together. */
void loadgen_start_at(Loadgen *lg, uint64_t realtime_usec);
/* Replaces the schedule of the next runs (borrowed, checked: -EINVAL). The slots stay as they were
 * made: a closed schedule may not need more users than loadgen_slots() times the segment count. */
int loadgen_set_schedule(Loadgen *lg, const LoadgenSchedule *s);
/* How many request table entries (the default GET counts as one). */
size_t loadgen_requests(const Loadgen *lg);
unsigned loadgen_threads(const Loadgen *lg);
unsigned loadgen_slots(const Loadgen *lg);
bool loadgen_loopback(const Loadgen *lg);

uint64_t loadgen_now_ns(void);
