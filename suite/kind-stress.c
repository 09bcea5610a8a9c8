/* SPDX-License-Identifier: MIT */
/* Kind "stress": one `skytune stress` run per repetition, as a child (/proc/self/exe stress ...
 * --json, spawn-json.c). The pattern's options are checked here with stress's own parser and
 * schedule (load/stress.h), so `bench check` finds a bad one at its line. The metrics depend on the
 * pattern; a figure the run may not find (no knee, a spike that did not recover) is a null sample,
 * not a failed repetition. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "nearest.h"
#include "schema.h"
#include "spawn.h"
#include "stress.h"
#include "suite-internal.h"

#define COMMON_METRICS                                       \
        { "rps", "1/s", true }, { "p99_ms", "ms", false }, { \
                "errors_pct", "%", false                     \
        }
#define N_COMMON 3
static const SuiteFigure common_at[N_COMMON] = { { "total.completed_per_s", 1 },
                                                 { "total.latency_us.p99", 1e-3 },
                                                 { "total.error_rate", 100 } };
#define KNEE_METRICS                       \
        { "knee_rps", "1/s", true }, {     \
                "knee_p99_ms", "ms", false \
        }

static const SuiteMetricDef spike_metrics[] = {
        COMMON_METRICS, { "recovery_s", "s", false }, { "peak_p99_ms", "ms", false }, { "served_pct", "%", true }
};
static const SuiteMetricDef gradual_metrics[] = { COMMON_METRICS, KNEE_METRICS };
static const SuiteMetricDef breakpoint_metrics[] = {
        COMMON_METRICS, { "last_good_rps", "1/s", true }, { "first_bad_rps", "1/s", true }, KNEE_METRICS
};
static const SuiteMetricDef endurance_metrics[] = { COMMON_METRICS,
                                                    { "p99_drift_pct", "%", false },
                                                    { "rss_drift_pct", "%", false } };

static const struct {
        const SuiteMetricDef *defs;
        size_t n;
} pattern_metrics[_STRESS_PATTERN_MAX] = {
        [STRESS_SPIKE] = { spike_metrics, ELEMENTSOF(spike_metrics) },
        [STRESS_SURGE] = { spike_metrics, ELEMENTSOF(spike_metrics) },
        [STRESS_GRADUAL] = { gradual_metrics, ELEMENTSOF(gradual_metrics) },
        [STRESS_BREAKPOINT] = { breakpoint_metrics, ELEMENTSOF(breakpoint_metrics) },
        [STRESS_ENDURANCE] = { endurance_metrics, ELEMENTSOF(endurance_metrics) },
};

#define STRESS_OPTIONS_MAX 32

typedef struct StressSpec {
        char *url;
        int pattern;
        char *names[STRESS_OPTIONS_MAX], *values[STRESS_OPTIONS_MAX]; /* as `skytune stress --NAME VALUE` */
        size_t n;
        int64_t timeout_ms, default_timeout_ms;
        int server_pid;    /* --server-pid (0: none), for rss_drift_pct */
        char *server_unit; /* --server-unit, or NULL */
} StressSpec;

/* A value as the command line spells it: a string as it is, a number in full. */
static char *option_text(const config_setting_t *m) {
        char *s = NULL;
        switch (config_setting_type(m)) {
        case CONFIG_TYPE_STRING: return strdup(config_setting_get_string(m));
        case CONFIG_TYPE_INT: return asprintf(&s, "%d", config_setting_get_int(m)) < 0 ? NULL : s;
        case CONFIG_TYPE_INT64: return asprintf(&s, "%lld", (long long) config_setting_get_int64(m)) < 0 ? NULL : s;
        case CONFIG_TYPE_FLOAT: return asprintf(&s, "%.15g", config_setting_get_float(m)) < 0 ? NULL : s;
        default: return strdup("");
        }
}

/* Options of skytune stress that are the benchmark's keys, not members of 'options'. */
static const char *const key_options[] = { "server-pid", "server-unit", "pattern", NULL };

