/* SPDX-License-Identifier: MIT */
/* schedule: the load as a function of the time t (seconds since the run started).
 *
 * Closed model: value(t) users, each sending its next request as soon as its last one ended.
 * Open model: requests arrive at rate(t) = value(t) per second whether or not earlier ones ended.
 * The shape of value(t) is constant, a linear ramp from `from` to `to` over ramp_s seconds (then
 * `to`), steps (each step's value for its duration; the last one holds), or pieces: linear pieces one
 * after another, each from `from` to `to` over its duration (a hold has from == to; the last piece's
 * `to` holds), which is what a scenario's phases become (load/run.h).
 *
 * Open-model send times come from the integral of the rate, L(t) = integral of rate(u) du from 0 to
 * t: evenly spaced, the k-th request of stream i of n (each carrying a share 1/n of the load) is due
 * at the t where L(t) = k * n + i, so that the n streams interleave rather than send together; Poisson, the gaps in L are exponential with mean n (a Poisson process of rate
 * rate(t)/n, by the time change of a unit process). A request is due at its intended time whether or
 * not the client could send it then: the lateness of a send is measured against that time. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats.h"

typedef enum LoadgenModel {
        LOADGEN_CLOSED,
        LOADGEN_OPEN,
} LoadgenModel;

typedef enum LoadgenShape {
        LOADGEN_CONSTANT,
        LOADGEN_RAMP,
        LOADGEN_STEPS,
        LOADGEN_PIECES,
        _LOADGEN_SHAPE_MAX,
} LoadgenShape;

typedef struct LoadgenStep {
        double duration_s;
        double value;
} LoadgenStep;

/* One linear piece; start_s and area (L at the piece's start) are filled by loadgen_pieces_prepare(),
 * so that value, integral and inverse find a piece by bisection (a stepping phase has 1000 pieces). */
typedef struct LoadgenPiece {
        double duration_s;
        double from, to;
        double start_s, area;
} LoadgenPiece;

typedef struct LoadgenSchedule {
        LoadgenModel model;
        LoadgenShape shape;
        bool poisson;                   /* open: Poisson arrivals instead of evenly spaced ones */
        double value;                   /* constant: users (closed) or requests per second (open) */
        double from, to, ramp_s;        /* ramp */
        const LoadgenStep *steps;       /* steps (borrowed) */
        size_t n_steps;
        const LoadgenPiece *pieces;     /* pieces (borrowed, prepared) */
        size_t n_pieces;
} LoadgenSchedule;

/* Fills start_s and area of each piece. */
void loadgen_pieces_prepare(LoadgenPiece *p, size_t n);

/* -EINVAL when a value is negative or not finite, a ramp or step has no positive duration, steps are
 * missing, or an open schedule never has a positive rate. */
int loadgen_schedule_check(const LoadgenSchedule *s);
/* value(t): users or requests per second at t >= 0. */
double loadgen_schedule_value(const LoadgenSchedule *s, double t);
/* The largest value over the whole schedule (the most users a closed run needs). */
double loadgen_schedule_peak(const LoadgenSchedule *s);
/* L(t), the integral of value from 0 to t. */
double loadgen_schedule_integral(const LoadgenSchedule *s, double t);
/* The smallest t with L(t) >= x; INFINITY when L never reaches x. */
double loadgen_schedule_inverse(const LoadgenSchedule *s, double x);

/* Segments (several agents sending one schedule together, --segment i/N): agent i of N sends
 * arrivals i, i + N, i + 2N ... of the global schedule (open model) and is users i, i + N ... of its
 * value(t) (closed model), so that the agents together send exactly the schedule. The users of
 * agent i when the schedule asks for `users`. */
unsigned loadgen_segment_users(unsigned users, unsigned seg_index, unsigned seg_count);

/* One stream of intended send times carrying a share 1/n of an open schedule's requests. */
typedef struct LoadgenArrivals {
        const LoadgenSchedule *s;
        double n;                       /* streams */
        double index;                   /* this stream's place among them, 0 .. n - 1 */
        double x;                       /* L of the last intended time */
        uint64_t k;                     /* requests so far */
        uint64_t t0_ns;
        StatsRng *rng;                  /* Poisson gaps (borrowed: it goes on from run to run) */
        bool shared;                    /* Poisson: every stream draws the one global process from the same
                                         * seed and takes its n-th arrivals (segments) */
        bool first;
} LoadgenArrivals;

/* Stream index (0 .. n - 1) of n. */
void loadgen_arrivals_init(LoadgenArrivals *a, const LoadgenSchedule *s, unsigned n, unsigned index, uint64_t t0_ns,
                           StatsRng *rng);
/* Stream `index` of n threads of agent seg_index of seg_count (seg_count 0 or 1: one agent). With
 * more than one agent and Poisson arrivals, rng must be seeded alike in every stream of every agent:
 * they draw the same global process and each takes its own arrivals of it. */
void loadgen_arrivals_init_segment(LoadgenArrivals *a, const LoadgenSchedule *s, unsigned n, unsigned index,
                                   unsigned seg_index, unsigned seg_count, uint64_t t0_ns, StatsRng *rng);
/* The intended time (ns, on t0's clock) of the next request; UINT64_MAX when none comes. The first
 * call gives the first request's. */
uint64_t loadgen_arrivals_next(LoadgenArrivals *a);
