/* SPDX-License-Identifier: MIT */
/* The worker loop. Closed model: value(t) users (this thread's share), each starting its next request
 * as soon as its last one ends. Open model: requests are due at the schedule's arrival times whether
 * or not earlier ones ended; at most the slots are in flight, and a due request that finds every
 * slot busy waits (its latency still counts from when it was due). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "conn.h"
#include "exchange.h"
#include "macro.h"

int worker_setup(Worker *w, const LoadgenConfig *cfg, const RequestTable *t, unsigned nslots, Error *e) {
        w->table = t;
        w->tls = t->tls;
        w->record_run = cfg->record_run;
        w->timeout_ns = (uint64_t) ((cfg->timeout_s > 0 ? cfg->timeout_s : 10) * 1e9);
        w->nslots = nslots;
        w->slots = calloc(nslots, sizeof(Slot));
        w->free_stack = calloc(nslots, sizeof(unsigned));
        w->rbuf = malloc(RBUF_SIZE);
        w->url = curl_url();
        if (!w->slots || !w->free_stack || !w->rbuf || !w->url)
                return -ENOMEM;
        if (curl_url_set(w->url, CURLUPART_URL, cfg->url, 0) != CURLUE_OK)
                return -EINVAL;         /* request_table_build checked it */
        int r = conn_setup_multi(w, nslots);
        if (r < 0)
                return r;
        for (unsigned i = 0; i < nslots; i++) {
                w->slots[i].index = i;
                r = conn_setup_easy(w, &w->slots[i], cfg, e);
                if (r < 0)
                        return r;
        }
        size_t entries = cfg->per_request ? t->n : 0;
        for (size_t i = 0; i < ELEMENTSOF(w->buf); i++)
                if ((r = loadgen_results_init_entries(&w->buf[i], entries)) < 0)
                        return r;
        return cfg->record_run ? loadgen_results_init(&w->whole) : 0;
}

void worker_teardown(Worker *w) {
        for (unsigned i = 0; w->slots && i < w->nslots; i++)
                if (w->slots[i].easy) {
                        if (w->multi)
                                conn_close(w, &w->slots[i]);
                        curl_easy_cleanup(w->slots[i].easy);
                }
        if (w->multi)
                curl_multi_cleanup(w->multi);
        curl_url_cleanup(w->url);
        if (w->epfd >= 0)
                close(w->epfd);
        free(w->fd_state);
        free(w->fd_slot);
        free(w->fresh);
        free(w->slots);
        free(w->free_stack);
        free(w->rbuf);
        for (size_t i = 0; i < ELEMENTSOF(w->buf); i++)
                loadgen_results_done(&w->buf[i]);
        loadgen_results_done(&w->whole);
}