static int unknown_option(const ConfRead *c, const config_setting_t *m, const char *name) {
        for (size_t i = 0; key_options[i]; i++)
                if (strcmp(name, key_options[i]) == 0)
                        return conf_fail(c, m,
                                         "'%s' is a key of the benchmark, beside 'url', not one of its 'options'"
                                         " (docs/bench.md)",
                                         config_setting_name(m));
        const char *names[64];
        size_t k = 0;
        for (; stress_option_info(k) && k < ELEMENTSOF(names); k++)
                names[k] = stress_option_info(k)->name;
        const char *near = nearest_name(name, names, k);
        return conf_fail(c, m,
                         "--%s is not one of skytune stress's pattern options, which 'options' takes%s%s%s (see"
                         " skytune stress --help)",
                         name, near ? ": did you mean '" : "", near ? near : "", near ? "'?" : "");
}

/* One member of 'options': its name with '_' as '-', checked by stress's own parser. */
static int stress_option(const ConfRead *c, const config_setting_t *m, StressConfig *cfg, StressSpec *ss) {
        if (ss->n >= STRESS_OPTIONS_MAX)
                return conf_fail(c, m, "more than %d options", STRESS_OPTIONS_MAX);
        char *name = strdup(config_setting_name(m)), *value = option_text(m);
        ss->names[ss->n] = name;
        ss->values[ss->n++] = value;
        if (!name || !value)
                return error_set(c->e, -ENOMEM, "out of memory");
        for (char *p = name; *p; p++)
                if (*p == '_')
                        *p = '-';
        if (config_setting_is_aggregate(m) || config_setting_type(m) == CONFIG_TYPE_BOOL || !*value)
                return conf_fail(c, m, "option '%s' takes a value: a number or a string such as \"30s\"", name);
        Error e = ERROR_NULL;
        int r = stress_config_set(cfg, name, value, &e);
        if (r == -ENOENT)
                r = unknown_option(c, m, name);
        else if (r < 0)
                r = conf_fail(c, m, "%s", error_message(&e));
        error_done(&e);
        return r;
}

/* The run's length as the schedule says (breakpoint: every step and a bisection), for the deadline. */
static double planned_s(const StressConfig *cfg) {
        const StressOptions *o = &cfg->o;
        switch (o->pattern) {
        case STRESS_SPIKE:
        case STRESS_SURGE: return o->before_s + (o->spike_s + o->after_s) * MAX(o->spikes, 1u);
        case STRESS_GRADUAL: return o->ramp_s;
        case STRESS_ENDURANCE: return o->hold_s;
        default: return o->step_s * (o->max_steps + 8.0 * (MAX(cfg->repeats, 1u) + 1));
        }
}

static int stress_options(const ConfRead *c, const config_setting_t *g, StressSpec *ss) {
        StressConfig cfg = { .o.pattern = (StressPattern) ss->pattern };
        const config_setting_t *opts = config_setting_get_member(g, "options");
        if (opts && !config_setting_is_group(opts))
                return conf_fail(c, opts,
                                 "'options' is a group of skytune stress's options: options = { rate = 100; "
                                 "factor = 4; spike = \"3s\"; };");
        for (int i = 0; opts && i < config_setting_length(opts); i++) {
                int r = stress_option(c, config_setting_get_elem(opts, (unsigned) i), &cfg, ss);
                if (r < 0)
                        return r;
        }
        stress_config_finish(&cfg);
        LoadPhase *phases = NULL;
        size_t n = 0;
        Error e = ERROR_NULL;
        int r = stress_phases(&cfg.o, &phases, &n, &e);
        free(phases);
        if (r >= 0)
                r = stress_config_judgeable(&cfg, &e);
        if (r < 0)
                r = conf_fail(c, opts ? opts : g, "%s (pattern %s)", error_message(&e),
                              stress_pattern_names[ss->pattern]);
        error_done(&e);
        ss->default_timeout_ms = (int64_t) (planned_s(&cfg) * 2000) + 30000;
        return r;
}

