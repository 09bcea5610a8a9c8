/* SPDX-License-Identifier: MIT */
/* One step: its engine (endpoints as the request table, slots for the most users it asks for), its
 * plans one after another, and its intervals: the step's record, its `for` thresholds, the `until` of
 * a stepping phase, and its share of the total. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "run-internal.h"
#include "threshold-eval.h"

enum { SLOTS_MAX = 10000 };

typedef struct Requests {
        LoadgenRequest *q;
        char ***headers;
        size_t n;
} Requests;

static void requests_done(Requests *rq) {
        for (size_t i = 0; rq->headers && i < rq->n; i++) {
                for (char **h = rq->headers[i]; h && *h; h++)
                        free(*h);
                free(rq->headers[i]);
        }
        free(rq->headers);
        free(rq->q);
}

/* The step's endpoints as loadgen requests; "Name: value" headers (secret values too: they are sent). */
static int requests_build(const LoadStep *st, Requests *rq) {
        *rq = (Requests) { .n = st->n_endpoints };
        rq->q = calloc(MAX(st->n_endpoints, 1), sizeof(LoadgenRequest));
        rq->headers = calloc(MAX(st->n_endpoints, 1), sizeof(char **));
        if (!rq->q || !rq->headers)
                return -ENOMEM;
        for (size_t i = 0; i < st->n_endpoints; i++) {
                const LoadEndpoint *ep = &st->endpoints[i];
                char **h = rq->headers[i] = calloc(ep->n_headers + 1, sizeof(char *));
                if (!h)
                        return -ENOMEM;
                for (size_t k = 0; k < ep->n_headers; k++)
                        if (asprintf(&h[k], "%s: %s", ep->headers[k].name, ep->headers[k].value) < 0) {
                                h[k] = NULL;
                                return -ENOMEM;
                        }
                rq->q[i] = (LoadgenRequest) {
                        .path = ep->path, .method = ep->method, .body = ep->body, .headers = h, .weight = ep->weight,
                };
        }
        return 0;
}

static double plan_time_to_run(const StepCtx *c, double t) {
        return c->t_base + t;
}

/* A stepping phase with `until`: its first interval that breaks the condition ends the plan. */
static void check_until(StepCtx *c, const LoadgenInterval *iv) {
        const LoadPlan *p = &c->plan;
        if (!p->until || !isnan(c->cut_at) || iv->start_s < p->until_from_s - 1e-9)
                return;
        double v = load_metric(iv->results, iv->end_s - iv->start_s, p->until->metric);
        if (threshold_holds(p->until, v))
                return;
        c->cut_at = iv->end_s;
        atomic_store(&c->end_now, true);
}

static void on_step_interval(const LoadgenInterval *iv, void *userdata) {
        StepCtx *c = userdata;
        RunCtx *rc = c->run;
        double start = plan_time_to_run(c, iv->start_s), end = plan_time_to_run(c, iv->end_s);
        double planned = load_plan_value(&c->plan, (iv->start_s + iv->end_s) / 2);
        pthread_mutex_lock(&rc->lock);
        const LoadHooks *h = &rc->cfg->hooks;
        LoadInterval rec = {
                .step = c->out->step->name, .index = c->next_index, .start_s = start, .end_s = end,
                .planned = planned, .results = iv->results,
        };
        if (h->on_interval)
                h->on_interval(&rec, h->userdata);
        for (size_t i = 0; i < rc->run->n_thresholds; i++) {
                LoadThresholdRun *tr = &rc->run->thresholds[i];
                if (tr->step == (int) c->index && load_threshold_interval(tr, iv->results, start, end))
                        run_abort(rc, tr->t);
        }
        check_until(c, iv);
        run_total_add(rc, c->next_index, iv->results, start, end, planned);
        c->next_index++;
        pthread_mutex_unlock(&rc->lock);
}

static LoadgenConfig engine_config(StepCtx *c, const Requests *rq) {
        const LoadStep *st = c->out->step;
        const LoadRunConfig *cfg = c->run->cfg;
        double peak = ceil(load_step_peak(st));
        unsigned slots = st->slots;
        if (st->model == LOADGEN_CLOSED)
                slots = loadgen_segment_users((unsigned) MIN(MAX(peak, 1), (double) SLOTS_MAX), cfg->segment_index,
                                              cfg->segment_count);
        return (LoadgenConfig) {
                .url = st->url, .cacert = c->run->cfg->scenario->cacert, .timeout_s = st->timeout_s,
                .slots = MAX(slots, st->model == LOADGEN_CLOSED ? 1u : 0u),
                .threads = st->threads ? st->threads : cfg->threads,
                .schedule = { .model = st->model, .shape = LOADGEN_PIECES, .poisson = st->poisson,
                              .pieces = c->plan.pieces, .n_pieces = c->plan.n_pieces },
                .requests = rq->q, .n_requests = rq->n, .seed = cfg->seed,
                .interval_s = cfg->scenario->interval_s, .on_interval = on_step_interval, .userdata = c,
                .cancel = cfg->stop, .end_now = &c->end_now, .think_s = st->think_s,
                .segment_index = cfg->segment_index, .segment_count = cfg->segment_count, .per_request = true,
        };
}

