/* SPDX-License-Identifier: MIT */
/* Kind "load": one `skytune load` run per repetition. It runs skytune itself as a child
 * (/proc/self/exe load ... --json) rather than linking the load engine: suite/ stays below cli/ in
 * the dependency order (DESIGN.md), a crashing or hanging run is one failed repetition ended with its
 * process group, and the figures are those of the documented skytune.load/1 document. */
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-util.h"
#include "macro.h"
#include "schema.h"
#include "spawn.h"
#include "suite-internal.h"

enum { M_RPS, M_OK_RPS, M_P50, M_P95, M_P99, M_ERR };

static const SuiteMetricDef load_metrics[] = {
        [M_RPS] = { "rps", "1/s", true },    [M_OK_RPS] = { "ok_rps", "1/s", true },
        [M_P50] = { "p50_ms", "ms", false }, [M_P95] = { "p95_ms", "ms", false },
        [M_P99] = { "p99_ms", "ms", false }, [M_ERR] = { "errors_pct", "%", false },
};

typedef struct LoadSpec {
        char *url, *scenario; /* one of them; scenario resolved against the suite file's folder */
        int64_t duration_ms, timeout_ms;
        double users, rate; /* 0: the scenario's or load's default */
} LoadSpec;

static int load_scenario_path(const ConfRead *c, LoadSpec *ls) {
        if (!ls->scenario || ls->scenario[0] == '/')
                return 0;
        char *copy = strdup(c->file ? c->file : ".");
        char *p = NULL;
        if (!copy || asprintf(&p, "%s/%s", dirname(copy), ls->scenario) < 0) {
                free(copy);
                return error_set(c->e, -ENOMEM, "out of memory");
        }
        free(copy);
        free(ls->scenario);
        ls->scenario = p;
        return 0;
}

static int load_parse(const ConfRead *c, const config_setting_t *g, void **ret) {
        LoadSpec *ls = calloc(1, sizeof(LoadSpec));
        if (!ls)
                return error_set(c->e, -ENOMEM, "out of memory");
        *ret = ls;
        int r = suite_conf_text(c, g, "url", false, "\"http://127.0.0.1:8080/\"", &ls->url);
        if (r >= 0)
                r = suite_conf_text(c, g, "scenario", false, "\"api.conf\" (beside the suite file)", &ls->scenario);
        if (r < 0)
                return r;
        if (!ls->url == !ls->scenario)
                return conf_fail(c, g,
                                 "a load benchmark needs 'url' or 'scenario' (one of them), e.g. "
                                 "url = \"http://127.0.0.1:8080/\";");
        /* user:password@ would go into the history, the reports and the child's command line. */
        const char *auth = ls->url ? strstr(ls->url, "://") : NULL, *at = auth ? strchr(auth + 3, '@') : NULL;
        if (at && at < auth + 3 + strcspn(auth + 3, "/?#"))
                return conf_fail(c, config_setting_get_member(g, "url"),
                                 "a url with a user or password would be stored in the history and shown by ps: "
                                 "benchmark a server that needs none, or use a scenario");
        r = conf_span_ms(c, g, "duration", &ls->duration_ms);
        if (r >= 0)
                r = conf_span_ms(c, g, "timeout", &ls->timeout_ms);
        if (r >= 0)
                r = conf_number(c, g, "users", 0, 100000, &ls->users);
        if (r >= 0)
                r = conf_number(c, g, "rate", 0, 1e7, &ls->rate);
        if (r < 0)
                return r;
        if (ls->users > 0 && ls->rate > 0)
                return conf_fail(c, config_setting_get_member(g, "rate"),
                                 "'users' (closed model) and 'rate' (open model) exclude each other: keep one");
        return load_scenario_path(c, ls);
}

static void load_metrics_of(const void *spec, const SuiteMetricDef **ret, size_t *ret_n) {
        *ret = load_metrics;
        *ret_n = ELEMENTSOF(load_metrics);
}

static json_t *load_json(const void *spec) {
        const LoadSpec *ls = spec;
        return json_pack("{s:s?, s:s?, s:f, s:f, s:f, s:f}", "url", ls->url, "scenario", ls->scenario, "duration_s",
                         (double) ls->duration_ms / 1000, "users", ls->users, "rate", ls->rate, "timeout_s",
                         (double) ls->timeout_ms / 1000);
}

