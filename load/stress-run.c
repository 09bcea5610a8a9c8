/* SPDX-License-Identifier: MIT */
/* stress-run: the patterns through the load runner. One run of the schedule for spike, surge, gradual
 * and endurance; for breakpoint one run per hold the search asks for, each merged into the first so
 * that the document has one time axis (rests included), one total and one phase per hold. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "macro.h"
#include "stress-run.h"

/* Spike and surge: the base's judged windows as they come, each of `w` intervals merged, and the
 * band they give, known once the base is over so that each later interval counts its requests
 * above the band's p99 edge (windows of any run of intervals are judged by those counts). */
typedef struct BaseWindows {
        Histogram *h;                   /* the open window's latencies */
        double start_s, done, ok;
        unsigned k, w;                  /* intervals in the open window; per window */
        StressInterval *v;              /* the closed windows */
        size_t n, cap;
        bool known;                     /* the band is computed (r its result) */
        int r;
        StressBand band;
} BaseWindows;

typedef struct Ctx {
        const StressRunConfig *cfg;
        StressRun *sr;
        StressEndurance *en;            /* endurance: the streamed series */
        double offset_s;                /* where the current run starts on the whole axis */
        double planned_s;               /* the current run's schedule: later intervals are its drain */
        unsigned index_base;            /* records of the runs before it */
        StressInterval *iv;             /* kept intervals (breakpoint: the current hold's) */
        size_t n, cap;
        BaseWindows base;               /* spike, surge */
        /* Spike, surge: where the schedule starts on the run's axis (after the step's set-up), so
         * that the intervals line up with the planned spikes. */
        double t0_s;
        bool t0_known, oom;
} Ctx;

/* Over a fifth of the sends went out over 10 ms late with a slot free: the client held them back.
 * Sends late because every slot was busy waiting on the server are the server's: they show in the
 * latency from the intended time and in what was sent, not as the client's lateness. */
static bool client_held(const LoadgenCounters *c)
{
        return c->late_client > 0 && (double) c->late_client > 0.2 * (double) c->sent;
}

StressInterval stress_interval_from(const LoadInterval *iv)
{
        const LoadgenResults *r = iv->results;
        double span = iv->end_s - iv->start_s;
        const Histogram *lat = r->h[LOADGEN_H_LATENCY], *late = r->h[LOADGEN_H_LATENESS];
        return (StressInterval) {
                .t_s = iv->start_s,
                .planned = iv->planned,
                .sent_rps = span > 0 ? (double) r->c.sent / span : NAN,
                .completed_rps = span > 0 ? (double) r->c.done / span : NAN,
                .p99_us = histogram_count(lat) ? (double) histogram_percentile(lat, 99) : NAN,
                .error_rate = r->c.done ? (double) (r->c.done - r->c.ok) / (double) r->c.done : NAN,
                .lateness_p99_us = !histogram_count(late) ? NAN
                                   : client_held(&r->c) ? (double) histogram_percentile(late, 99) : 0,
                .server_rss_bytes = NAN,
                .done = (double) r->c.done, .ok = (double) r->c.ok, .over = NAN,
        };
}

static bool grow(void **v, size_t *cap, size_t n, size_t size)
{
        if (n < *cap)
                return true;
        size_t c = *cap ? 2 * *cap : 256;
        void *p = realloc(*v, c * size);
        if (!p)
                return false;
        *v = p;
        *cap = c;
        return true;
}

/* A base interval into the open window; a full window closes into the list. -ENOMEM. */
static int base_add(BaseWindows *b, const StressInterval *si, const Histogram *lat)
{
        if (!b->h && histogram_new(histogram_highest(lat), histogram_digits(lat), &b->h) < 0)
                return -ENOMEM;
        if (b->k++ == 0)
                b->start_s = si->t_s;
        histogram_merge(b->h, lat);
        b->done += si->done;
        b->ok += si->ok;
        if (b->k < b->w)
                return 0;
        if (!grow((void **) &b->v, &b->cap, b->n, sizeof(*b->v)))
                return -ENOMEM;
        b->v[b->n++] = (StressInterval) {
                .t_s = b->start_s, .done = b->done, .ok = b->ok, .over = NAN,
                .p99_us = histogram_count(b->h) ? (double) histogram_percentile(b->h, 99) : NAN,
                .error_rate = b->done > 0 ? (b->done - b->ok) / b->done : NAN,
        };
        histogram_reset(b->h);
        b->k = 0;
        b->done = b->ok = 0;
        return 0;
}