static double thread_cpu_s(void) {
        struct timespec ts;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static bool stopped(const Worker *w) {
        return (w->run->stop && *w->run->stop) ||
               (w->run->end_now && atomic_load_explicit(w->run->end_now, memory_order_relaxed)) ||
               (w->run->cancel && atomic_load_explicit(w->run->cancel, memory_order_relaxed));
}

static void begin(Worker *w) {
        const WorkerRun *run = w->run;
        w->cb_error = 0;
        w->next_deadline_ns = w->next_thaw_ns = UINT64_MAX;
        loadgen_results_reset(&w->buf[0]);      /* buf[1] is reset when recording moves to it */
        if (w->record_run)
                loadgen_results_reset(&w->whole);
        w->cur = &w->buf[0];
        w->interval = 0;
        w->next_boundary_ns = run->interval_ns ? run->t0 + run->interval_ns : UINT64_MAX;
        w->nfree = w->nbusy = w->nthinking = 0;
        w->poll_ns = 0;
        w->slot_wait = false;
        for (unsigned i = w->nslots; i > 0; i--) {
                w->slots[i - 1].cool_until_ns = 0;
                w->slots[i - 1].thinking = false;
                w->free_stack[w->nfree++] = i - 1;
        }
}

/* At an interval's end: the finished set goes to the harvester, and recording moves to the other
 * one, once the harvester has taken what that one held (the interval before); until then recording
 * goes on into the current set and the switch is tried again a millisecond later. */
static void rotate(Worker *w, uint64_t now) {
        if (atomic_load_explicit(&w->consumed, memory_order_acquire) < w->interval) {
                w->next_boundary_ns = now + 1000000;
                return;
        }
        LoadgenResults *next = &w->buf[(w->interval + 1) % 2];
        loadgen_results_reset(next);
        w->cur = next;
        w->interval++;
        atomic_store_explicit(&w->published, w->interval, memory_order_release);
        w->next_boundary_ns = MAX(w->run->t0 + (w->interval + 1) * w->run->interval_ns, now);
}

/* Closed model: this thread's share of the users at t (of this agent's share, with segments). */
static unsigned closed_users(const Worker *w, uint64_t now) {
        const WorkerRun *run = w->run;
        if (run->schedule->shape == LOADGEN_CONSTANT && run->seg_count <= 1 &&
            run->schedule->value >= w->nslots * (double) run->nthreads)
                return w->nslots;
        double v = loadgen_schedule_value(run->schedule, (double) (now - run->t0) / 1e9);
        unsigned users = loadgen_segment_users((unsigned) fmin(floor(v), (double) UINT32_MAX), run->seg_index,
                                               run->seg_count);
        unsigned share = users / run->nthreads + (w->index < users % run->nthreads);
        return MIN(share, w->nslots);
}

static const RequestEntry *pick(Worker *w) {
        return &w->table->e[request_table_pick(w->table, &w->rng)];
}

/* Sends what is due now: *next is the open model's next intended time. */
static int send_due(Worker *w, LoadgenArrivals *a, uint64_t *next, uint64_t now) {
        int r = 0;
        if (w->run->schedule->model == LOADGEN_CLOSED) {
                unsigned users = closed_users(w, now);
                while (w->nfree > 0 && w->nbusy + w->nthinking < users && r >= 0)
                        r = exchange_start(w, pick(w), now, now);
                return r;
        }
        while (*next <= now && *next < w->run->end && r >= 0) {
                if (w->nfree == 0) {
                        w->slot_wait = true;    /* due, but every slot is busy: it waits */
                        break;
                }
                /* Late with no wait for a slot before it: the client's loop was behind. */
                if (now - *next <= 1000000)
                        w->slot_wait = false;
                else if (!w->slot_wait && now - *next > 10000000)
                        w->cur->c.late_client++;
                r = exchange_start(w, pick(w), *next, now);
                *next = loadgen_arrivals_next(a);
        }
        return r;
}

/* The events of one epoll_wait. */
static int handle_events(Worker *w, const struct epoll_event *events, int n) {
        int r = 0;
        for (int i = 0; i < n && r >= 0; i++) {
                int fd = events[i].data.fd;
                uint32_t e = events[i].events;
                uint8_t st = (size_t) fd < w->n_fd_state ? w->fd_state[fd] : 0;
                if (st & FD_FRESH)
                        continue;       /* this event was for the socket that had its number */
                if (st & FD_EXCHANGE) {
                        r = exchange_event(w, &w->slots[w->fd_slot[fd]], e);
                        continue;
                }
                if (!(st & FD_WANTED)) {
                        /* Nobody waits on it (a socket libcurl let go of and nobody took, or one
                         * closed earlier in this batch): it leaves epoll. */
                        r = conn_epoll_set(w, fd, EPOLL_CTL_DEL, 0);
                        if ((size_t) fd < w->n_fd_state)
                                w->fd_state[fd] &= (uint8_t) ~FD_REGISTERED;
                        continue;
                }
                int bits = (e & (EPOLLIN | EPOLLHUP | EPOLLRDHUP) ? CURL_CSELECT_IN : 0) |
                           (e & EPOLLOUT ? CURL_CSELECT_OUT : 0) | (e & EPOLLERR ? CURL_CSELECT_ERR : 0);
                r = exchange_drive(w, fd, bits);
        }
        return r;
}

/* Open model: requests that fell due while every slot was busy and were still waiting when sending
 * stopped did not succeed either (the server fell behind): counted, so that success_rate shows it.
 * Requests still in flight after the grace period are cut, not counted as errors; their connections
 * close, as their answers could still come. Then the last interval is published. */
static void end(Worker *w, LoadgenArrivals *a, uint64_t next, uint64_t send_end) {
        LoadgenCounters *c = &w->cur->c;
        for (; w->run->schedule->model == LOADGEN_OPEN && next < send_end; c->not_sent++)
                next = loadgen_arrivals_next(a);
        for (unsigned i = 0; i < w->nslots; i++)
                if (w->slots[i].busy) {
                        conn_close(w, &w->slots[i]);
                        w->slots[i].busy = false;
                        w->nbusy--;
                        c->cut++;
                }
        atomic_store_explicit(&w->published, w->interval + 1, memory_order_release);
        atomic_store_explicit(&w->finished, true, memory_order_release);
}

/* How long the loop may wait for events. */
static uint64_t wake_at(const Worker *w, bool sending, uint64_t next, uint64_t drain_end) {
        const WorkerRun *run = w->run;
        uint64_t wake = MIN(MIN(w->timer_ns, w->next_deadline_ns), sending ? run->end : drain_end);
        wake = MIN(wake, w->next_boundary_ns);
        if (sending)
                wake = MIN(wake, w->next_thaw_ns);
        if (sending && run->schedule->model == LOADGEN_OPEN && w->nfree > 0)
                wake = MIN(wake, next);
        return wake;
}

/* Waits for events until wake. A wait whose end is the open model's next send is ended early by the
 * timer's measured overshoot (wake_lag_ns, a moving average of how late past the asked time such a
 * wait returned): on a virtual machine a timed wake-up comes 30-50 us late, which was the median send
 * lateness; what is left after the early wake is spent polling (timeout 0), never sending early. */
static int wait_until(Worker *w, struct epoll_event *events, int max, uint64_t now, uint64_t wake, bool for_send,
                      uint64_t cap) {
        uint64_t lag = for_send ? w->wake_lag_ns : 0;
        uint64_t timeout = wake <= now + lag ? 0 : MIN(wake - lag - now, cap);
        int n = conn_wait(w, events, max, timeout);
        if (for_send && n == 0 && timeout == 0)
                w->poll_ns += loadgen_now_ns() - now;   /* waiting, not working: not client-bound */
        if (for_send && n == 0 && timeout > 0 && timeout < cap) {
                uint64_t asked = now + timeout, got = loadgen_now_ns();
                uint64_t over = got > asked ? MIN(got - asked, (uint64_t) 200000) : 0;
                w->wake_lag_ns = (7 * w->wake_lag_ns + over) / 8;
        }
        return n;
}

static int loop(Worker *w, LoadgenArrivals *a, uint64_t *next, uint64_t *send_end) {
        const WorkerRun *run = w->run;
        bool open_model = run->schedule->model == LOADGEN_OPEN;
        bool varying = !open_model && run->schedule->shape != LOADGEN_CONSTANT;
        uint64_t drain_end = run->end + run->grace_ns;
        struct epoll_event events[64];
        for (;;) {
                uint64_t now = loadgen_now_ns();
                bool sending = now < run->end && !stopped(w);
                if (!sending)
                        *send_end = MIN(*send_end, now);
                if (now >= w->next_boundary_ns)
                        rotate(w, now);
                exchange_thaw(w, now);
                int r = sending ? send_due(w, a, next, now) : 0;
                if (r < 0)
                        return r;
                /* Connections just asked for are due at once (libcurl set its timer to 0). If the call
                 * does not move the timer (libcurl's clock being a little behind), look again in a
                 * millisecond. */
                if (w->timer_ns <= now) {
                        w->timer_ns = now + 1000000;
                        if ((r = exchange_drive(w, CURL_SOCKET_TIMEOUT, 0)) < 0)
                                return r;
                }
                exchange_expire(w, now);
                if (!sending && (w->nbusy == 0 || now >= drain_end || stopped(w)))
                        return 0;       /* everything sent has ended, or the grace is over */
                if (sending && !open_model && w->nfree > 0 && w->nbusy + w->nthinking < closed_users(w, now))
                        continue;       /* a slot freed (a failed connect, a timeout): use it now */
                uint64_t wake = wake_at(w, sending, *next, drain_end);
                uint64_t cap = varying && sending ? 10000000 : 100000000;  /* users may change */
                bool for_send = sending && open_model && w->nfree > 0 && wake == *next;
                int n = wait_until(w, events, (int) ELEMENTSOF(events), now, wake, for_send, cap);
                if (n < 0 && errno != EINTR)
                        return -errno;
                if ((r = handle_events(w, events, n)) < 0)
                        return r;
        }
}

void *worker_run(void *arg) {
        Worker *w = arg;
        const WorkerRun *run = w->run;
        bool open_model = run->schedule->model == LOADGEN_OPEN;
        begin(w);
        double cpu0 = thread_cpu_s();
        /* The open model's sends are due to the microsecond: no 50 us of timer slack on the waits. */
        int slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
        if (open_model)
                (void) prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0);
        LoadgenArrivals a;
        loadgen_arrivals_init_segment(&a, run->schedule, run->nthreads, w->index, run->seg_index, run->seg_count, run->t0,
                                      &w->arrival_rng);
        uint64_t next = open_model ? loadgen_arrivals_next(&a) : 0;
        uint64_t send_end = run->end;   /* when sending stopped: the deadline, or a stop */
        w->r = loop(w, &a, &next, &send_end);
        w->cpu_s = thread_cpu_s() - cpu0;
        if (open_model && slack > 0)
                (void) prctl(PR_SET_TIMERSLACK, slack, 0, 0, 0);
        end(w, &a, next, send_end);
        return NULL;
}
