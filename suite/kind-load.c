/* SPDX-License-Identifier: MIT */
/* Kind "load": one `skytune load` run per repetition. It runs skytune itself as a child
 * (/proc/self/exe load ... --json) rather than linking the load engine: suite/ stays below cli/ in
 * the dependency order (DESIGN.md), a crashing or hanging run is one failed repetition ended with its
 * process group, and the figures are those of the documented skytune.load/1 document. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

static int load_parse(const ConfRead *c, const config_setting_t *g, void **ret) {
        LoadSpec *ls = calloc(1, sizeof(LoadSpec));
        if (!ls)
                return error_set(c->e, -ENOMEM, "out of memory");
        *ret = ls;
        int r = suite_conf_url(c, g, false, &ls->url);
        if (r >= 0)
                r = suite_conf_path(c, g, "scenario", false, "\"api.conf\" (beside the suite file)", &ls->scenario);
        if (r < 0)
                return r;
        if (!ls->url == !ls->scenario)
                return conf_fail(c, g,
                                 "a load benchmark needs 'url' or 'scenario' (one of them), e.g. "
                                 "url = \"http://127.0.0.1:8080/\";");
        r = conf_duration_ms(c, g, "duration", &ls->duration_ms);
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
        return 0;
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

/* The metrics from the skytune.load/1 document's total. */
static const SuiteFigure load_at[] = {
        [M_RPS] = { "total.completed_per_s", 1 },   [M_OK_RPS] = { "total.ok_per_s", 1 },
        [M_P50] = { "total.latency_us.p50", 1e-3 }, [M_P95] = { "total.latency_us.p95", 1e-3 },
        [M_P99] = { "total.latency_us.p99", 1e-3 }, [M_ERR] = { "total.error_rate", 100 },
};

static int load_run(const void *spec, SuiteRepOut *out, const volatile sig_atomic_t *stop, Error *e) {
        const LoadSpec *ls = spec;
        SuiteArgv a = {};
        suite_argv_add(&a, "/proc/self/exe");
        suite_argv_add(&a, "load");
        if (ls->scenario) {
                suite_argv_add(&a, "--scenario");
                suite_argv_add(&a, ls->scenario);
        }
        if (ls->duration_ms > 0) {
                suite_argv_add(&a, "--duration");
                suite_argv_addf(&a, "%.3fs", (double) ls->duration_ms / 1000);
        }
        if (ls->users > 0 || ls->rate > 0) {
                suite_argv_add(&a, ls->users > 0 ? "--users" : "--rate");
                suite_argv_addf(&a, "%g", ls->users > 0 ? ls->users : ls->rate);
        }
        suite_argv_add(&a, "--json");
        if (ls->url) { /* after "--": a url starting with '-' is not read as an option */
                suite_argv_add(&a, "--");
                suite_argv_add(&a, ls->url);
        }
        /* 4 (a scenario's threshold failed) still measured the server; 1 (no connection) and 5
         * (client-bound: the figures measure the client) did not. */
        const SuiteSelfRun how = {
                .timeout_ms = ls->timeout_ms > 0 ? ls->timeout_ms : ls->duration_ms * 3 + 30000,
                .accept = 1u << 0 | 1u << 4,
                .why = { [5] = "client-bound: the figures would measure the client" },
                .schema = LOAD_SCHEMA,
        };
        json_t *doc;
        int r = suite_self_doc(&a, &how, stop, &doc, e);
        suite_argv_done(&a);
        if (r == 0)
                r = suite_doc_figures(doc, "load", load_metrics, load_at, ELEMENTSOF(load_at), out->values, e);
        /* The answered requests' latency as the load wrote it (HdrHistogram, microseconds). */
        json_t *hdr = r == 0 ? json_object_get(json_object_get(doc, "total"), "hdr") : NULL;
        if (json_is_string(hdr) && out->histograms && json_object_set(out->histograms, "latency_us", hdr) < 0)
                r = error_set(e, -ENOMEM, "out of memory");
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