/* Spike, surge: base intervals make the band's windows; after the base, each counts its requests
 * above the band's edge. */
static void base_track(Ctx *c, StressInterval *si, const Histogram *lat)
{
        BaseWindows *b = &c->base;
        const StressOptions *o = &c->cfg->c->o;
        if (!b->known && si->t_s < o->before_s - 1e-6) {
                if (base_add(b, si, lat) < 0)
                        c->oom = true;
                return;
        }
        if (!b->known) {
                b->known = true;
                b->r = stress_surge_band(o, b->v, b->n, &b->band);
        }
        if (b->r >= 0)
                si->over = (double) histogram_count_above(lat, b->band.p99_hi);
}

static void keep(Ctx *c, const StressInterval *si)
{
        if (!grow((void **) &c->iv, &c->cap, c->n, sizeof(*c->iv))) {
                c->oom = true;
                return;
        }
        c->iv[c->n++] = *si;
}

static void on_interval(const LoadInterval *iv, void *userdata)
{
        Ctx *c = userdata;
        LoadInterval moved = *iv;
        moved.start_s += c->offset_s;
        moved.end_s += c->offset_s;
        moved.index += c->index_base;
        if (c->cfg->hooks.on_interval)
                c->cfg->hooks.on_interval(&moved, c->cfg->hooks.userdata);
        if (iv->step || iv->start_s >= c->planned_s - 1e-6)
                return;         /* the drain after the schedule sends nothing: not the pattern's */
        StressInterval si = stress_interval_from(&moved);
        if (c->base.w && !c->t0_known) {
                c->t0_s = si.t_s;
                c->t0_known = true;
        }
        si.t_s -= c->t0_s;
        if (c->cfg->server_rss)
                si.server_rss_bytes = c->cfg->server_rss(c->cfg->hooks.userdata);
        if (c->base.w)
                base_track(c, &si, moved.results->h[LOADGEN_H_LATENCY]);
        if (c->en)
                stress_endurance_add(c->en, &si);
        else
                keep(c, &si);
}

static void on_tick(double t_s, void *userdata)
{
        Ctx *c = userdata;
        if (c->cfg->hooks.on_tick)
                c->cfg->hooks.on_tick(t_s + c->offset_s, c->cfg->hooks.userdata);
}

/* One open-model step at the URL, its phases copied. */
static int scenario_new(const StressRunConfig *cfg, const LoadPhase *phases, size_t n, Scenario **ret)
{
        Scenario *sc = calloc(1, sizeof(*sc));
        if (!sc)
                return -ENOMEM;
        *ret = sc;
        sc->interval_s = cfg->c->o.interval_s > 0 ? cfg->c->o.interval_s : 1;
        if (!(sc->name = strdup(stress_pattern_names[cfg->c->o.pattern])) || !(sc->steps = calloc(1, sizeof(LoadStep))))
                return -ENOMEM;
        sc->n_steps = 1;
        LoadStep *st = &sc->steps[0];
        const char *host = strstr(cfg->url, "://");
        const char *path = host ? strchr(host + 3, '/') : NULL;
        st->model = LOADGEN_OPEN;
        st->threads = cfg->threads;
        st->timeout_s = cfg->timeout_s;
        if (!(st->name = strdup("stress")) || !(st->url = strdup(cfg->url)) ||
            !(st->endpoints = calloc(1, sizeof(LoadEndpoint))) || !(st->phases = calloc(MAX(n, 1), sizeof(LoadPhase))))
                return -ENOMEM;
        st->n_endpoints = 1;
        st->endpoints[0].weight = 1;
        if (asprintf(&st->endpoints[0].name, "GET %s", path ? path : "/") < 0) {
                st->endpoints[0].name = NULL;
                return -ENOMEM;
        }
        memcpy(st->phases, phases, n * sizeof(LoadPhase));
        st->n_phases = n;
        return 0;
}

static int run_once(Ctx *c, LoadRun **ret, Error *e)
{
        c->planned_s = scenario_step_planned_s(&c->sr->scenario->steps[0]);
        LoadRunConfig lc = {
                .scenario = c->sr->scenario, .threads = c->cfg->threads, .stop = c->cfg->stop,
                .hooks = { .on_interval = on_interval, .on_tick = on_tick, .userdata = c },
        };
        return load_run(&lc, ret, e);
}

