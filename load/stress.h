/* SPDX-License-Identifier: MIT */
/* stress: the patterns of `skytune stress` (docs/stress.md) as pure functions, apart from the runner.
 * Each pattern has a schedule (a list of LoadPhase, load/scenario.h) and an analysis of the run's
 * intervals (a StressInterval per result interval, in time order). The breakpoint search is adaptive,
 * so its schedule is a state machine (StressBreakpoint) that the runner asks for the next hold.
 *
 * Rules (stated once, used by the reports):
 *  - The base's band: over the base intervals before the first spike (the first `warmup` intervals
 *    left out) p99 is within it when p99 <= max(median + max(3 MAD, 50 % of the median), the largest
 *    base p99: every base window is within its own band), and the error
 *    rate when it is <= median + max(3 MAD, 0.5 percentage points) (MAD scaled by 1.4826).
 *    The band is of judged windows: the whole number of result intervals nearest 1 s (at least one).
 *  - Recovered: i is the first interval after the spike's end from which 3 windows one after the
 *    other are each within the band, p99 and error rate over each window's requests; recovery is in
 *    interval i - 1, taken at its middle (at i's start when i is the first after the spike): found
 *    to half an interval, 0.05 s by default for spike and surge, while "within" is still judged over
 *    1 s of requests. Times are from the schedule's start (the step's first phase).
 *  - Knee: Kneedle (Satopaa, Albrecht, Irwin, Raghavan 2011) on p99 against the offered rate: both
 *    normalised to [0, 1] after a moving average of 5 points (series of 25 or more); the difference x - y of the convex
 *    increasing curve; the largest local maximum confirmed by a drop below max - S * mean x step (S = 1).
 *  - Drift: least-squares slope over per-window medians (window 60 s, doubled when the series is
 *    full, so memory stays fixed for any length); change point: the single split that minimises the
 *    squared error of two constant segments (at least 3 windows each), accepted when the shift is
 *    over 5 % of the first segment's mean and Welch's t over 5. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "scenario.h"

typedef enum StressPattern {
        STRESS_SPIKE,
        STRESS_GRADUAL,
        STRESS_SURGE,
        STRESS_BREAKPOINT,
        STRESS_ENDURANCE,
        _STRESS_PATTERN_MAX,
} StressPattern;
extern const char *const stress_pattern_names[_STRESS_PATTERN_MAX];
/* The pattern named s, or -EINVAL. */
int stress_pattern_from_string(const char *s);

/* One result interval as the analyses read it (values NAN when unknown, e.g. nothing completed). */
typedef struct StressInterval {
        double t_s;             /* start, seconds since the run started */
        double planned;         /* planned rate at the interval's middle (requests per second) */
        double sent_rps;
        double completed_rps;
        double p99_us;          /* latency of successful requests, from the intended send time */
        double error_rate;      /* fraction of completed requests */
        double lateness_p99_us; /* send lateness */
        double server_rss_bytes;        /* NAN: no server named */
        /* Counts for judging windows of several intervals (spike, surge): completed, successful, and
         * successful with a latency above the band's p99 edge (NAN: not counted, the band unknown). */
        double done, ok, over;
} StressInterval;

typedef struct StressOptions {
        StressPattern pattern;
        double rate;            /* spike, surge, endurance: the base rate */
        double factor;          /* spike, surge: k (default 5) */
        double spike_s;         /* spike, surge: S (default 30) */
        double before_s;        /* spike, surge: base before the (first) spike (default 60) */
        double after_s;         /* spike: base after; surge: base between and after spikes (default 60) */
        unsigned spikes;        /* surge: how many (default 3) */
        double from, to;        /* gradual: the ramp's ends (from default 0) */
        double ramp_s;          /* gradual: its length (default 300) */
        double start, increment;        /* breakpoint: first rate and step (increment default: start) */
        double step_s;          /* breakpoint: one step's hold (default 30) */
        unsigned max_steps;     /* breakpoint: most steps before it gives up (default 50) */
        double hold_s;          /* endurance: hold (default 3600) */
        double interval_s;      /* result interval (default 0.1 s for spike and surge, else 1 s) */
} StressOptions;

/* Fill the defaults of unset (0) fields of o for its pattern. */
void stress_options_defaults(StressOptions *o);
/* The pattern's phases (malloc'ed, *ret_n of them; `until` is never set: the breakpoint search
 * decides itself). -EINVAL with *e naming the option when o cannot make a schedule. */
int stress_phases(const StressOptions *o, LoadPhase **ret, size_t *ret_n, Error *e);

/* --- spike and surge --- */
typedef struct StressBand {
        double p99_med, p99_hi;         /* the base's p99 median and the band's upper edge */
        double err_med, err_hi;
        size_t n;                       /* base intervals used */
} StressBand;

