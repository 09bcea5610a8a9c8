/* SPDX-License-Identifier: MIT */
/* stress-breakpoint: the capacity search as a state machine. Step the rate up, one hold per step,
 * each judged after a warm-up (steady state: a hold whose p99 still rises is extended); at the first
 * step whose SLO is broken for a sustained window, bisect between the last good and the first bad
 * rate, each rate held `repeats` times and good only when every hold is. Broken send lateness means
 * the client could not keep the schedule: the search stops and says "client-bound", not a capacity. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "macro.h"
#include "stats.h"
#include "stress.h"

const char *const stress_trip_names[_STRESS_TRIP_MAX] = {
        [STRESS_TRIP_NONE] = "none",
        [STRESS_TRIP_ERROR_RATE] = "error_rate",
        [STRESS_TRIP_P99] = "p99",
        [STRESS_TRIP_LATENESS] = "lateness",
        [STRESS_TRIP_SENT] = "sent",
        [STRESS_TRIP_UNSTEADY] = "unsteady",
};

#define JUDGE_MAX 4096

void stress_breakpoint_defaults(StressBreakpointConfig *c)
{
        if (c->increment == 0)
                c->increment = c->start;
        if (c->step_s == 0)
                c->step_s = 30;
        if (c->max_steps == 0)
                c->max_steps = 50;
        if (c->warmup_s == 0)
                c->warmup_s = 0.2 * c->step_s;
        if (c->rest_s == 0)
                c->rest_s = c->step_s / 2;
        if (c->repeats == 0)
                c->repeats = 2;
        if (c->resolution == 0)
                c->resolution = 0.05;
        if (c->max_bisect == 0)
                c->max_bisect = 8;
        if (c->max_extend == 0)
                c->max_extend = 2;
        if (c->sent_slack == 0)
                c->sent_slack = 0.05;
        if (c->interval_s == 0)
                c->interval_s = 1;
        if (c->slo.error_rate == 0)
                c->slo.error_rate = 0.05;
        if (c->slo.lateness_us == 0)
                c->slo.lateness_us = 10000;
        if (c->slo.sustain_s == 0)
                c->slo.sustain_s = 5;
}

int stress_breakpoint_init(StressBreakpoint *bp, const StressBreakpointConfig *c)
{
        *bp = (StressBreakpoint) { .c = *c };
        stress_breakpoint_defaults(&bp->c);
        if (!(bp->c.start > 0) || !(bp->c.increment > 0) || !(bp->c.step_s > 0) || !isfinite(bp->c.start))
                return -EINVAL;
        bp->rate = bp->c.start;
        bp->first_bad = NAN;
        bp->trip_value = NAN;
        bp->knee = (StressKnee) { .rate = NAN, .p99_us = NAN };
        return 0;
}

/* Which condition interval iv breaks, in the order the report names them; the value that broke it. */
static StressTrip broken(const StressBreakpointConfig *c, const StressInterval *iv, double *ret_value)
{
        if (!isnan(iv->error_rate) && iv->error_rate > c->slo.error_rate)
                return *ret_value = iv->error_rate, STRESS_TRIP_ERROR_RATE;
        if (c->slo.p99_us > 0 && !isnan(iv->p99_us) && iv->p99_us > c->slo.p99_us)
                return *ret_value = iv->p99_us, STRESS_TRIP_P99;
        if (!isnan(iv->lateness_p99_us) && iv->lateness_p99_us > c->slo.lateness_us)
                return *ret_value = iv->lateness_p99_us, STRESS_TRIP_LATENESS;
        /* Less one request per interval: at low rates whole requests cannot match the plan exactly. */
        if (iv->planned > 0 && !isnan(iv->sent_rps) &&
            iv->sent_rps < (1 - c->sent_slack) * iv->planned - 1 / c->interval_s)
                return *ret_value = iv->sent_rps / iv->planned, STRESS_TRIP_SENT;
        return STRESS_TRIP_NONE;
}

static double median_of(const double *v, size_t n)
{
        return n ? stats_median(v, n) : NAN;
}

