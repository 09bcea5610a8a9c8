/* SPDX-License-Identifier: MIT */
/* stress-options: the options of `skytune stress` as a table (name, kind, field), their units and
 * the breakpoint search's configuration made of them. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "stress.h"

typedef enum OptKind {
        OPT_RATE,               /* requests per second */
        OPT_FACTOR,             /* 5 or 5x */
        OPT_DURATION,           /* seconds: ms s m h */
        OPT_LATENCY,            /* microseconds: us ms s, no unit ms */
        OPT_FRACTION,           /* 5% or 0.05 */
        OPT_COUNT,
        OPT_INTERVAL,           /* a duration from 50 ms to 60 s */
} OptKind;

typedef struct Opt {
        StressOptionInfo info;
        OptKind kind;
        size_t offset;          /* in StressConfig */
} Opt;

#define O(field) offsetof(StressConfig, field)
static const Opt opts[] = {
        { { "rate", "RATE", "spike, surge, endurance: the base rate (requests/s)" }, OPT_RATE, O(o.rate) },
        { { "factor", "K", "spike, surge: the spike is K times the base (default 5)" },
          OPT_FACTOR, O(o.factor) },
        { { "spike", "DURATION", "spike, surge: length of a spike (default 30s)" },
          OPT_DURATION, O(o.spike_s) },
        { { "before", "DURATION", "spike, surge: base before the first spike (default 60s)" },
          OPT_DURATION, O(o.before_s) },
        { { "after", "DURATION", "spike: base after it; surge: between and after (default 60s)" },
          OPT_DURATION, O(o.after_s) },
        { { "spikes", "N", "surge: how many spikes (default 3)" }, OPT_COUNT, O(o.spikes) },
        { { "from", "RATE", "gradual: the ramp's start (default 0)" }, OPT_RATE, O(o.from) },
        { { "to", "RATE", "gradual: the ramp's end" }, OPT_RATE, O(o.to) },
        { { "ramp", "DURATION", "gradual: the ramp's length (default 5m)" }, OPT_DURATION, O(o.ramp_s) },
        { { "start", "RATE", "breakpoint: the first step's rate" }, OPT_RATE, O(o.start) },
        { { "increment", "RATE", "breakpoint: added per step (default: --start)" },
          OPT_RATE, O(o.increment) },
        { { "step", "DURATION", "breakpoint: one step's hold (default 30s)" }, OPT_DURATION, O(o.step_s) },
        { { "max-steps", "N", "breakpoint: most steps (default 50)" }, OPT_COUNT, O(o.max_steps) },
        { { "slo-error-rate", "FRACTION", "breakpoint: SLO error rate (default 5%)" },
          OPT_FRACTION, O(slo.error_rate) },
        { { "slo-p99", "LATENCY", "breakpoint: SLO p99 (default none)" }, OPT_LATENCY, O(slo.p99_us) },
        { { "slo-lateness", "LATENCY", "breakpoint: send lateness p99 (default 10ms)" },
          OPT_LATENCY, O(slo.lateness_us) },
        { { "sustain", "DURATION", "breakpoint: broken this long in a row (default 5s)" },
          OPT_DURATION, O(slo.sustain_s) },
        { { "repeats", "N", "breakpoint: holds per bisection rate (default 2)" }, OPT_COUNT, O(repeats) },
        { { "resolution", "FRACTION", "breakpoint: bisect to this share of the rate (5%)" },
          OPT_FRACTION, O(resolution) },
        { { "warmup", "DURATION", "breakpoint: left out of each hold (default 20% of --step)" },
          OPT_DURATION, O(warmup_s) },
        { { "rest", "DURATION", "breakpoint: idle after a bad hold (default --step / 2)" },
          OPT_DURATION, O(rest_s) },
        { { "hold", "DURATION", "endurance: how long (default 1h)" }, OPT_DURATION, O(o.hold_s) },
        { { "window", "DURATION", "endurance: drift window (default 60s)" }, OPT_DURATION, O(window_s) },
        { { "interval", "DURATION", "result interval, 50ms to 60s (default 100ms: spike, surge; else 1s)" },
          OPT_INTERVAL, O(o.interval_s) },
};

const StressOptionInfo *stress_option_info(size_t i)
{
        return i < ELEMENTSOF(opts) ? &opts[i].info : NULL;
}

static const char *const kind_what[] = {
        [OPT_RATE] = "a rate in requests per second, from 0 to 1000000",
        [OPT_FACTOR] = "a factor above 1, as 5 or 5x",
        [OPT_DURATION] = "a duration: a number with ms, s, m or h (no unit: seconds)",
        [OPT_LATENCY] = "a latency: a number with us, ms or s (no unit: milliseconds)",
        [OPT_FRACTION] = "a fraction: 5% or 0.05",
        [OPT_COUNT] = "a whole number from 1",
        [OPT_INTERVAL] = "a duration from 50ms to 60s (ms, s or m; no unit: seconds)",
};