/* The band from the intervals with t_s in [from_s, to_s) (the first `warmup` of them left out).
 * -ENODATA when fewer than 3 intervals with a p99 remain. */
int stress_band(const StressInterval *iv, size_t n, double from_s, double to_s, unsigned warmup,
                StressBand *ret);
bool stress_band_holds(const StressBand *b, const StressInterval *iv);
/* Intervals per judged window: the whole number of interval_s nearest 1 s, at least one. */
unsigned stress_window_n(double interval_s);
/* Whether the window of intervals [from, from + w) is within the band: with counts (every `over`
 * known), p99 and error rate over the window's requests; a window of one interval without counts
 * by its own p99 and error rate. */
bool stress_window_holds(const StressBand *b, const StressInterval *iv, size_t from, size_t w);
extern const char stress_recovery_method[];

typedef struct StressSpikeResult {
        double start_s, end_s;          /* the spike's planned start and end */
        double peak_p99_us;             /* during the spike and until recovery (or the window's end) */
        double p99_factor;              /* peak_p99_us / the base's median */
        double peak_error_rate;
        double served_fraction;         /* completed / planned requests during the spike */
        bool recovered;
        double recovery_s;              /* from end_s to the recovery; NAN when not recovered */
} StressSpikeResult;

/* One spike [start_s, end_s) against band b, recovery looked for up to until_s (windows of w intervals). */
void stress_spike_analyse(const StressInterval *iv, size_t n, const StressBand *b, double start_s, double end_s,
                          double until_s, size_t w, StressSpikeResult *ret);

#define STRESS_SURGE_MAX 64
typedef struct StressSurgeResult {
        StressBand band;
        StressSpikeResult spikes[STRESS_SURGE_MAX];
        size_t n_spikes;
        /* Worsens: a spike did not recover after the first one did, or the last recovery took at
         * least max(2 windows, 25 % of the first) longer than the first. */
        bool worsens;
} StressSurgeResult;

/* The base's band from its judged windows (one StressInterval per window, p99 and error rate over
 * the window's requests) before the first spike of o, the first 10 % (at least one) left out. */
int stress_surge_band(const StressOptions *o, const StressInterval *windows, size_t n, StressBand *ret);
/* Spike (o->spikes 1) or surge, over the schedule of stress_phases(o), at o->interval_s. band: the
 * base's (stress_surge_band over its windows); NULL: from iv itself, each interval one window.
 * -ENODATA when there is no band (band NULL and too few base intervals). */
int stress_surge_analyse(const StressOptions *o, const StressBand *band, const StressInterval *iv, size_t n,
                         StressSurgeResult *ret);

/* --- gradual: the knee --- */
typedef struct StressKnee {
        bool found;
        double rate;            /* x at the knee */
        double p99_us;          /* y there (unsmoothed) */
        size_t index;
} StressKnee;
extern const char stress_knee_method[];

/* Kneedle on y against x (n points, x ascending). found false when n < 5 or no knee. */
void stress_knee(const double *x, const double *y, size_t n, StressKnee *ret);
/* The knee of p99 against the planned rate over the intervals that have a p99. */
int stress_gradual_analyse(const StressInterval *iv, size_t n, StressKnee *ret);

/* --- breakpoint: capacity search --- */
typedef enum StressTrip {
        STRESS_TRIP_NONE,
        STRESS_TRIP_ERROR_RATE,
        STRESS_TRIP_P99,
        STRESS_TRIP_LATENESS,
        STRESS_TRIP_SENT,               /* the client sent less than the schedule */
        STRESS_TRIP_UNSTEADY,           /* p99 still rising after every extension */
        _STRESS_TRIP_MAX,
} StressTrip;
extern const char *const stress_trip_names[_STRESS_TRIP_MAX];

typedef struct StressSlo {
        double error_rate;      /* default 0.05 */
        double p99_us;          /* 0: none */
        double lateness_us;     /* default 10 ms */
        double sustain_s;       /* broken for this long in a row (default 5 s) */
} StressSlo;

typedef struct StressBreakpointConfig {
        double start, increment, step_s;
        unsigned max_steps;
        double warmup_s;        /* left out at the start of each hold (default 20 % of step_s) */
        double rest_s;          /* nothing sent before a hold that follows a bad one (default step_s / 2) */
        unsigned repeats;       /* holds per bisection rate; good only if every one is (default 2) */
        double resolution;      /* bisect until first_bad - last_good <= resolution * last_good (0.05) */
        unsigned max_bisect;    /* default 8 */
        unsigned max_extend;    /* unsteady holds extended this often (default 2) */
        double sent_slack;      /* sent below (1 - slack) * planned: the client is behind (0.05) */
        double interval_s;      /* result interval (default 1) */
        StressSlo slo;
} StressBreakpointConfig;

typedef enum StressBpState {
        STRESS_BP_STEPPING,
        STRESS_BP_BISECTING,
        STRESS_BP_DONE,
} StressBpState;

