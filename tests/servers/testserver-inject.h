/* SPDX-License-Identifier: MIT */
/* testserver-inject: what skytune-testserver injects into each answer, as settings (the same keys on
 * the command line, --delay-ms, and in GET /_control?delay_ms=5) and a decision per request, drawn
 * from a seeded generator in the order requests arrive, so that a run is repeatable. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats.h"

typedef enum DelayDist {
        DELAY_FIXED,
        DELAY_UNIFORM,          /* delay_ms +- delay_spread_ms */
        DELAY_EXPONENTIAL,      /* mean delay_ms */
        _DELAY_DIST_MAX,
} DelayDist;

typedef struct Settings {
        double delay_ms, delay_spread_ms;
        DelayDist delay_dist;
        double error_rate;      /* probability of an injected error status */
        double error_status;    /* 500 or 503 */
        double reset_rate;      /* probability of a connection reset instead of the answer */
        double stall_every_s, stall_ms; /* every N s (from the start) nothing is answered for M ms */
        double capacity;        /* at most this many answers per second (0: no limit); the rest queue */
        double max_queue;       /* more queued than this: 503 at once (0: no limit) */
        double seed;
} Settings;

typedef struct ServerStats {
        uint64_t received, served, errors_injected, rejected_queue_full, resets_injected, stalled, control;
        uint64_t connections, queued_max;
        double delay_ms_sum;    /* of the answers decided (time from arrival to the planned answer) */
} ServerStats;

typedef struct Injector {
        Settings s;
        ServerStats st;
        StatsRng rng;
        uint64_t start_ns;
        uint64_t last_slot_ns;  /* capacity: when the last admitted request is served */
} Injector;

typedef struct Decision {
        uint64_t ready_ns;
        unsigned status;
        bool reset;
} Decision;

void settings_defaults(Settings *s);
/* Set the setting key ("delay_ms") from text. -ENOENT: no such key; -EINVAL: a bad value (*why says
 * what is accepted). */
int settings_set(Settings *s, const char *key, const char *value, const char **why);
/* The i-th key, for --help and the command line's options; NULL past the last. */
const char *settings_key(size_t i);

void injector_init(Injector *in, const Settings *s, uint64_t now_ns);
void injector_decide(Injector *in, uint64_t now_ns, Decision *ret);
/* Requests waiting for their service slot at now_ns. */
uint64_t injector_queued(const Injector *in, uint64_t now_ns);
/* GET /_control?QUERY: apply every key=value pair, or none. Writes the settings as JSON into out (or
 * an error message naming the key); returns 200 or 400. */
unsigned injector_control(Injector *in, const char *query, char *out, size_t size);
/* GET /_stats: the counters as JSON. */
void injector_stats(const Injector *in, uint64_t now_ns, uint64_t in_flight, char *out, size_t size);
