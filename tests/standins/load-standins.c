/* SPDX-License-Identifier: MIT */
/* Minimal stand-ins for the scenario branch's load/scenario.c and load/threshold.c, so that this
 * branch builds and its tests run before they are merged (then this folder goes). Only what
 * the runner and `skytune load` on the command line need: thresholds `METRIC OP VALUE[UNIT] [for D]
 * [abort]`; no scenario files. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "scenario.h"

const char *const load_phase_kind_names[_LOAD_PHASE_MAX] = { "ramp", "hold", "step", "spike" };

const ThresholdMetricInfo threshold_metrics[_THRESHOLD_METRIC_MAX] = {
        { "p50", "us" }, { "p90", "us" }, { "p95", "us" }, { "p99", "us" }, { "p99.9", "us" }, { "max", "us" },
        { "mean", "us" }, { "error_rate", "fraction" }, { "success_rate", "fraction" }, { "rps", "1/s" },
        { "ok_rps", "1/s" }, { "sent_rps", "1/s" }, { "lateness_p99", "us" },
};

static double unit_scale(ThresholdMetric m, const char *u) {
        bool time = m <= THRESHOLD_MEAN || m == THRESHOLD_LATENESS_P99;
        if (time)
                return !*u || !strcmp(u, "ms") ? 1000 : !strcmp(u, "us") ? 1 : !strcmp(u, "s") ? 1e6 : NAN;
        if (m == THRESHOLD_ERROR_RATE || m == THRESHOLD_SUCCESS_RATE)
                return !*u ? 1 : !strcmp(u, "%") ? 0.01 : NAN;
        return !*u ? 1 : NAN;
}

int threshold_parse(const char *text, const char *file, unsigned line, Threshold *ret, Error *e) {
        static const char *const ops[_THRESHOLD_OP_MAX] = { "<", "<=", ">", ">=" };
        char metric[32], op[4], unit[8] = "", rest[64] = "";
        double v;
        int n = 0;
        *ret = (Threshold) { .line = line };
        if (sscanf(text, " %31[a-z0-9_.] %3[<>=] %lf%n", metric, op, &v, &n) != 3)
                goto bad;
        const char *p = text + n;
        int k = 0;
        if (sscanf(p, "%7[a-z%]%n", unit, &k) == 1)
                p += k;
        ret->metric = _THRESHOLD_METRIC_MAX;
        for (size_t i = 0; i < _THRESHOLD_METRIC_MAX; i++)
                if (!strcmp(metric, threshold_metrics[i].name))
                        ret->metric = (ThresholdMetric) i;
        ret->op = _THRESHOLD_OP_MAX;
        for (size_t i = 0; i < _THRESHOLD_OP_MAX; i++)
                if (!strcmp(op, ops[i]))
                        ret->op = (ThresholdOp) i;
        if (ret->metric == _THRESHOLD_METRIC_MAX || ret->op == _THRESHOLD_OP_MAX)
                goto bad;
        double scale = unit_scale(ret->metric, unit);
        if (isnan(scale))
                goto bad;
        ret->value = v * scale;
        double d;
        if (sscanf(p, " for %lf%7[a-z]%n", &d, unit, &k) >= 1) {
                ret->for_s = strstr(p, "ms") ? d / 1000 : d;
                p = strstr(p, "for") + 3;
                while (*p == ' ' || (*p >= '0' && *p <= '9') || *p == '.' || (*p >= 'a' && *p <= 'z' && *p != 'a'))
                        p++;
        }
        if (sscanf(p, " %63s", rest) == 1) {
                if (strcmp(rest, "abort"))
                        goto bad;
                ret->abort = true;
        }
        ret->text = strdup(text);
        return ret->text ? 0 : -ENOMEM;
bad:
        return error_set_input(e, -EINVAL, file, line, "threshold '%s': write METRIC OP VALUE[UNIT] [for D] [abort], "
                               "as in 'p99 < 500ms' or 'error_rate < 1%%'", text);
}

void threshold_done(Threshold *t) {
        free(t->text);
        t->text = NULL;
}

bool threshold_holds(const Threshold *t, double v) {
        if (isnan(v))
                return false;
        switch (t->op) {
        case THRESHOLD_LT:
                return v < t->value;
        case THRESHOLD_LE:
                return v <= t->value;
        case THRESHOLD_GT:
                return v > t->value;
        default:
                return v >= t->value;
        }
}

static void step_free(LoadStep *st) {
        free(st->name);
        free(st->url);
        for (size_t i = 0; i < st->n_phases; i++)
                if (st->phases[i].until) {
                        threshold_done(st->phases[i].until);
                        free(st->phases[i].until);
                }
        free(st->phases);
        for (size_t i = 0; i < st->n_endpoints; i++) {
                LoadEndpoint *ep = &st->endpoints[i];
                free(ep->name);
                free(ep->method);
                free(ep->path);
                free(ep->body);
                free(ep->body_file);
                for (size_t k = 0; k < ep->n_headers; k++) {
                        free(ep->headers[k].name);
                        free(ep->headers[k].value);
                        free(ep->headers[k].source);
                }
                free(ep->headers);
        }
        free(st->endpoints);
        for (size_t i = 0; i < st->n_thresholds; i++)
                threshold_done(&st->thresholds[i]);
        free(st->thresholds);
}

Scenario *scenario_free(Scenario *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n_steps; i++)
                step_free(&s->steps[i]);
        free(s->steps);
        for (size_t i = 0; i < s->n_thresholds; i++)
                threshold_done(&s->thresholds[i]);
        free(s->thresholds);
        free(s->name);
        free(s->file);
        free(s->cacert);
        free(s);
        return NULL;
}

char *scenario_header_display(const LoadHeader *h) {
        char *s;
        int r = h->source ? asprintf(&s, "%s: <secret from %s>", h->name, h->source)
                          : asprintf(&s, "%s: %s", h->name, h->value);
        return r < 0 ? NULL : s;
}

double scenario_step_planned_s(const LoadStep *st) {
        double t = 0;
        for (size_t i = 0; i < st->n_phases; i++)
                t += st->phases[i].duration_s *
                     (st->phases[i].kind == LOAD_PHASE_STEP ? (st->phases[i].max_steps ? st->phases[i].max_steps : 1000) : 1);
        return t;
}

int scenario_load_file(const char *path, Scenario **ret, Error *e) {
        *ret = NULL;
        return error_set_input(e, -EOPNOTSUPP, path, 0, "scenario files are read by load/scenario-parse.c, which "
                               "this build lacks");
}