/* The phases of the plan just run, on the run's time axis; the value the next plan starts from. */
static double plan_record(StepCtx *c, double elapsed_s) {
        const LoadPlan *p = &c->plan;
        double end = isnan(c->cut_at) ? fmin(elapsed_s, p->duration_s) : c->cut_at;
        for (size_t i = p->first; i <= p->last; i++) {
                double a = p->phase_start_s[i - p->first];
                double b = i < p->last ? p->phase_start_s[i + 1 - p->first] : p->duration_s;
                if (a >= end)
                        break;
                b = fmin(b, end);
                c->out->phases[i] = (LoadPhaseRun) {
                        .kind = c->out->step->phases[i].kind, .start_s = plan_time_to_run(c, a),
                        .end_s = plan_time_to_run(c, b), .planned_from = load_plan_value(p, a),
                        .planned_to = load_plan_value(p, fmax(b - 1e-9, a)),
                };
        }
        return load_plan_value(p, fmax(end - 1e-9, 0));
}

/* Open model: a fifth of the sends (at least 50) went out over 10 ms late with a slot free: the
 * client could not keep the schedule (a busy or descheduled client, not a slow server). */
static bool client_late(const LoadgenCounters *c) {
        return c->late_client >= 50 && (double) c->late_client > 0.2 * (double) c->sent;
}

static bool should_stop(const StepCtx *c) {
        const LoadRunConfig *cfg = c->run->cfg;
        return atomic_load(&c->run->abort) || (cfg->stop && atomic_load(cfg->stop));
}

/* Plan after plan until the phases are done (or the run ends). */
static int run_plans(StepCtx *c) {
        const LoadStep *st = c->out->step;
        double before = 0;
        for (size_t first = 0; first < st->n_phases && !should_stop(c);) {
                int r = load_plan_build(st, first, before, &c->plan);
                if (r < 0)
                        return error_set(&c->e, r, "step '%s': phase %zu cannot become a schedule", st->name, first + 1);
                LoadgenSchedule s = { .model = st->model, .shape = LOADGEN_PIECES, .poisson = st->poisson,
                                      .pieces = c->plan.pieces, .n_pieces = c->plan.n_pieces };
                if (loadgen_set_schedule(c->lg, &s) < 0)
                        return error_set(&c->e, -EINVAL, "step '%s', phase %zu: the load is negative, or an open "
                                         "step never has a positive rate", st->name, first + 1);
                atomic_store(&c->end_now, false);
                if (should_stop(c))
                        atomic_store(&c->end_now, true);       /* an abort that came just now */
                c->cut_at = NAN;
                c->t_base = c->first_group && first == 0 && c->run->cfg->start_at_usec ? 0 : run_now_s(c->run);
                LoadgenRunInfo info;
                r = loadgen_run(c->lg, c->plan.duration_s, &c->out->results, &info);
                if (r < 0)
                        return error_set(&c->e, r, "step '%s': the load engine failed: %s", st->name, strerror(-r));
                c->out->cpu_s += info.cpu_s;
                c->out->client_bound |= info.client_bound || client_late(&c->out->results.c);
                if (first == 0 && c->first_group) {
                        pthread_mutex_lock(&c->run->lock);     /* parallel steps of the first group */
                        c->run->run->start_skew_s = MAX(c->run->run->start_skew_s, info.start_skew_s);
                        pthread_mutex_unlock(&c->run->lock);
                }
                before = plan_record(c, info.elapsed_s);
                first = c->plan.last + 1;
                load_plan_done(&c->plan);
        }
        return 0;
}

int step_execute(StepCtx *c) {
        const LoadStep *st = c->out->step;
        Requests rq;
        int r = requests_build(st, &rq);
        if (r >= 0)
                r = load_plan_build(st, 0, 0, &c->plan);
        if (r < 0) {
                requests_done(&rq);
                return error_set(&c->e, r, "step '%s': cannot prepare its requests or phases", st->name);
        }
        LoadgenConfig lc = engine_config(c, &rq);
        r = loadgen_new(&lc, &c->lg, &c->e);
        load_plan_done(&c->plan);
        if (r >= 0) {
                c->out->threads = loadgen_threads(c->lg);
                if (c->first_group && c->run->cfg->start_at_usec)
                        loadgen_start_at(c->lg, c->run->cfg->start_at_usec);
                c->out->start_s = c->first_group && c->run->cfg->start_at_usec ? 0 : run_now_s(c->run);
                r = run_plans(c);
                c->out->end_s = run_now_s(c->run);
        }
        c->lg = loadgen_free(c->lg);
        load_plan_done(&c->plan);
        requests_done(&rq);
        return r;
}
