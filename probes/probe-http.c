/* SPDX-License-Identifier: MIT */
/* http: HTTP load against the URL the user names, as rounds of the load engine (loadgen/): the
 * closed model (N users) or the open one (a constant or Poisson arrival rate), one GET (or the
 * method, headers and body given) of the URL, --threads workers. This file maps the probe's options
 * onto the engine and its results onto the probe's metrics and the round's JSON detail. Each round
 * is one engine run; the rounds' results merged give the summary over all of them. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "histogram.h"
#include "loadgen.h"
#include "macro.h"
#include "probe.h"
#include "probe-http.h"

enum {
        M_RPS_OK, M_RPS_DONE, M_RPS_SENT, M_SUCCESS, M_P50, M_P90, M_P95, M_P99, M_P999, M_MAX,
        M_SVC_P50, M_SVC_P99, M_COUNT
};

static const ProbeMetricDef http_metrics[] = {
        [M_RPS_OK] = { "successful_rps", "req/s", true },
        [M_RPS_DONE] = { "completed_rps", "req/s", true },
        [M_RPS_SENT] = { "attempted_rps", "req/s", true },
        [M_SUCCESS] = { "success_rate", "ratio", true },
        [M_P50] = { "latency_p50_ms", "ms", false },
        [M_P90] = { "latency_p90_ms", "ms", false },
        [M_P95] = { "latency_p95_ms", "ms", false },
        [M_P99] = { "latency_p99_ms", "ms", false },
        [M_P999] = { "latency_p99_9_ms", "ms", false },
        [M_MAX] = { "latency_max_ms", "ms", false },
        [M_SVC_P50] = { "service_p50_ms", "ms", false },
        [M_SVC_P99] = { "service_p99_ms", "ms", false },
};

typedef struct HttpState {
        Loadgen *lg;
        LoadgenRequest request;         /* the one request of the table */
        LoadgenResults sum;             /* this round */
        LoadgenResults all;             /* every round so far */
        unsigned rounds;
        double all_elapsed_s;
} HttpState;

static const HttpOptions no_options;

static const HttpOptions *options_of(const ProbeConfig *cfg) {
        return cfg->options ? cfg->options : &no_options;
}

static LoadgenConfig engine_config(const ProbeConfig *cfg, HttpState *s) {
        const HttpOptions *o = options_of(cfg);
        bool open_model = o->model == HTTP_MODEL_OPEN;
        unsigned users = o->users ? o->users : (open_model ? 100 : 10);
        s->request = (LoadgenRequest) { .method = o->method, .body = o->body, .headers = o->headers };
        return (LoadgenConfig) {
                .url = o->url,
                .cacert = o->cacert,
                .timeout_s = o->timeout_s,
                .slots = users,
                .threads = o->threads,
                .schedule = {
                        .model = open_model ? LOADGEN_OPEN : LOADGEN_CLOSED,
                        .shape = LOADGEN_CONSTANT,
                        .poisson = o->arrival == HTTP_ARRIVAL_POISSON,
                        .value = open_model ? o->rate : users,
                },
                .requests = &s->request,
                .n_requests = 1,
                .seed = o->seed,
                .stop = cfg->stop,
        };
}

static int http_setup(void *state, const ProbeConfig *cfg, Error *e) {
        HttpState *s = state;
        const HttpOptions *o = options_of(cfg);
        if (isempty(o->url))
                return error_set(e, -EINVAL, "no URL: name one with --url (for example --url http://127.0.0.1:8080/)");
        if (o->model == HTTP_MODEL_OPEN && !(o->rate > 0))
                return error_set(e, -EINVAL, "the open model needs an arrival rate (--rate N requests per second)");
        LoadgenConfig lc = engine_config(cfg, s);
        int r = loadgen_new(&lc, &s->lg, e);
        if (r < 0)
                return r;
        r = loadgen_results_init(&s->sum);
        if (r >= 0)
                r = loadgen_results_init(&s->all);
        return r;
}

static void http_teardown(void *state) {
        HttpState *s = state;
        s->lg = loadgen_free(s->lg);
        loadgen_results_done(&s->sum);
        loadgen_results_done(&s->all);
}

static double ms(const Histogram *h, double p) {
        return histogram_count(h) ? (double) histogram_percentile(h, p) / 1e3 : NAN;
}

static json_t *counts_json(const LoadgenCounters *c, Histogram *const *h) {
        json_t *d = json_object(), *status = json_object(), *errors = json_object(), *hist = json_object();
        if (!d || !status || !errors || !hist) {
                json_decref(d);
                json_decref(status);
                json_decref(errors);
                json_decref(hist);
                return NULL;
        }
        for (size_t i = 0; i < ELEMENTSOF(c->status); i++)
                if (c->status[i]) {
                        char key[8];
                        snprintf(key, sizeof(key), "%zu", i);
                        json_object_set_new(status, i == 0 ? "none" : key, json_integer((json_int_t) c->status[i]));
                }
        for (size_t i = 0; i < _LOADGEN_ERR_MAX; i++)
                json_object_set_new(errors, loadgen_error_names[i], json_integer((json_int_t) c->errors[i]));
        for (size_t i = 0; i < _LOADGEN_H_MAX; i++)
                json_object_set_new(hist, loadgen_hist_names[i], probe_histogram_json(h[i], 1e-3));
        json_object_set_new(d, "attempted", json_integer((json_int_t) c->sent));
        json_object_set_new(d, "completed", json_integer((json_int_t) c->done));
        json_object_set_new(d, "successful", json_integer((json_int_t) c->ok));
        json_object_set_new(d, "cut_at_deadline", json_integer((json_int_t) c->cut));
        json_object_set_new(d, "not_sent", json_integer((json_int_t) c->not_sent));
        json_object_set_new(d, "new_connections", json_integer((json_int_t) c->new_connections));
        json_object_set_new(d, "status", status);
        json_object_set_new(d, "errors", errors);
        json_object_set_new(d, "histograms", hist);
        return d;
}