typedef struct Unit {
        const char *suffix;
        double scale;
} Unit;

static const Unit duration_units[] = { { "ms", 1e-3 }, { "s", 1 }, { "m", 60 }, { "h", 3600 }, { "", 1 }, {} };
static const Unit latency_units[] = { { "us", 1 }, { "ms", 1e3 }, { "s", 1e6 }, { "", 1e3 }, {} };
static const Unit fraction_units[] = { { "%", 0.01 }, { "", 1 }, {} };
static const Unit factor_units[] = { { "x", 1 }, { "", 1 }, {} };
static const Unit plain_units[] = { { "", 1 }, {} };

static int parse(OptKind kind, const char *text, double *ret)
{
        static const Unit *const units[] = {
                [OPT_RATE] = plain_units, [OPT_FACTOR] = factor_units, [OPT_DURATION] = duration_units,
                [OPT_LATENCY] = latency_units, [OPT_FRACTION] = fraction_units, [OPT_COUNT] = plain_units,
                [OPT_INTERVAL] = duration_units,
        };
        char *end;
        errno = 0;
        double v = strtod(text, &end);
        if (errno || end == text || !isfinite(v) || v < 0)
                return -EINVAL;
        for (const Unit *u = units[kind]; u->suffix; u++) {
                if (strcmp(end, u->suffix) != 0)
                        continue;
                v *= u->scale;
                /* A rate beyond 10^6/s is no plan a client keeps, and the engine would spin counting it. */
                if ((kind == OPT_FACTOR && v <= 1) || (kind == OPT_FRACTION && v > 1) || (kind == OPT_RATE && v > 1e6) ||
                    (kind == OPT_COUNT && (v < 1 || v > 1e6 || v != floor(v))) ||
                    /* Finer, and the engine's harvest and the records cost more than they tell. */
                    (kind == OPT_INTERVAL && (v < 0.05 - 1e-9 || v > 60)))
                        return -EINVAL;
                *ret = v;
                return 0;
        }
        return -EINVAL;
}

int stress_config_set(StressConfig *c, const char *name, const char *value, Error *e)
{
        for (size_t i = 0; i < ELEMENTSOF(opts); i++) {
                if (strcmp(name, opts[i].info.name) != 0)
                        continue;
                const Opt *o = &opts[i];
                double v;
                if (parse(o->kind, value, &v) < 0)
                        return error_set(e, -EINVAL, "--%s %s: give %s", name, value, kind_what[o->kind]);
                void *field = (char *) c + o->offset;
                if (o->kind == OPT_COUNT)
                        *(unsigned *) field = (unsigned) v;
                else
                        *(double *) field = v;
                return 0;
        }
        return -ENOENT;
}

void stress_config_finish(StressConfig *c)
{
        stress_options_defaults(&c->o);
        if (c->window_s == 0)
                c->window_s = 60;
}

void stress_config_breakpoint(const StressConfig *c, StressBreakpointConfig *ret)
{
        *ret = (StressBreakpointConfig) {
                .start = c->o.start, .increment = c->o.increment, .step_s = c->o.step_s,
                .max_steps = c->o.max_steps, .warmup_s = c->warmup_s, .rest_s = c->rest_s,
                .repeats = c->repeats, .resolution = c->resolution, .slo = c->slo, .interval_s = c->o.interval_s,
        };
        stress_breakpoint_defaults(ret);
}

int stress_config_judgeable(const StressConfig *c, Error *e)
{
        const StressOptions *o = &c->o;
        bool spiky = o->pattern == STRESS_SPIKE || o->pattern == STRESS_SURGE;
        if (spiky && o->after_s < 3)
                return error_set(e, -EINVAL, "--after %gs: recovery is 3 intervals in a row in the band: give --after 3s or more",
                                 o->after_s);
        if (spiky && o->before_s < 4)
                return error_set(e, -EINVAL,
                                 "--before %gs: the base's band needs 3 intervals after the first: give --before 4s or more",
                                 o->before_s);
        if (o->pattern != STRESS_BREAKPOINT)
                return 0;
        StressBreakpointConfig b;
        stress_config_breakpoint(c, &b);
        double need = b.warmup_s + b.slo.sustain_s + b.interval_s;
        if (b.step_s < need)
                return error_set(e, -EINVAL,
                                 "--step %gs is too short to judge a hold: its warm-up (%gs) and --sustain (%gs) "
                                 "and one more interval need --step %gs or more (or a shorter --warmup, --sustain)",
                                 b.step_s, b.warmup_s, b.slo.sustain_s, need);
        return 0;
}