typedef struct StressHold {
        double rate;
        bool good;
        StressTrip trip;
        double p99_us, error_rate, sent_ratio;  /* medians over the judged intervals */
} StressHold;

#define STRESS_BP_MAX_HOLDS 256
typedef struct StressBreakpoint {
        StressBreakpointConfig c;
        StressBpState state;
        double rate;                    /* the current hold's */
        unsigned step, bisections, repeat, extended;
        bool last_bad;
        double last_good, first_bad;    /* 0 and NAN until known */
        StressTrip trip;                /* what made first_bad bad */
        double trip_value;
        bool client_bound;
        StressKnee knee;                /* over the stepping holds */
        StressHold holds[STRESS_BP_MAX_HOLDS];
        size_t n_holds;
} StressBreakpoint;

typedef struct StressAction {
        bool done;
        double rest_s;          /* send nothing for this long first */
        double rate, hold_s;
} StressAction;

void stress_breakpoint_defaults(StressBreakpointConfig *c);
/* -EINVAL when the config has no positive start, increment or step. */
int stress_breakpoint_init(StressBreakpoint *bp, const StressBreakpointConfig *c);
/* What the runner does next. */
StressAction stress_breakpoint_next(const StressBreakpoint *bp);
/* The intervals of the hold that stress_breakpoint_next() asked for: judge it and move on. */
void stress_breakpoint_feed(StressBreakpoint *bp, const StressInterval *iv, size_t n);
/* Judge one hold's intervals against the SLO (pure; used by feed). */
StressTrip stress_hold_judge(const StressBreakpointConfig *c, double rate, const StressInterval *iv, size_t n,
                             StressHold *ret, double *ret_value);

/* --- endurance: drift --- */
#define STRESS_DRIFT_MAX 512
typedef struct StressSeries {
        double window_s;                /* current window (doubles when full) */
        double t0_s;                    /* first window's start */
        double v[STRESS_DRIFT_MAX];     /* per-window medians */
        size_t n;
        double buf[1024];               /* the open window's values */
        size_t n_buf;
        double buf_start_s;
} StressSeries;

typedef struct StressDrift {
        double slope_per_h;             /* least-squares slope, units per hour */
        double slope_t;                 /* slope / its standard error */
        double start, end;              /* the fit at the first and the last window */
        double relative;                /* (end - start) / |start| */
        bool change;                    /* a change point was accepted */
        double change_s;                /* when */
        double before, after;           /* the segments' means */
        size_t windows;
} StressDrift;

typedef struct StressEndurance {
        StressSeries p99, errors, rss;
} StressEndurance;
extern const char stress_drift_method[];

void stress_series_init(StressSeries *s, double window_s);
void stress_series_add(StressSeries *s, double t_s, double value);      /* NAN values are skipped */
/* Close the open window and fit. -ENODATA with fewer than 3 windows. */
int stress_series_drift(StressSeries *s, StressDrift *ret);

void stress_endurance_init(StressEndurance *en, double window_s);
void stress_endurance_add(StressEndurance *en, const StressInterval *iv);

/* --- options of `skytune stress` (docs/stress.md), as the command line spells them --- */
typedef struct StressConfig {
        StressOptions o;
        StressSlo slo;          /* breakpoint */
        unsigned repeats;       /* breakpoint: holds per bisection rate */
        double resolution;      /* breakpoint: bisection's end, a fraction */
        double warmup_s, rest_s;        /* breakpoint: per hold */
        double window_s;        /* endurance: drift window (default 60) */
} StressConfig;

typedef struct StressOptionInfo {
        const char *name;       /* "spike" for --spike */
        const char *arg;        /* "DURATION", "RATE" ... */
        const char *help;
} StressOptionInfo;
/* The i-th option, in the order --help lists them; NULL past the last. */
const StressOptionInfo *stress_option_info(size_t i);

/* Set option name ("factor") from text: rates and counts are numbers, a factor may end in x, durations
 * take ms, s, m, h (no unit: s), latencies us, ms, s (no unit: ms), fractions % (no unit: 0..1).
 * -ENOENT for no such option, -EINVAL with *e naming the option, the text and what it takes. */
int stress_config_set(StressConfig *c, const char *name, const char *value, Error *e);
/* Defaults for the pattern, and the breakpoint search's configuration from c. */
void stress_config_finish(StressConfig *c);
void stress_config_breakpoint(const StressConfig *c, StressBreakpointConfig *ret);
/* After stress_config_finish: -EINVAL with *e naming the option when the windows are too short for
 * the pattern's rules to give an answer (docs/stress.md): spike and surge need --after 3s and
 * --before 4s, a breakpoint step its warm-up, --sustain and one interval. */
int stress_config_judgeable(const StressConfig *c, Error *e);
