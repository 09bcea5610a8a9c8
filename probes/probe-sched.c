/* SPDX-License-Identifier: MIT */
/* sched: wake-up latency of a thread that sleeps 1 ms at a time (absolute deadlines) while one busy
 * thread per CPU keeps every CPU loaded. Latency is how late each wake-up came; its percentiles move
 * with the governor, the scheduler's granularity settings and timer slack. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "histogram.h"
#include "macro.h"
#include "probe.h"

enum { M_P50, M_P99, M_MAX, M_COUNT };

static const ProbeMetricDef sched_metrics[] = {
        [M_P50] = { "wakeup_p50_us", "us", false },
        [M_P99] = { "wakeup_p99_us", "us", false },
        [M_MAX] = { "wakeup_max_us", "us", false },
};

#define PERIOD_NS 1000000u

typedef struct SchedState {
        Histogram *h;
} SchedState;

typedef struct Spinner {
        pthread_t tid;
        uint64_t deadline_ns;
        const ProbeConfig *cfg;
        volatile uint64_t spins;
} Spinner;

static void *spin(void *arg) {
        Spinner *s = arg;
        while (probe_now_ns() < s->deadline_ns && !probe_stopped(s->cfg))
                for (unsigned i = 0; i < 1000; i++)
                        s->spins++;
        return NULL;
}

static int sched_setup(void *state, const ProbeConfig *cfg, Error *e) {
        SchedState *s = state;
        return histogram_new(UINT64_C(10000000000), 3, &s->h);     /* up to 10 s, in ns */
}

static int sched_round(void *state, const ProbeConfig *cfg, ProbeRoundOut *out) {
        SchedState *s = state;
        unsigned n = probe_ncpu();
        _cleanup_free_ Spinner *sp = calloc(n, sizeof(Spinner));
        if (!sp)
                return -ENOMEM;
        histogram_reset(s->h);
        uint64_t t0 = probe_now_ns(), deadline = t0 + (uint64_t) (cfg->duration_s * 1e9);
        unsigned started = 0;
        int r = 0;
        for (; started < n; started++) {
                sp[started] = (Spinner) { .deadline_ns = deadline, .cfg = cfg };
                r = -pthread_create(&sp[started].tid, NULL, spin, &sp[started]);
                if (r < 0)
                        break;
        }
        struct timespec next;
        clock_gettime(CLOCK_MONOTONIC, &next);
        for (;;) {
                next.tv_nsec += PERIOD_NS;
                if (next.tv_nsec >= 1000000000) {
                        next.tv_nsec -= 1000000000;
                        next.tv_sec++;
                }
                uint64_t want = (uint64_t) next.tv_sec * 1000000000u + (uint64_t) next.tv_nsec;
                if (want >= deadline || probe_stopped(cfg))
                        break;
                while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
                        if (probe_stopped(cfg))
                                break;
                uint64_t now = probe_now_ns();
                histogram_record(s->h, now > want ? now - want : 0);
                if (now > want + PERIOD_NS) {
                        /* Overslept by more than a period: restart the schedule from now, so one long
                         * stall is one late wake-up and not a burst of catch-up ones. */
                        next.tv_sec = (time_t) (now / 1000000000u);
                        next.tv_nsec = (long) (now % 1000000000u);
                }
        }
        for (unsigned i = 0; i < started; i++)
                pthread_join(sp[i].tid, NULL);
        if (r < 0)
                return r;
        if (histogram_count(s->h) > 0) {
                out->values[M_P50] = (double) histogram_percentile(s->h, 50) / 1e3;
                out->values[M_P99] = (double) histogram_percentile(s->h, 99) / 1e3;
                out->values[M_MAX] = (double) histogram_max(s->h) / 1e3;
        }
        out->detail = json_object();
        if (out->detail) {
                json_object_set_new(out->detail, "wakeup_us", probe_histogram_json(s->h, 1e-3));
                json_object_set_new(out->detail, "busy_threads", json_integer(started));
        }
        return 0;
}

static void sched_teardown(void *state) {
        SchedState *s = state;
        histogram_free(s->h);
}

const ProbeBackend probe_sched = {
        .name = "sched",
        .summary = "wake-up latency of a sleeping thread while every CPU is kept busy",
        .metrics = sched_metrics,
        .n_metrics = M_COUNT,
        .primary = M_P99,
        .state_size = sizeof(SchedState),
        .setup = sched_setup,
        .round = sched_round,
        .teardown = sched_teardown,
};