static double num_at(json_t *o, const char *a, const char *b) {
        json_t *v = json_object_get(o, a);
        if (b)
                v = json_object_get(v, b);
        return json_is_number(v) ? json_number_value(v) : NAN;
}

/* The metrics from the skytune.load/1 document's total; a figure missing is an error, not a NaN
 * sample. */
static int load_figures(json_t *doc, SuiteRepOut *out, Error *e) {
        json_t *t = json_object_get(doc, "total");
        if (!jstreq(doc, "schema", LOAD_SCHEMA) || !json_is_object(t))
                return error_set(e, -EPROTO,
                                 "skytune load printed no skytune.load/1 document (no total): run the "
                                 "benchmark's load by hand with --json to see why");
        out->values[M_RPS] = num_at(t, "completed_per_s", NULL);
        out->values[M_OK_RPS] = num_at(t, "ok_per_s", NULL);
        out->values[M_P50] = num_at(t, "latency_us", "p50") / 1000;
        out->values[M_P95] = num_at(t, "latency_us", "p95") / 1000;
        out->values[M_P99] = num_at(t, "latency_us", "p99") / 1000;
        out->values[M_ERR] = num_at(t, "error_rate", NULL) * 100;
        for (size_t i = 0; i < ELEMENTSOF(load_metrics); i++)
                if (!isfinite(out->values[i]))
                        return error_set(e, -EPROTO,
                                         "skytune load's document has no %s: run the benchmark's load "
                                         "by hand with --json to see why",
                                         load_metrics[i].name);
        return 0;
}

static int load_run(const void *spec, SuiteRepOut *out, const volatile sig_atomic_t *stop, Error *e) {
        const LoadSpec *ls = spec;
        char dur[32], num[32];
        char *argv[16];
        size_t n = 0;
        argv[n++] = (char *) "/proc/self/exe";
        argv[n++] = (char *) "load";
        if (ls->scenario) {
                argv[n++] = (char *) "--scenario";
                argv[n++] = ls->scenario;
        } else
                argv[n++] = ls->url;
        if (ls->duration_ms > 0) {
                snprintf(dur, sizeof dur, "%.3fs", (double) ls->duration_ms / 1000);
                argv[n++] = (char *) "--duration";
                argv[n++] = dur;
        }
        if (ls->users > 0 || ls->rate > 0) {
                snprintf(num, sizeof num, "%g", ls->users > 0 ? ls->users : ls->rate);
                argv[n++] = (char *) (ls->users > 0 ? "--users" : "--rate");
                argv[n++] = num;
        }
        argv[n++] = (char *) "--json";
        argv[n] = NULL;
        int64_t timeout = ls->timeout_ms > 0 ? ls->timeout_ms : ls->duration_ms * 3 + 30000;
        json_t *doc;
        int code = 0;
        int r = suite_self_json(argv, timeout, stop, &doc, &code, e);
        /* 4 (a scenario's threshold failed) still measured the server; 1 (no connection) and 5
         * (client-bound: the figures measure the client) did not. */
        if (r == 0 && code != 0 && code != 4)
                r = error_set(e, -EPROTO, "skytune load exited %d (%s): run the benchmark's load by hand to see why",
                              code, code == 5 ? "client-bound: the figures would measure the client" : "failed");
        if (r == 0)
                r = load_figures(doc, out, e);
        json_decref(doc);
        return r;
}

static void load_free(void *spec) {
        LoadSpec *ls = spec;
        free(ls->url);
        free(ls->scenario);
        free(ls);
}

static const char *const load_keys[] = { "url", "scenario", "duration", "users", "rate", "timeout" };

const SuiteKind suite_kind_load = {
        .name = "load",
        .summary = "one skytune load run per repetition (rps, p50/p95/p99 ms, errors %)",
        .keys = load_keys,
        .n_keys = ELEMENTSOF(load_keys),
        .parse = load_parse,
        .metrics = load_metrics_of,
        .spec_json = load_json,
        .run = load_run,
        .spec_free = load_free,
};