static double now_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* Sleep s seconds, or until stop; the seconds slept. */
static double rest(double s, const atomic_bool *stop)
{
        double t0 = now_s(), t;
        while ((t = now_s() - t0) < s && !(stop && atomic_load(stop))) {
                double d = MIN(s - t, 0.05);
                nanosleep(&(struct timespec) { 0, (long) (d * 1e9) }, NULL);
        }
        return now_s() - t0;
}

/* The hold's run into the whole one (acc, n_phases holds so far): results, times, one more phase. */
static int merge(LoadRun *acc, size_t n_phases, const LoadRun *run, double offset_s, double rate)
{
        LoadStepRun *to = &acc->steps[0];
        const LoadStepRun *from = &run->steps[0];
        LoadPhaseRun *p = realloc(to->phases, (n_phases + 1) * sizeof(*p));
        if (!p)
                return -ENOMEM;
        to->phases = p;
        p[n_phases] = (LoadPhaseRun) { .kind = LOAD_PHASE_HOLD, .start_s = offset_s + from->phases[0].start_s,
                                                  .end_s = offset_s + from->phases[0].end_s,
                                                  .planned_from = rate, .planned_to = rate };
        loadgen_results_merge(&to->results, &from->results);
        loadgen_results_merge(&acc->total, &run->total);
        to->end_s = offset_s + from->end_s;
        to->cpu_s += from->cpu_s;
        to->client_bound |= from->client_bound;
        acc->ended_usec = run->ended_usec;
        acc->clock_end = run->clock_end;        /* the host clock at the last hold's end */
        acc->duration_s = offset_s + run->duration_s;
        acc->interrupted |= run->interrupted;
        acc->client_bound |= run->client_bound;
        acc->failed &= run->failed;
        acc->cpu_s += run->cpu_s;
        acc->intervals += run->intervals;
        return 0;
}

/* The step's phases become one hold per hold that ran (what the document lists). */
static int holds_push(LoadPhase **holds, size_t *n, double rate, double hold_s)
{
        LoadPhase *h = realloc(*holds, (*n + 1) * sizeof(*h));
        if (!h)
                return -ENOMEM;
        *holds = h;
        h[(*n)++] = (LoadPhase) { .kind = LOAD_PHASE_HOLD, .value = rate, .duration_s = hold_s };
        return 0;
}

static int run_breakpoint(Ctx *c, Error *e)
{
        StressRun *sr = c->sr;
        StressBreakpointConfig bc;
        stress_config_breakpoint(c->cfg->c, &bc);
        if (stress_breakpoint_init(&sr->bp, &bc) < 0)
                return error_set(e, -EINVAL, "stress: --start, --increment and --step must be positive");
        LoadStep *st = &sr->scenario->steps[0];
        LoadPhase *holds = NULL;
        size_t n_holds = 0;
        int r = 0;
        for (StressAction a; !(a = stress_breakpoint_next(&sr->bp)).done;) {
                if (c->cfg->stop && atomic_load(c->cfg->stop))
                        break;
                if (a.rest_s > 0 && sr->run) {
                        double slept = rest(a.rest_s, c->cfg->stop);
                        c->offset_s += slept;
                        sr->rested_s += slept;
                        if (c->cfg->stop && atomic_load(c->cfg->stop)) {
                                sr->run->interrupted = true;
                                sr->run->duration_s = c->offset_s;
                                break;
                        }
                }
                st->phases[0] = (LoadPhase) { .kind = LOAD_PHASE_HOLD, .value = a.rate, .duration_s = a.hold_s };
                st->n_phases = 1;
                c->n = 0;
                LoadRun *run = NULL;
                if ((r = run_once(c, &run, e)) < 0)
                        break;
                if (!run->interrupted)  /* a hold cut short is no verdict on its rate */
                        stress_breakpoint_feed(&sr->bp, c->iv, c->n);
                if (!sr->run)
                        sr->run = run;
                else {
                        r = merge(sr->run, n_holds, run, c->offset_s, a.rate);
                        load_run_free(run);
                }
                if (r >= 0)
                        r = holds_push(&holds, &n_holds, a.rate, a.hold_s);
                if (r < 0 || sr->run->interrupted)
                        break;
                c->offset_s = sr->run->duration_s;
                c->index_base = sr->run->intervals;
        }
        if (holds) {
                free(st->phases);
                st->phases = holds;
                st->n_phases = n_holds;
        }
        return r == -ENOMEM ? error_set(e, r, "stress: out of memory") : r;
}