/* server_pid or server_unit: the server whose process tree stress samples (rss_drift_pct). */
static int stress_server(const ConfRead *c, const config_setting_t *g, StressSpec *ss) {
        double pid = 0;
        const config_setting_t *m = config_setting_get_member(g, "server_pid");
        int r = conf_number(c, g, "server_pid", 1, INT_MAX, &pid);
        if (r > 0 && pid != floor(pid))
                return conf_fail(c, m, "'server_pid' is %g: give the PID of the server's main process (a whole number)",
                                 pid);
        ss->server_pid = (int) pid;
        if (r >= 0)
                r = conf_string(c, g, "server_unit", &ss->server_unit);
        m = config_setting_get_member(g, "server_unit");
        if (r > 0 && !*ss->server_unit)
                return conf_fail(c, m, "'server_unit' is empty: give the systemd unit, e.g. \"nginx.service\"");
        if (r >= 0 && ss->server_pid > 0 && ss->server_unit)
                return conf_fail(c, m, "'server_pid' and 'server_unit' name the server twice: keep one");
        return r < 0 ? r : 0;
}

static int stress_parse(const ConfRead *c, const config_setting_t *g, void **ret) {
        StressSpec *ss = calloc(1, sizeof(StressSpec));
        if (!ss)
                return error_set(c->e, -ENOMEM, "out of memory");
        *ret = ss;
        int r = suite_conf_url(c, g, true, &ss->url);
        if (r >= 0 && !config_setting_get_member(g, "pattern"))
                return conf_fail(c, g, "a stress benchmark needs 'pattern = \"breakpoint\";' (%s, %s, %s, %s or %s)",
                                 stress_pattern_names[0], stress_pattern_names[1], stress_pattern_names[2],
                                 stress_pattern_names[3], stress_pattern_names[4]);
        if (r >= 0)
                r = conf_choice(c, g, "pattern", stress_pattern_names, _STRESS_PATTERN_MAX, &ss->pattern);
        if (r >= 0)
                r = conf_span_ms(c, g, "timeout", &ss->timeout_ms);
        if (r >= 0)
                r = stress_server(c, g, ss);
        return r < 0 ? r : stress_options(c, g, ss);
}

static void stress_metrics_of(const void *spec, const SuiteMetricDef **ret, size_t *ret_n) {
        const StressSpec *ss = spec;
        *ret = pattern_metrics[ss->pattern].defs;
        *ret_n = pattern_metrics[ss->pattern].n;
}

static json_t *stress_json(const void *spec) {
        const StressSpec *ss = spec;
        json_t *o = json_object();
        for (size_t i = 0; o && i < ss->n; i++)
                json_object_set_new(o, ss->names[i], json_string(ss->values[i]));
        /* server_pid is left out (of the config digest too): a restarted server has another. */
        return json_pack("{s:s, s:s, s:o?, s:f, s:s*}", "url", ss->url, "pattern", stress_pattern_names[ss->pattern],
                         "options", o, "timeout_s",
                         (double) (ss->timeout_ms > 0 ? ss->timeout_ms : ss->default_timeout_ms) / 1000, "server_unit",
                         ss->server_unit);
}

/* Over the spikes: the largest (sign 1) or smallest (-1) of member; NAN when a spike has none (one
 * that did not recover has no recovery_s). */
static double spikes_extreme(const json_t *doc, const char *member, int sign) {
        const json_t *spikes = json_object_get(json_object_get(doc, "stress"), "spikes");
        double best = NAN;
        for (size_t i = 0; i < json_array_size(spikes); i++) {
                double v = suite_json_num(json_array_get(spikes, i), member);
                if (isnan(v))
                        return NAN;
                if (isnan(best) || v * sign > best * sign)
                        best = v;
        }
        return best;
}

