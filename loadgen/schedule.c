/* SPDX-License-Identifier: MIT */
#include "schedule.h"

#include <errno.h>
#include <math.h>

static bool ok_value(double v) {
        return isfinite(v) && v >= 0;
}

void loadgen_pieces_prepare(LoadgenPiece *p, size_t n) {
        double start = 0, area = 0;
        for (size_t i = 0; i < n; i++) {
                p[i].start_s = start;
                p[i].area = area;
                start += p[i].duration_s;
                area += (p[i].from + p[i].to) / 2 * p[i].duration_s;
        }
}

static int pieces_check(const LoadgenSchedule *s) {
        if (!s->pieces || s->n_pieces == 0)
                return -EINVAL;
        double start = 0;
        for (size_t i = 0; i < s->n_pieces; i++) {
                const LoadgenPiece *p = &s->pieces[i];
                if (!ok_value(p->from) || !ok_value(p->to) || !(isfinite(p->duration_s) && p->duration_s > 0) ||
                    fabs(p->start_s - start) > 1e-9 * fmax(1, start))
                        return -EINVAL;         /* also: not prepared */
                start += p->duration_s;
        }
        return 0;
}

/* The piece that holds t: the last one starting at or before it. */
static const LoadgenPiece *piece_at(const LoadgenSchedule *s, double t) {
        size_t lo = 0, hi = s->n_pieces;
        while (hi - lo > 1) {
                size_t mid = lo + (hi - lo) / 2;
                if (s->pieces[mid].start_s <= t)
                        lo = mid;
                else
                        hi = mid;
        }
        return &s->pieces[lo];
}

/* value and L at t within (or after, the last) piece p. */
static double piece_value(const LoadgenPiece *p, double t) {
        double u = t - p->start_s;
        if (u >= p->duration_s)
                return p->to;
        return p->from + (p->to - p->from) * u / p->duration_s;
}

static double piece_integral(const LoadgenPiece *p, double t, bool last) {
        double u = fmax(t - p->start_s, 0);
        if (u <= p->duration_s)
                return p->area + p->from * u + (p->to - p->from) * u * u / (2 * p->duration_s);
        double full = p->area + (p->from + p->to) / 2 * p->duration_s;
        return last ? full + p->to * (u - p->duration_s) : full;
}

/* The smallest u in the piece with L = x (x at or above the piece's area), as ramp_inverse. */
static double piece_inverse(const LoadgenPiece *p, double x, bool last) {
        double y = x - p->area, a = (p->to - p->from) / (2 * p->duration_s);
        double in_piece = (p->from + p->to) / 2 * p->duration_s;
        if (y > in_piece) {
                if (!last)
                        return INFINITY;
                return p->to > 0 ? p->start_s + p->duration_s + (y - in_piece) / p->to : INFINITY;
        }
        double q = p->from + sqrt(fmax(p->from * p->from + 4 * a * y, 0));
        return p->start_s + (q > 0 ? 2 * y / q : 0);
}

static double pieces_inverse(const LoadgenSchedule *s, double x) {
        /* The last piece whose area (L at its start) is below x; pieces of rate 0 add no area. */
        size_t lo = 0, hi = s->n_pieces;
        while (hi - lo > 1) {
                size_t mid = lo + (hi - lo) / 2;
                if (s->pieces[mid].area < x)
                        lo = mid;
                else
                        hi = mid;
        }
        for (size_t i = lo; i < s->n_pieces; i++) {
                double t = piece_inverse(&s->pieces[i], x, i + 1 == s->n_pieces);
                if (t < INFINITY)
                        return t;
        }
        return INFINITY;
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
        case LOADGEN_PIECES:
                if (pieces_check(s) < 0)
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
        case LOADGEN_PIECES: {
                const LoadgenPiece *p = piece_at(s, t);
                return piece_value(p, t);
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
        case LOADGEN_PIECES: {
                double m = 0;
                for (size_t i = 0; i < s->n_pieces; i++)
                        m = fmax(m, fmax(s->pieces[i].from, s->pieces[i].to));
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
        case LOADGEN_PIECES: {
                const LoadgenPiece *p = piece_at(s, t);
                return piece_integral(p, t, p == &s->pieces[s->n_pieces - 1]);
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
        case LOADGEN_PIECES:
                return pieces_inverse(s, x);
        default:
                return s->value > 0 ? x / s->value : INFINITY;
        }
}

unsigned loadgen_segment_users(unsigned users, unsigned seg_index, unsigned seg_count) {
        if (seg_count <= 1)
                return users;
        return users > seg_index ? (users - seg_index - 1) / seg_count + 1 : 0;
}

void loadgen_arrivals_init_segment(LoadgenArrivals *a, const LoadgenSchedule *s, unsigned n, unsigned index,
                                   unsigned seg_index, unsigned seg_count, uint64_t t0_ns, StatsRng *rng) {
        n = n > 0 ? n : 1;
        seg_count = seg_count > 0 ? seg_count : 1;
        /* Thread `index` of agent seg_index takes the global arrivals (k n + index) N + seg_index: one
         * stream of n N, at place index N + seg_index. */
        *a = (LoadgenArrivals) {
                .s = s, .n = (double) n * seg_count, .index = (double) (index % n) * seg_count + seg_index % seg_count,
                .t0_ns = t0_ns, .rng = rng, .shared = seg_count > 1, .first = true,
        };
}

void loadgen_arrivals_init(LoadgenArrivals *a, const LoadgenSchedule *s, unsigned n, unsigned index, uint64_t t0_ns,
                           StatsRng *rng) {
        loadgen_arrivals_init_segment(a, s, n, index, 0, 1, t0_ns, rng);
}

/* The shared global process in L units has unit-mean gaps: this stream's next arrival is n of them on
 * (its first one index + 1 from the start). */
static double shared_gap(LoadgenArrivals *a) {
        double m = a->first ? a->index + 1 : a->n, sum = 0;
        for (double i = 0; i < m; i++)
                sum += stats_rng_exponential(a->rng, 1);
        return sum;
}

uint64_t loadgen_arrivals_next(LoadgenArrivals *a) {
        if (a->s->poisson)
                a->x += a->shared ? shared_gap(a) : stats_rng_exponential(a->rng, a->n);
        else            /* stream i takes the i-th of every n: the streams' sends interleave evenly */
                a->x = (double) a->k * a->n + a->index;
        a->k++;
        a->first = false;
        double t = loadgen_schedule_inverse(a->s, a->x);
        if (!(t < 1e9))                 /* INFINITY, or past any run's end (about 31 years) */
                return UINT64_MAX;
        return a->t0_ns + (uint64_t) (t * 1e9);
}