static void analyse(Ctx *c)
{
        StressRun *sr = c->sr;
        const StressOptions *o = &c->cfg->c->o;
        switch (sr->pattern) {
        case STRESS_SPIKE:
        case STRESS_SURGE:
                if (!c->base.known)     /* interrupted in the base: what windows there are */
                        c->base.r = stress_surge_band(o, c->base.v, c->base.n, &c->base.band);
                sr->analysed = c->base.r < 0 ? c->base.r : stress_surge_analyse(o, &c->base.band, c->iv, c->n, &sr->surge);
                for (size_t i = 0; i < sr->surge.n_spikes; i++) {       /* back to the run's axis */
                        sr->surge.spikes[i].start_s += c->t0_s;
                        sr->surge.spikes[i].end_s += c->t0_s;
                }
                /* An interrupted run: the spikes it never reached are not "not recovered". */
                while (sr->surge.n_spikes > 0 && sr->surge.spikes[sr->surge.n_spikes - 1].start_s >= sr->run->duration_s)
                        sr->surge.n_spikes--;
                break;
        case STRESS_GRADUAL:
                sr->analysed = stress_gradual_analyse(c->iv, c->n, &sr->knee);
                if (sr->analysed >= 0 && !sr->knee.found)
                        sr->analysed = -ENODATA;
                break;
        case STRESS_ENDURANCE:
                sr->drift_r[0] = stress_series_drift(&c->en->p99, &sr->drift[0]);
                sr->drift_r[1] = stress_series_drift(&c->en->errors, &sr->drift[1]);
                sr->drift_r[2] = stress_series_drift(&c->en->rss, &sr->drift[2]);
                sr->analysed = sr->drift_r[0];
                break;
        default:
                sr->analysed = isfinite(sr->bp.first_bad) || sr->bp.client_bound ? 0 : -ENODATA;
                break;
        }
}

int stress_run(const StressRunConfig *cfg, StressRun **ret, Error *e)
{
        _cleanup_free_ LoadPhase *phases = NULL;
        size_t n = 0;
        int r = stress_phases(&cfg->c->o, &phases, &n, e);
        if (r < 0)
                return r;
        StressRun *sr = calloc(1, sizeof(*sr));
        _cleanup_free_ StressEndurance *en = NULL;
        Ctx c = { .cfg = cfg, .sr = sr };
        if (!sr)
                return error_set(e, -ENOMEM, "stress: out of memory");
        sr->pattern = cfg->c->o.pattern;
        sr->options = cfg->c->o;
        if (sr->pattern == STRESS_SPIKE || sr->pattern == STRESS_SURGE)
                c.base.w = stress_window_n(cfg->c->o.interval_s);
        if (sr->pattern == STRESS_ENDURANCE) {
                if (!(en = c.en = malloc(sizeof(*en))))
                        r = -ENOMEM;
                else
                        stress_endurance_init(en, cfg->c->window_s);
        }
        if (r >= 0)
                r = scenario_new(cfg, phases, n, &sr->scenario);
        if (r < 0)
                r = error_set(e, r, "stress: out of memory");
        else if (sr->pattern == STRESS_BREAKPOINT)
                r = run_breakpoint(&c, e);
        else
                r = run_once(&c, &sr->run, e);
        if (r >= 0 && c.oom)
                r = error_set(e, -ENOMEM, "stress: out of memory keeping the intervals");
        if (r >= 0 && !sr->run)
                r = error_set(e, -ECANCELED, "stress: interrupted before the first hold");
        if (r >= 0)
                analyse(&c);
        free(c.iv);
        free(c.base.v);
        histogram_free(c.base.h);
        if (r < 0) {
                stress_run_free(sr);
                return r;
        }
        *ret = sr;
        return 0;
}

StressRun *stress_run_free(StressRun *sr)
{
        if (!sr)
                return NULL;
        load_run_free(sr->run);
        scenario_free(sr->scenario);
        free(sr);
        return NULL;
}

int stress_run_exit(const StressRun *sr)
{
        int r = load_run_exit(sr->run);
        if (r != 0)
                return r;
        if (sr->pattern == STRESS_BREAKPOINT && sr->bp.client_bound)
                return 5;
        if (sr->pattern == STRESS_SPIKE || sr->pattern == STRESS_SURGE)
                for (size_t i = 0; i < sr->surge.n_spikes; i++)
                        if (!sr->surge.spikes[i].recovered)
                                return 4;
        return 0;
}
