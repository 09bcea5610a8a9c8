/* SPDX-License-Identifier: MIT */
/* schedule: the load as a function of the time t (seconds since the run started).
 *
 * Closed model: value(t) users, each sending its next request as soon as its last one ended.
 * Open model: requests arrive at rate(t) = value(t) per second whether or not earlier ones ended.
 * The shape of value(t) is constant, a linear ramp from `from` to `to` over ramp_s seconds (then
 * `to`), or steps (each step's value for its duration; the last one holds).
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
        _LOADGEN_SHAPE_MAX,
} LoadgenShape;

typedef struct LoadgenStep {
        double duration_s;
        double value;
} LoadgenStep;

typedef struct LoadgenSchedule {
        LoadgenModel model;
        LoadgenShape shape;
        bool poisson;                   /* open: Poisson arrivals instead of evenly spaced ones */
        double value;                   /* constant: users (closed) or requests per second (open) */
        double from, to, ramp_s;        /* ramp */
        const LoadgenStep *steps;       /* steps (borrowed) */
        size_t n_steps;
} LoadgenSchedule;

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

/* One stream of intended send times carrying a share 1/n of an open schedule's requests. */
typedef struct LoadgenArrivals {
        const LoadgenSchedule *s;
        double n;                       /* streams */
        double index;                   /* this stream's place among them, 0 .. n - 1 */
        double x;                       /* L of the last intended time */
        uint64_t k;                     /* requests so far */
        uint64_t t0_ns;
        StatsRng *rng;                  /* Poisson gaps (borrowed: it goes on from run to run) */
} LoadgenArrivals;

/* Stream index (0 .. n - 1) of n. */
void loadgen_arrivals_init(LoadgenArrivals *a, const LoadgenSchedule *s, unsigned n, unsigned index, uint64_t t0_ns,
                           StatsRng *rng);
/* The intended time (ns, on t0's clock) of the next request; UINT64_MAX when none comes. The first
 * call gives the first request's. */
uint64_t loadgen_arrivals_next(LoadgenArrivals *a);
