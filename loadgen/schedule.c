/* SPDX-License-Identifier: MIT */
#include "schedule.h"

#include <errno.h>
#include <math.h>

static bool ok_value(double v) {
        return isfinite(v) && v >= 0;
}

int loadgen_schedule_check(const LoadgenSchedule *s) {
        switch (s->shape) {
        case LOADGEN_CONSTANT:
                if (!ok_value(s->value))
                        return -EINVAL;
                break;
        case LOADGEN_RAMP:
                if (!ok_value(s->from) || !ok_value(s->to) || !(isfinite(s->ramp_s) && s->ramp_s > 0))
                        return -EINVAL;
                break;
        case LOADGEN_STEPS:
                if (!s->steps || s->n_steps == 0)
                        return -EINVAL;
                for (size_t i = 0; i < s->n_steps; i++)
                        if (!ok_value(s->steps[i].value) || !(isfinite(s->steps[i].duration_s) && s->steps[i].duration_s > 0))
                                return -EINVAL;
                break;
        default:
                return -EINVAL;
        }
        if (s->model == LOADGEN_OPEN && !(loadgen_schedule_peak(s) > 0))
                return -EINVAL;
        return 0;
}

double loadgen_schedule_value(const LoadgenSchedule *s, double t) {
        switch (s->shape) {
        case LOADGEN_RAMP:
                return t >= s->ramp_s ? s->to : s->from + (s->to - s->from) * t / s->ramp_s;
        case LOADGEN_STEPS: {
                size_t i = 0;
                for (double end = s->steps[0].duration_s; i + 1 < s->n_steps && t >= end; end += s->steps[i].duration_s)
                        i++;
                return s->steps[i].value;
        }
        default:
                return s->value;
        }
}

double loadgen_schedule_peak(const LoadgenSchedule *s) {
        switch (s->shape) {
        case LOADGEN_RAMP:
                return fmax(s->from, s->to);
        case LOADGEN_STEPS: {
                double m = 0;
                for (size_t i = 0; i < s->n_steps; i++)
                        m = fmax(m, s->steps[i].value);
                return m;
        }
        default:
                return s->value;
        }
}

/* The integral of a ramp's rate from 0 to t <= ramp_s. */
static double ramp_integral(const LoadgenSchedule *s, double t) {
        return s->from * t + (s->to - s->from) * t * t / (2 * s->ramp_s);
}

double loadgen_schedule_integral(const LoadgenSchedule *s, double t) {
        switch (s->shape) {
        case LOADGEN_RAMP:
                if (t <= s->ramp_s)
                        return ramp_integral(s, t);
                return ramp_integral(s, s->ramp_s) + s->to * (t - s->ramp_s);
        case LOADGEN_STEPS: {
                double sum = 0, start = 0;
                for (size_t i = 0; i < s->n_steps; i++) {
                        bool last = i + 1 == s->n_steps;
                        double d = last ? t - start : fmin(s->steps[i].duration_s, t - start);
                        sum += s->steps[i].value * d;
                        start += s->steps[i].duration_s;
                        if (t <= start)
                                break;
                }
                return sum;
        }
        default:
                return s->value * t;
        }
}

/* Within the ramp: a t in [0, ramp_s] with from*t + a*t^2 = x, a = (to - from) / (2 ramp_s); the
 * form 2x / (from + sqrt(from^2 + 4ax)) keeps its precision when a is small. */
static double ramp_inverse(const LoadgenSchedule *s, double x) {
        double a = (s->to - s->from) / (2 * s->ramp_s);
        double d = s->from * s->from + 4 * a * x;
        double q = s->from + sqrt(fmax(d, 0));
        return q > 0 ? 2 * x / q : 0;
}

static double steps_inverse(const LoadgenSchedule *s, double x) {
        double sum = 0, start = 0;
        for (size_t i = 0; i < s->n_steps; i++) {
                double v = s->steps[i].value, d = s->steps[i].duration_s;
                if (i + 1 == s->n_steps || sum + v * d >= x)
                        return v > 0 ? start + (x - sum) / v : (x <= sum ? start : INFINITY);
                sum += v * d;
                start += d;
        }
        return INFINITY;
}

double loadgen_schedule_inverse(const LoadgenSchedule *s, double x) {
        if (x <= 0)
                return 0;
        switch (s->shape) {
        case LOADGEN_RAMP: {
                double in_ramp = ramp_integral(s, s->ramp_s);
                if (x <= in_ramp)
                        return ramp_inverse(s, x);
                return s->to > 0 ? s->ramp_s + (x - in_ramp) / s->to : INFINITY;
        }
        case LOADGEN_STEPS:
                return steps_inverse(s, x);
        default:
                return s->value > 0 ? x / s->value : INFINITY;
        }
}

void loadgen_arrivals_init(LoadgenArrivals *a, const LoadgenSchedule *s, unsigned n, unsigned index, uint64_t t0_ns,
                           StatsRng *rng) {
        n = n > 0 ? n : 1;
        *a = (LoadgenArrivals) { .s = s, .n = n, .index = index % n, .t0_ns = t0_ns, .rng = rng };
}

uint64_t loadgen_arrivals_next(LoadgenArrivals *a) {
        if (a->s->poisson)
                a->x += stats_rng_exponential(a->rng, a->n);
        else            /* stream i takes the i-th of every n: the streams' sends interleave evenly */
                a->x = (double) a->k * a->n + a->index;
        a->k++;
        double t = loadgen_schedule_inverse(a->s, a->x);
        if (!(t < 1e9))                 /* INFINITY, or past any run's end (about 31 years) */
                return UINT64_MAX;
        return a->t0_ns + (uint64_t) (t * 1e9);
}
