/* SPDX-License-Identifier: MIT */
/* memory: copy bandwidth (memcpy between two 32 MiB buffers, larger than any cache) and load-to-use latency
 * (a pointer chase through a random 64 MiB cycle, one dependent load at a time, so no prefetcher helps). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "probe.h"
#include "stats.h"

enum { M_COPY, M_CHASE, M_COUNT };

static const ProbeMetricDef memory_metrics[] = {
        [M_COPY] = { "copy_bytes_per_s", "B/s", true },
        [M_CHASE] = { "chase_latency_ns", "ns", false },
};

#define DEFAULT_BYTES (UINT64_C(64) << 20)

typedef struct MemoryState {
        char *src, *dst;
        size_t copy_bytes;
        size_t *chain;          /* chain[i] is the index of the next element */
        size_t n;
        volatile size_t sink;
} MemoryState;

static int memory_setup(void *state, const ProbeConfig *cfg, Error *e) {
        MemoryState *s = state;
        uint64_t bytes = cfg->memory_bytes ? MAX(cfg->memory_bytes, UINT64_C(1) << 16) : DEFAULT_BYTES;
        s->copy_bytes = (size_t) bytes / 2;
        s->src = malloc(s->copy_bytes);
        s->dst = malloc(s->copy_bytes);
        s->n = (size_t) bytes / sizeof(size_t);
        s->chain = malloc(s->n * sizeof(size_t));
        if (!s->src || !s->dst || !s->chain)
                return -ENOMEM;
        memset(s->src, 0x5a, s->copy_bytes);
        memset(s->dst, 0, s->copy_bytes);
        /* One cycle through every element in random order (Sattolo's shuffle of the identity). */
        _cleanup_free_ size_t *order = malloc(s->n * sizeof(size_t));
        if (!order)
                return -ENOMEM;
        for (size_t i = 0; i < s->n; i++)
                order[i] = i;
        StatsRng rng;
        stats_rng_seed(&rng, 0x6d656d);
        for (size_t i = s->n - 1; i > 0; i--) {
                size_t j = (size_t) stats_rng_below(&rng, i), t = order[i];
                order[i] = order[j];
                order[j] = t;
        }
        for (size_t i = 0; i < s->n; i++)
                s->chain[order[i]] = order[(i + 1) % s->n];
        return 0;
}

static int memory_round(void *state, const ProbeConfig *cfg, ProbeRoundOut *out) {
        MemoryState *s = state;
        uint64_t t0 = probe_now_ns(), end = t0 + (uint64_t) (cfg->duration_s / 2 * 1e9);
        uint64_t bytes = 0;
        do {
                memcpy(s->dst, s->src, s->copy_bytes);
                bytes += s->copy_bytes;
        } while (probe_now_ns() < end && !probe_stopped(cfg));
        uint64_t t1 = probe_now_ns();
        out->values[M_COPY] = (double) bytes / ((double) (t1 - t0) / 1e9);

        end = t1 + (uint64_t) (cfg->duration_s / 2 * 1e9);
        size_t p = 0;
        uint64_t loads = 0;
        do {
                for (unsigned i = 0; i < 100000; i++)
                        p = s->chain[p];
                loads += 100000;
        } while (probe_now_ns() < end && !probe_stopped(cfg));
        s->sink = p;
        out->values[M_CHASE] = (double) (probe_now_ns() - t1) / (double) loads;
        return 0;
}

static void memory_teardown(void *state) {
        MemoryState *s = state;
        free(s->src);
        free(s->dst);
        free(s->chain);
}

const ProbeBackend probe_memory = {
        .name = "memory",
        .summary = "copy bandwidth and pointer-chase latency",
        .metrics = memory_metrics,
        .n_metrics = M_COUNT,
        .primary = M_COPY,
        .state_size = sizeof(MemoryState),
        .setup = memory_setup,
        .round = memory_round,
        .teardown = memory_teardown,
};
