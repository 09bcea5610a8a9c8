/* SPDX-License-Identifier: MIT */
/* One benchmark of a suite: its name and kind, the kind's own keys, repetitions and warm-up, the
 * metrics that matter (default: all the kind measures) and the gates over them. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "nearest.h"
#include "safe-text.h"
#include "suite-internal.h"

static const char *const bench_keys[] = { "name", "kind", "repetitions", "warmup", "metrics", "gates" };

int suite_conf_text(const ConfRead *c, const config_setting_t *g, const char *key, bool required, const char *example,
                    char **ret) {
        int r = conf_string(c, g, key, ret);
        if (r == 0 && required)
                return conf_fail(c, g, "this benchmark needs '%s = %s;'", key, example);
        if (r > 0 && (!**ret || !text_is_printable(*ret)))
                return conf_fail(c, config_setting_get_member(g, key), "'%s' must be printable text, not empty", key);
        return r;
}

static int parse_kind(const ConfRead *c, const config_setting_t *g, SuiteBench *b) {
        _cleanup_free_ char *kind = NULL;
        int r = suite_conf_text(c, g, "kind", true, "\"command\"", &kind);
        if (r < 0)
                return r;
        b->kind = suite_kind_find(kind);
        if (!b->kind) {
                const char *names[16];
                char list[256] = "";
                size_t n = MIN(suite_kinds_size, ELEMENTSOF(names));
                for (size_t i = 0; i < n; i++) {
                        names[i] = suite_kinds[i]->name;
                        strncat(list, i ? ", " : "", sizeof(list) - strlen(list) - 1);
                        strncat(list, names[i], sizeof(list) - strlen(list) - 1);
                }
                const char *near = nearest_name(kind, names, n);
                return conf_fail(c, config_setting_get_member(g, "kind"), "unknown kind '%s'%s%s%s (kinds: %s)", kind,
                                 near ? ": did you mean '" : "", near ? near : "", near ? "'?" : "", list);
        }
        const char *allowed[32];
        size_t n = 0;
        for (size_t i = 0; i < ELEMENTSOF(bench_keys); i++)
                allowed[n++] = bench_keys[i];
        for (size_t i = 0; i < b->kind->n_keys && n < ELEMENTSOF(allowed); i++)
                allowed[n++] = b->kind->keys[i];
        char what[64];
        snprintf(what, sizeof(what), "a benchmark of kind %s", b->kind->name);
        r = conf_keys(c, g, what, allowed, n);
        return r < 0 ? r : b->kind->parse(c, g, &b->spec);
}

static int add_metric(const ConfRead *c, const config_setting_t *at, SuiteBench *b, size_t ix,
                      const SuiteMetricDef *defs) {
        for (size_t k = 0; k < b->n_metrics; k++)
                if (b->metric_ix[k] == ix)
                        return conf_fail(c, at, "metric '%s' is named twice", defs[ix].name);
        b->metric_ix[b->n_metrics] = ix;
        b->metrics[b->n_metrics++] = &defs[ix];
        return 0;
}

static int parse_metrics(const ConfRead *c, const config_setting_t *g, SuiteBench *b) {
        const SuiteMetricDef *defs;
        size_t n_defs;
        b->kind->metrics(b->spec, &defs, &n_defs);
        const config_setting_t *list = config_setting_get_member(g, "metrics");
        if (list && (!config_setting_is_array(list) || config_setting_length(list) == 0))
                return conf_fail(c, list, "'metrics' is a list of names in brackets: metrics = [ \"%s\" ];",
                                 n_defs ? defs[0].name : "...");
        size_t n = list ? (size_t) config_setting_length(list) : n_defs;
        if (n > SUITE_METRICS_MAX)
                return conf_fail(c, list ? list : g, "%zu metrics: at most %d", n, SUITE_METRICS_MAX);
        b->metrics = calloc(MAX(n, 1u), sizeof(*b->metrics));
        b->metric_ix = calloc(MAX(n, 1u), sizeof(*b->metric_ix));
        if (!b->metrics || !b->metric_ix)
                return error_set(c->e, -ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
                if (!list) {
                        add_metric(c, g, b, i, defs);
                        continue;
                }
                const config_setting_t *m = config_setting_get_elem(list, (unsigned) i);
                const char *name = config_setting_get_string(m);
                if (!name)
                        return conf_fail(c, m, "a metric is a name in double quotes");
                int ix = suite_kind_metric(b->kind, b->spec, name);
                if (ix < 0) {
                        const char *names[SUITE_METRICS_MAX * 2];
                        size_t k;
                        for (k = 0; k < n_defs && k < ELEMENTSOF(names); k++)
                                names[k] = defs[k].name;
                        const char *near = nearest_name(name, names, k);
                        return conf_fail(c, m, "a %s benchmark has no metric '%s'%s%s%s (see docs/bench.md)",
                                         b->kind->name, name, near ? ": did you mean '" : "", near ? near : "",
                                         near ? "'?" : "");
                }
                int r = add_metric(c, m, b, (size_t) ix, defs);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_gate(const ConfRead *c, const config_setting_t *g, SuiteBench *b, SuiteGate *gate) {
        static const char *const keys[] = { "metric", "max_regression", "alpha" };
        if (!config_setting_is_group(g))
                return conf_fail(c, g, "a gate is a group: { metric = \"...\"; max_regression = 5.0; }");
        int r = conf_keys(c, g, "a gate", keys, ELEMENTSOF(keys));
        _cleanup_free_ char *metric = NULL;
        if (r >= 0)
                r = suite_conf_text(c, g, "metric", true, "\"NAME\" (one of the benchmark's metrics)", &metric);
        if (r < 0)
                return r;
        gate->line = conf_line(g);
        gate->metric = SIZE_MAX;
        for (size_t i = 0; i < b->n_metrics; i++)
                if (strcmp(b->metrics[i]->name, metric) == 0)
                        gate->metric = i;
        if (gate->metric == SIZE_MAX)
                return conf_fail(c, config_setting_get_member(g, "metric"),
                                 "the gate's metric '%s' is not among the "
                                 "benchmark's metrics: add it to 'metrics' or name one of them",
                                 metric);
        double pct = NAN;
        if ((r = conf_number(c, g, "max_regression", 0, 1000, &pct)) < 0)
                return r;
        if (r == 0)
                return conf_fail(c, g, "a gate needs 'max_regression = PERCENT;' (how much worse the metric may get)");
        gate->max_regression = pct / 100;
        gate->alpha = 0.05;
        return conf_number(c, g, "alpha", 1e-6, 0.5, &gate->alpha);
}

static int parse_gates(const ConfRead *c, const config_setting_t *g, SuiteBench *b) {
        const config_setting_t *list = config_setting_get_member(g, "gates");
        if (!list)
                return 0;
        if (!config_setting_is_list(list))
                return conf_fail(
                        c, list,
                        "'gates' is a list of groups: gates = ( { metric = \"...\"; max_regression = 5.0; } );");
        int n = config_setting_length(list);
        if (n > SUITE_METRICS_MAX)
                return conf_fail(c, list, "%d gates: at most %d", n, SUITE_METRICS_MAX);
        b->gates = calloc((size_t) MAX(n, 1), sizeof(SuiteGate));
        if (!b->gates)
                return error_set(c->e, -ENOMEM, "out of memory");
        for (int i = 0; i < n; i++) {
                int r = parse_gate(c, config_setting_get_elem(list, (unsigned) i), b, &b->gates[i]);
                if (r < 0)
                        return r;
                /* two gates on one metric: only one could be written to the run, so say which */
                for (size_t k = 0; k < b->n_gates; k++)
                        if (b->gates[k].metric == b->gates[i].metric)
                                return conf_fail(c, config_setting_get_elem(list, (unsigned) i),
                                                 "a second gate on metric '%s' (the first is at line %u): "
                                                 "give one gate per metric",
                                                 b->metrics[b->gates[i].metric]->name, b->gates[k].line);
                b->n_gates++;
        }
        return 0;
}

int suite_parse_bench(const ConfRead *c, const config_setting_t *g, const SuiteDefaults *d, SuiteBench *b) {
        b->line = conf_line(g);
        if (!config_setting_is_group(g))
                return conf_fail(c, g, "a benchmark is a group in braces: { name = \"...\"; kind = \"command\"; ... }");
        int r = suite_conf_text(c, g, "name", true, "\"NAME\"", &b->name);
        if (r >= 0 &&
            strspn(b->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") != strlen(b->name))
                return conf_fail(c, config_setting_get_member(g, "name"),
                                 "benchmark name '%s': use letters, digits, "
                                 "'_', '-' and '.'",
                                 b->name);
        if (r >= 0)
                r = parse_kind(c, g, b);
        SuiteDefaults own = *d;
        if (r >= 0)
                r = suite_parse_counts(c, g, &own);
        b->repetitions = own.repetitions;
        b->warmup = own.warmup;
        if (r >= 0)
                r = parse_metrics(c, g, b);
        return r < 0 ? r : parse_gates(c, g, b);
}