static json_t *round_detail(HttpState *s, const HttpOptions *o, double send_window_s, double elapsed_s) {
        json_t *d = counts_json(&s->sum.c, s->sum.h);
        if (!d)
                return NULL;
        json_object_set_new(d, "url", json_string(o->url));
        json_object_set_new(d, "model", json_string(o->model == HTTP_MODEL_OPEN ? "open" : "closed"));
        json_object_set_new(d, "users", json_integer(loadgen_slots(s->lg)));
        json_object_set_new(d, "threads", json_integer(loadgen_threads(s->lg)));
        if (o->model == HTTP_MODEL_OPEN) {
                json_object_set_new(d, "target_rps", json_real(o->rate));
                json_object_set_new(d, "arrival", json_string(o->arrival == HTTP_ARRIVAL_POISSON ? "poisson" : "constant"));
                json_object_set_new(d, "late_sends", json_integer((json_int_t) s->sum.c.late));
        }
        json_object_set_new(d, "send_window_s", json_real(send_window_s));
        json_object_set_new(d, "elapsed_s", json_real(elapsed_s));
        return d;
}

/* Every round merged: percentiles over all requests of the run. */
static json_t *http_summary(void *state) {
        HttpState *s = state;
        json_t *d = counts_json(&s->all.c, s->all.h);
        if (d) {
                json_object_set_new(d, "rounds", json_integer(s->rounds));
                json_object_set_new(d, "elapsed_s", json_real(s->all_elapsed_s));
                if (s->all.c.sent + s->all.c.not_sent > s->all.c.cut)
                        json_object_set_new(d, "success_rate", json_real((double) s->all.c.ok /
                                                                         (double) (s->all.c.sent + s->all.c.not_sent -
                                                                                   s->all.c.cut)));
        }
        return d;
}

static int http_round(void *state, const ProbeConfig *cfg, ProbeRoundOut *out) {
        HttpState *s = state;
        loadgen_results_reset(&s->sum);
        LoadgenRunInfo info;
        int r = loadgen_run(s->lg, cfg->duration_s, &s->sum, &info);
        if (r < 0)
                return r;
        loadgen_results_merge(&s->all, &s->sum);
        s->rounds++;
        s->all_elapsed_s += info.elapsed_s;

        const LoadgenCounters *c = &s->sum.c;
        double window = info.send_window_s, elapsed = info.elapsed_s;
        double *v = out->values;
        v[M_RPS_SENT] = (double) c->sent / window;
        v[M_RPS_DONE] = (double) c->done / elapsed;
        v[M_RPS_OK] = (double) c->ok / elapsed;
        uint64_t owed = c->sent + c->not_sent - c->cut;     /* requests that should have been answered */
        v[M_SUCCESS] = owed > 0 ? (double) c->ok / (double) owed : NAN;
        const Histogram *lat = s->sum.h[LOADGEN_H_LATENCY];
        v[M_P50] = ms(lat, 50);
        v[M_P90] = ms(lat, 90);
        v[M_P95] = ms(lat, 95);
        v[M_P99] = ms(lat, 99);
        v[M_P999] = ms(lat, 99.9);
        v[M_MAX] = histogram_count(lat) ? (double) histogram_max(lat) / 1e3 : NAN;
        v[M_SVC_P50] = ms(s->sum.h[LOADGEN_H_SERVICE], 50);
        v[M_SVC_P99] = ms(s->sum.h[LOADGEN_H_SERVICE], 99);
        const Histogram *late = s->sum.h[LOADGEN_H_LATENESS];
        out->lateness_s = histogram_count(late) ? ms(late, 99) / 1e3 : 0;
        out->client_bound = info.client_bound;
        out->foreign_expected = loadgen_loopback(s->lg);
        out->detail = round_detail(s, options_of(cfg), window, elapsed);
        if (out->detail)
                json_object_set_new(out->detail, "probe_cpu_s", json_real(info.cpu_s));
        return 0;
}

const ProbeBackend probe_http = {
        .name = "http",
        .summary = "HTTP load with libcurl: closed (N users) or open (arrival rate) model, latency percentiles",
        .metrics = http_metrics,
        .n_metrics = M_COUNT,
        .primary = M_RPS_OK,
        .state_size = sizeof(HttpState),
        .setup = http_setup,
        .round = http_round,
        .overall = http_summary,
        .teardown = http_teardown,
        .options = http_options,
        .n_options = HTTP_OPTION_COUNT,
        .options_heading = "http (a load generator; only point it at servers you are allowed to load):",
        .options_size = sizeof(HttpOptions),
        .options_init = http_options_init,
        .options_check = http_options_check,
        .options_done = http_options_done,
        .target_option = "url",
        .target_example = "--url http://127.0.0.1:8080/",
        .failure_hint = "the status and error counts, the server's log, and --header, --cacert or --timeout",
};