/* The pattern's own figures (after the N_COMMON ones), NAN when the run found none. */
static double figure(const json_t *doc, const char *name) {
        static const struct {
                const char *name, *path;
                double scale;
        } at[] = {
                { "knee_rps", "stress.knee.rate", 1 },
                { "knee_p99_ms", "stress.knee.p99_us", 1e-3 },
                { "last_good_rps", "stress.last_good", 1 },
                { "first_bad_rps", "stress.first_bad", 1 },
                { "p99_drift_pct", "stress.drift.p99_us.relative", 100 },
                { "rss_drift_pct", "stress.drift.server_rss_bytes.relative", 100 },
        };
        for (size_t i = 0; i < ELEMENTSOF(at); i++)
                if (strcmp(name, at[i].name) == 0) {
                        double v = suite_json_num(doc, at[i].path);
                        /* a rate of 0: the search found none (no bad step within --max-steps) */
                        return strstr(name, "_rps") && !(v > 0) ? NAN : v * at[i].scale;
                }
        if (strcmp(name, "recovery_s") == 0)
                return spikes_extreme(doc, "recovery_s", 1);
        if (strcmp(name, "peak_p99_ms") == 0)
                return spikes_extreme(doc, "peak_p99_us", 1) / 1000;
        return spikes_extreme(doc, "served_fraction", -1) * 100; /* served_pct */
}

static int stress_run(const void *spec, SuiteRepOut *out, const volatile sig_atomic_t *stop, Error *e) {
        const StressSpec *ss = spec;
        SuiteArgv a = {};
        suite_argv_add(&a, "/proc/self/exe");
        suite_argv_add(&a, "stress");
        suite_argv_add(&a, "--pattern");
        suite_argv_add(&a, stress_pattern_names[ss->pattern]);
        for (size_t i = 0; i < ss->n; i++) {
                suite_argv_addf(&a, "--%s", ss->names[i]);
                suite_argv_add(&a, ss->values[i]);
        }
        if (ss->server_pid > 0)
                suite_argv_addf(&a, "--server-pid=%d", ss->server_pid);
        if (ss->server_unit)
                suite_argv_addf(&a, "--server-unit=%s", ss->server_unit);
        suite_argv_add(&a, "--json");
        suite_argv_add(&a, "--");
        suite_argv_add(&a, ss->url);
        /* 4 (a spike did not recover) is a finding: its recovery_s is null. 1 (nothing answered) and
         * 5 (client-bound) measured the client or nothing. */
        const SuiteSelfRun how = {
                .timeout_ms = ss->timeout_ms > 0 ? ss->timeout_ms : ss->default_timeout_ms,
                .accept = 1u << 0 | 1u << 4,
                .why = { [1] = "nothing answered",
                         [2] = "a usage error: check the benchmark's options",
                         [5] = "client-bound: the client could not keep the schedule" },
                .schema = LOAD_SCHEMA,
        };
        json_t *doc;
        int r = suite_self_doc(&a, &how, stop, &doc, e);
        suite_argv_done(&a);
        const SuiteMetricDef *defs = pattern_metrics[ss->pattern].defs;
        if (r == 0)
                r = suite_doc_figures(doc, "stress", defs, common_at, N_COMMON, out->values, e);
        for (size_t i = N_COMMON; r == 0 && i < pattern_metrics[ss->pattern].n; i++)
                out->values[i] = figure(doc, defs[i].name);
        json_decref(doc);
        return r;
}

static void stress_free(void *spec) {
        StressSpec *ss = spec;
        free(ss->url);
        free(ss->server_unit);
        for (size_t i = 0; i < ss->n; i++) {
                free(ss->names[i]);
                free(ss->values[i]);
        }
        free(ss);
}

static const char *const stress_keys[] = { "url", "pattern", "options", "timeout", "server_pid", "server_unit" };

const SuiteKind suite_kind_stress = {
        .name = "stress",
        .summary =
                "one skytune stress run per repetition (rps, p99, and the pattern's: knee, capacity, recovery, drift)",
        .keys = stress_keys,
        .n_keys = ELEMENTSOF(stress_keys),
        .parse = stress_parse,
        .metrics = stress_metrics_of,
        .spec_json = stress_json,
        .run = stress_run,
        .spec_free = stress_free,
};
