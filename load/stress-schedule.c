/* SPDX-License-Identifier: MIT */
/* stress-schedule: each pattern's options and its schedule as LoadPhase lists (load/stress.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "stress.h"

const char *const stress_pattern_names[_STRESS_PATTERN_MAX] = {
        [STRESS_SPIKE] = "spike",
        [STRESS_GRADUAL] = "gradual",
        [STRESS_SURGE] = "surge",
        [STRESS_BREAKPOINT] = "breakpoint",
        [STRESS_ENDURANCE] = "endurance",
};

int stress_pattern_from_string(const char *s)
{
        for (int i = 0; s && i < _STRESS_PATTERN_MAX; i++)
                if (strcmp(s, stress_pattern_names[i]) == 0)
                        return i;
        return -EINVAL;
}

static void set_default(double *v, double d)
{
        if (*v == 0)
                *v = d;
}

void stress_options_defaults(StressOptions *o)
{
        set_default(&o->factor, 5);
        set_default(&o->spike_s, 30);
        set_default(&o->before_s, 60);
        set_default(&o->after_s, 60);
        if (o->spikes == 0)
                o->spikes = o->pattern == STRESS_SURGE ? 3 : 1;
        set_default(&o->ramp_s, 300);
        set_default(&o->increment, o->start);
        set_default(&o->step_s, 30);
        if (o->max_steps == 0)
                o->max_steps = 50;
        set_default(&o->hold_s, 3600);
        /* Spike and surge: the recovery point to a tenth of a second (windows of 1 s still judge it). */
        set_default(&o->interval_s, o->pattern == STRESS_SPIKE || o->pattern == STRESS_SURGE ? 0.1 : 1);
}

static LoadPhase hold(double value, double duration_s)
{
        return (LoadPhase) { .kind = LOAD_PHASE_HOLD, .value = value, .duration_s = duration_s };
}

static bool positive(double v)
{
        return isfinite(v) && v > 0;
}

static int need(bool ok, const char *option, const char *what, Error *e)
{
        if (ok)
                return 0;
        return error_set(e, -EINVAL, "stress: %s must be %s", option, what);
}

static int check(const StressOptions *o, Error *e)
{
        int r = 0;

        switch (o->pattern) {
        case STRESS_SPIKE:
        case STRESS_SURGE:
                if ((r = need(positive(o->rate), "--rate (the base rate)", "a positive number", e)) < 0 ||
                    (r = need(positive(o->factor) && o->factor > 1, "--factor", "above 1 (5 for 5x)", e)) < 0 ||
                    (r = need(positive(o->spike_s), "--spike", "a positive duration", e)) < 0 ||
                    (r = need(positive(o->before_s) && positive(o->after_s), "--before and --after",
                              "positive durations", e)) < 0 ||
                    (r = need(o->spikes <= STRESS_SURGE_MAX, "--spikes", "at most " STRINGIFY(STRESS_SURGE_MAX), e)) < 0)
                        return r;
                return 0;
        case STRESS_GRADUAL:
                if ((r = need(isfinite(o->from) && o->from >= 0, "--from", "0 or more", e)) < 0 ||
                    (r = need(positive(o->to) && o->to > o->from, "--to", "above --from", e)) < 0)
                        return r;
                return need(positive(o->ramp_s), "--ramp", "a positive duration", e);
        case STRESS_BREAKPOINT:
                if ((r = need(positive(o->start), "--start", "a positive rate", e)) < 0 ||
                    (r = need(positive(o->increment), "--increment", "a positive rate", e)) < 0)
                        return r;
                return need(positive(o->step_s), "--step", "a positive duration", e);
        case STRESS_ENDURANCE:
                if ((r = need(positive(o->rate), "--rate", "a positive number", e)) < 0)
                        return r;
                return need(positive(o->hold_s), "--hold", "a positive duration", e);
        default:
                return error_set(e, -EINVAL, "stress: unknown pattern %d", (int) o->pattern);
        }
}

static size_t count(const StressOptions *o)
{
        switch (o->pattern) {
        case STRESS_SPIKE:
        case STRESS_SURGE:
                return 1 + 2 * (size_t) o->spikes;
        default:
                return 1;
        }
}

int stress_phases(const StressOptions *o, LoadPhase **ret, size_t *ret_n, Error *e)
{
        int r = check(o, e);
        if (r < 0)
                return r;
        size_t n = count(o), k = 0;
        LoadPhase *p = calloc(n, sizeof(*p));
        if (!p)
                return error_set(e, -ENOMEM, "stress: out of memory");

        switch (o->pattern) {
        case STRESS_SPIKE:
        case STRESS_SURGE:
                p[k++] = hold(o->rate, o->before_s);
                for (unsigned i = 0; i < o->spikes; i++) {
                        p[k++] = (LoadPhase) { .kind = LOAD_PHASE_SPIKE, .factor = o->factor, .duration_s = o->spike_s };
                        p[k++] = hold(o->rate, o->after_s);
                }
                break;
        case STRESS_GRADUAL:
                p[k++] = (LoadPhase) { .kind = LOAD_PHASE_RAMP, .from = o->from, .to = o->to, .duration_s = o->ramp_s };
                break;
        case STRESS_BREAKPOINT:
                /* The stepping part only: the search (StressBreakpoint) ends it and bisects. */
                p[k++] = (LoadPhase) { .kind = LOAD_PHASE_STEP, .start = o->start, .increment = o->increment,
                                       .duration_s = o->step_s, .max_steps = o->max_steps };
                break;
        default:
                p[k++] = hold(o->rate, o->hold_s);
                break;
        }
        *ret = p;
        *ret_n = k;
        return 0;
}