StressTrip stress_hold_judge(const StressBreakpointConfig *c, double rate, const StressInterval *iv, size_t n,
                             StressHold *ret, double *ret_value)
{
        double p99[JUDGE_MAX], err[JUDGE_MAX], sent[JUDGE_MAX];
        size_t k = 0, need = (size_t) MAX(1.0, ceil(c->slo.sustain_s / c->interval_s - 1e-9));
        StressTrip run_trip = STRESS_TRIP_NONE, trip = STRESS_TRIP_NONE;
        size_t run = 0;
        double t0 = n ? iv[0].t_s : 0, value = NAN;

        for (size_t i = 0; i < n && k < JUDGE_MAX; i++) {
                if (iv[i].t_s < t0 + c->warmup_s - 1e-9)
                        continue;
                double v = NAN;
                StressTrip b = broken(c, &iv[i], &v);
                run = b != STRESS_TRIP_NONE && (b == run_trip || run == 0) ? run + 1 : (b != STRESS_TRIP_NONE);
                run_trip = b;
                if (trip == STRESS_TRIP_NONE && b != STRESS_TRIP_NONE && run >= need)
                        trip = b, value = v;
                p99[k] = isnan(iv[i].p99_us) ? INFINITY : iv[i].p99_us;
                err[k] = isnan(iv[i].error_rate) ? 0 : iv[i].error_rate;
                sent[k++] = iv[i].planned > 0 ? iv[i].sent_rps / iv[i].planned : 1;
        }
        *ret = (StressHold) { .rate = rate, .p99_us = median_of(p99, k), .error_rate = median_of(err, k),
                              .sent_ratio = median_of(sent, k) };
        /* Steady state: the second half's p99 not above 1.5 times the first half's. */
        if (trip == STRESS_TRIP_NONE && k >= 4 && median_of(p99 + k / 2, k - k / 2) > 1.5 * median_of(p99, k / 2))
                trip = STRESS_TRIP_UNSTEADY, value = median_of(p99 + k / 2, k - k / 2);
        ret->trip = trip;
        ret->good = trip == STRESS_TRIP_NONE;
        *ret_value = value;
        return trip;
}

StressAction stress_breakpoint_next(const StressBreakpoint *bp)
{
        if (bp->state == STRESS_BP_DONE)
                return (StressAction) { .done = true };
        return (StressAction) { .rest_s = bp->last_bad ? bp->c.rest_s : 0, .rate = bp->rate, .hold_s = bp->c.step_s };
}

static void stepping_knee(StressBreakpoint *bp)
{
        double x[STRESS_BP_MAX_HOLDS], y[STRESS_BP_MAX_HOLDS];
        size_t k = 0;
        for (size_t i = 0; i < bp->n_holds; i++) {
                if (i > 0 && bp->holds[i].rate <= bp->holds[i - 1].rate)
                        break;          /* the stepping holds are the rising run at the start */
                x[k] = bp->holds[i].rate;
                y[k++] = bp->holds[i].p99_us;
        }
        stress_knee(x, y, k, &bp->knee);
}

/* The next bisection rate, or the end of the search. */
static void bisect(StressBreakpoint *bp)
{
        double span = bp->first_bad - bp->last_good;
        double scale = bp->last_good > 0 ? bp->last_good : bp->c.start;
        if (span <= bp->c.resolution * scale || bp->bisections >= bp->c.max_bisect) {
                bp->state = STRESS_BP_DONE;
                return;
        }
        bp->state = STRESS_BP_BISECTING;
        bp->bisections++;
        bp->repeat = 0;
        bp->rate = (bp->last_good + bp->first_bad) / 2;
}

static void mark_bad(StressBreakpoint *bp, StressTrip trip, double value)
{
        bp->first_bad = bp->rate;
        bp->trip = trip;
        bp->trip_value = value;
        bp->last_bad = true;
        if (trip == STRESS_TRIP_LATENESS) {
                bp->client_bound = true;
                bp->state = STRESS_BP_DONE;
                return;
        }
        if (bp->state == STRESS_BP_STEPPING)
                stepping_knee(bp);
        bisect(bp);
}

static void mark_good(StressBreakpoint *bp)
{
        bp->last_bad = false;
        if (bp->state == STRESS_BP_BISECTING) {
                if (++bp->repeat < bp->c.repeats)
                        return;         /* the same rate again */
                bp->last_good = bp->rate;
                bisect(bp);
                return;
        }
        bp->last_good = bp->rate;
        if (++bp->step >= bp->c.max_steps) {
                stepping_knee(bp);
                bp->state = STRESS_BP_DONE;
                return;
        }
        bp->rate += bp->c.increment;
}

void stress_breakpoint_feed(StressBreakpoint *bp, const StressInterval *iv, size_t n)
{
        if (bp->state == STRESS_BP_DONE)
                return;
        StressBreakpointConfig c = bp->c;
        if (bp->extended > 0)
                c.warmup_s = 0;         /* an extension goes on from a hold already warm */
        StressHold h;
        double value;
        StressTrip trip = stress_hold_judge(&c, bp->rate, iv, n, &h, &value);
        if (isnan(h.sent_ratio)) {
                bp->state = STRESS_BP_DONE;     /* no interval past the warm-up: nothing to judge */
                return;
        }
        if (trip == STRESS_TRIP_UNSTEADY && bp->extended < bp->c.max_extend) {
                bp->extended++;
                return;
        }
        bp->extended = 0;
        if (bp->n_holds < STRESS_BP_MAX_HOLDS)
                bp->holds[bp->n_holds++] = h;
        if (trip == STRESS_TRIP_NONE)
                mark_good(bp);
        else
                mark_bad(bp, trip, value);
}
