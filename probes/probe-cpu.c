/* SPDX-License-Identifier: MIT */
/* cpu: integer and floating-point work per second, on one thread and on every CPU. Each round spends
 * a third of its time on each part. The work is a dependent chain so the compiler cannot drop it. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include "macro.h"
#include "probe.h"

enum { M_INT_1T, M_FP_1T, M_INT_ALL, M_COUNT };

static const ProbeMetricDef cpu_metrics[] = {
        [M_INT_1T] = { "int_ops_per_s_1thread", "op/s", true },
        [M_FP_1T] = { "fp_ops_per_s_1thread", "op/s", true },
        [M_INT_ALL] = { "int_ops_per_s_all", "op/s", true },
};

#define CHUNK 65536u

typedef struct Worker {
        pthread_t tid;
        uint64_t deadline_ns, ops;
        bool fp;
        const ProbeConfig *cfg;
        volatile uint64_t sink;
        volatile double fsink;
} Worker;

static void *work(void *arg) {
        Worker *w = arg;
        uint64_t x = 0x9e3779b97f4a7c15u ^ (uint64_t) (uintptr_t) w;
        double f = 1.0;
        while (probe_now_ns() < w->deadline_ns && !probe_stopped(w->cfg)) {
                if (w->fp)
                        for (unsigned i = 0; i < CHUNK; i++)
                                f = f * 1.0000001 + 1e-9;       /* multiply-add: 2 flops */
                else
                        for (unsigned i = 0; i < CHUNK; i++) {
                                x ^= x << 13;                   /* xorshift plus a multiply: 4 ops */
                                x ^= x >> 7;
                                x = x * 0x2545f4914f6cdd1du + i;
                        }
                w->ops += CHUNK * (w->fp ? 2u : 4u);
        }
        w->sink = x;
        w->fsink = f;
        return NULL;
}

/* Run n workers until duration_s has passed; returns ops per second in total. */
static int run_workers(const ProbeConfig *cfg, unsigned n, bool fp, double duration_s, double *ret) {
        _cleanup_free_ Worker *w = calloc(n, sizeof(Worker));
        if (!w)
                return -ENOMEM;
        uint64_t t0 = probe_now_ns(), deadline = t0 + (uint64_t) (duration_s * 1e9);
        unsigned started = 0;
        int r = 0;
        for (unsigned i = 0; i < n; i++) {
                w[i] = (Worker) { .deadline_ns = deadline, .fp = fp, .cfg = cfg };
                if (i == 0)
                        continue;       /* worker 0 runs on this thread */
                r = -pthread_create(&w[i].tid, NULL, work, &w[i]);
                if (r < 0)
                        break;
                started = i;
        }
        work(&w[0]);
        uint64_t ops = w[0].ops;
        for (unsigned i = 1; i <= started; i++) {
                pthread_join(w[i].tid, NULL);
                ops += w[i].ops;
        }
        if (r < 0)
                return r;
        double el = (double) (probe_now_ns() - t0) / 1e9;
        *ret = el > 0 ? (double) ops / el : NAN;
        return 0;
}

static int cpu_round(void *state, const ProbeConfig *cfg, ProbeRoundOut *out) {
        double part = cfg->duration_s / 3;
        int r = run_workers(cfg, 1, false, part, &out->values[M_INT_1T]);
        if (r >= 0)
                r = run_workers(cfg, 1, true, part, &out->values[M_FP_1T]);
        if (r >= 0)
                r = run_workers(cfg, probe_ncpu(), false, part, &out->values[M_INT_ALL]);
        return r;
}

const ProbeBackend probe_cpu = {
        .name = "cpu",
        .summary = "integer and floating-point work per second, one thread and all CPUs",
        .metrics = cpu_metrics,
        .n_metrics = M_COUNT,
        .primary = M_INT_ALL,
        .round = cpu_round,
};
