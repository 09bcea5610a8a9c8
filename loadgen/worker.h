/* SPDX-License-Identifier: MIT */
/* worker: one thread's share of the load: its slots (one connection and at most one request in
 * flight each), its libcurl multi handle and epoll set, its two result sets. conn.c keeps the sockets
 * and libcurl's side, exchange.c runs a request on a slot, worker.c is the loop. Internal to
 * loadgen/. */
#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "curl-api.h"
#include "http1.h"
#include "loadgen.h"

typedef struct Slot {
        CURL *easy;                     /* its connection: a connect-only transfer */
        uint64_t intended_ns, sent_ns, first_byte_ns, deadline_ns;
        unsigned index;
        curl_socket_t fd;               /* the connection's socket once connected, else -1 */
        bool in_multi;                  /* easy is in the multi handle (connecting, or holding the connection) */
        bool busy;                      /* a request is in flight */
        bool reused;                    /* that request went out on a connection that carried one before */
        bool retried;                   /* and was sent again on a fresh one */
        bool thinking;                  /* closed: its user pauses until cool_until_ns */
        uint64_t backoff_ns;            /* after failed connects: the pause before the next try */
        uint64_t cool_until_ns;         /* out of free_stack until then (thaw()) */
        const RequestEntry *req;        /* the request in flight */
        size_t req_sent;                /* bytes of it sent so far */
        Http1Parser parser;
} Slot;

/* What the run asks of every worker (set by loadgen.c before each run). */
typedef struct WorkerRun {
        const LoadgenSchedule *schedule;
        unsigned nthreads;
        uint64_t t0, end, grace_ns;
        uint64_t interval_ns;           /* harvest period; 0: none */
        uint64_t think_ns;              /* closed: a user's pause between answer and next request */
        unsigned seg_index, seg_count;
        const volatile sig_atomic_t *stop;
        const atomic_bool *end_now;
        const atomic_bool *cancel;
} WorkerRun;

typedef struct Worker {
        const WorkerRun *run;
        const RequestTable *table;
        unsigned index;                 /* of the thread */
        CURLM *multi;
        CURLU *url;
        int epfd;                       /* every socket of the worker: libcurl's while connecting, then ours */
        uint8_t *fd_state;              /* by fd: FD_* (conn.h) */
        unsigned *fd_slot;              /* by fd: the slot whose connection it is (FD_EXCHANGE) */
        size_t n_fd_state;
        int *fresh;                     /* sockets opened since the last epoll_wait (FD_FRESH) */
        size_t n_fresh, fresh_cap;
        uint64_t timer_ns;              /* when libcurl wants CURL_SOCKET_TIMEOUT; UINT64_MAX: never */
        uint64_t timeout_ns;            /* of a request */
        uint64_t next_deadline_ns;      /* the earliest request deadline, or later; UINT64_MAX: none */
        uint64_t next_thaw_ns;          /* the earliest end of a slot's pause after a failed connect */
        int cb_error;                   /* set by the callbacks */
        uint64_t wake_lag_ns;           /* open: how late timed waits for a send came back (worker.c) */
        uint64_t poll_ns;               /* of this run, spent polling for a send's time after an early wake */
        bool no_pwait2;                 /* the kernel lacks epoll_pwait2: whole milliseconds */
        bool tls;
        Slot *slots;
        unsigned nslots;
        unsigned *free_stack;           /* indexes of idle slots */
        unsigned nfree;
        unsigned nbusy;                 /* slots with a request in flight */
        unsigned nthinking;             /* slots whose user pauses (think time) */
        bool slot_wait;                 /* open: due requests waited for a slot, and the sends have not
                                         * caught up with the schedule since */
        char *rbuf;                     /* receive buffer, RBUF_SIZE */
        StatsRng rng;                   /* the request draw */
        StatsRng arrival_rng;           /* Poisson gaps */

        /* Results: the worker records into cur, one of buf[]; see worker_rotate(). */
        LoadgenResults buf[2];
        LoadgenResults *cur;
        LoadgenResults whole;           /* record_run: histograms only */
        bool record_run;
        uint64_t interval;              /* the interval being recorded (worker only) */
        uint64_t next_boundary_ns;      /* when it ends (or the next retry to switch) */
        _Atomic uint64_t published;     /* intervals complete: buf[k % 2] for k < published */
        _Atomic uint64_t consumed;      /* intervals the harvester has taken */
        _Atomic bool finished;          /* the run's last interval is published */

        double cpu_s;
        int r;
        pthread_t tid;
} Worker;

enum { RBUF_SIZE = 64 * 1024 };

int worker_setup(Worker *w, const LoadgenConfig *cfg, const RequestTable *t, unsigned nslots, Error *e);
void worker_teardown(Worker *w);
/* One run: send until run->end, drain, cut what is left; publishes the last interval. */
void *worker_run(void *arg);

static inline void worker_record(Worker *w, LoadgenHist h, uint64_t v) {
        histogram_record(w->cur->h[h], v);
        if (w->record_run)
                histogram_record(w->whole.h[h], v);
}
