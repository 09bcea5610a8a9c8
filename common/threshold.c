/* SPDX-License-Identifier: MIT */
/* Thresholds: `METRIC OP VALUE[UNIT] [for DURATION] [abort]` (threshold.h), read with a small
 * tokenizer so that every mistake gets its own message. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json-util.h"
#include "macro.h"
#include "nearest.h"
#include "threshold.h"

const ThresholdMetricInfo threshold_metrics[_THRESHOLD_METRIC_MAX] = {
        [THRESHOLD_P50] = { "p50", "us" },
        [THRESHOLD_P90] = { "p90", "us" },
        [THRESHOLD_P95] = { "p95", "us" },
        [THRESHOLD_P99] = { "p99", "us" },
        [THRESHOLD_P999] = { "p99.9", "us" },
        [THRESHOLD_MAX] = { "max", "us" },
        [THRESHOLD_MEAN] = { "mean", "us" },
        [THRESHOLD_ERROR_RATE] = { "error_rate", "fraction" },
        [THRESHOLD_SUCCESS_RATE] = { "success_rate", "fraction" },
        [THRESHOLD_RPS] = { "rps", "1/s" },
        [THRESHOLD_OK_RPS] = { "ok_rps", "1/s" },
        [THRESHOLD_SENT_RPS] = { "sent_rps", "1/s" },
        [THRESHOLD_LATENESS_P99] = { "lateness_p99", "us" },
};

static const char *const op_names[_THRESHOLD_OP_MAX] = { "<", "<=", ">", ">=" };

#define USAGE "write METRIC OP VALUE[UNIT] [for DURATION] [abort], as in 'p99 < 500ms' or 'error_rate < 1%%'"

bool threshold_metric_is_time(ThresholdMetric m) {
        return m >= 0 && m < _THRESHOLD_METRIC_MAX && strcmp(threshold_metrics[m].unit, "us") == 0;
}

/* "p(99)" and "p(99.9)" (k6's spelling) as "p99", "p99.9"; "avg" as "mean"; "tps" as "ok_rps";
 * "errors_pct" as "error_rate" with *percent set (a plain number is a percentage). */
static void canonical(const char *word, char *buf, size_t len, bool *percent) {
        size_t n = strlen(word);
        *percent = strcmp(word, "errors_pct") == 0;
        if (n > 3 && word[0] == 'p' && word[1] == '(' && word[n - 1] == ')')
                snprintf(buf, len, "p%.*s", (int) (n - 3), word + 2);
        else
                snprintf(buf, len, "%s", strcmp(word, "avg") == 0 ? "mean" : strcmp(word, "tps") == 0 ? "ok_rps"
                                         : *percent ? "error_rate" : word);
}

static int parse_metric(const char *word, ThresholdMetric *ret, bool *percent, const char *file, unsigned line,
                        const char *text, Error *e) {
        char name[32];
        canonical(word, name, sizeof(name), percent);
        const char *names[_THRESHOLD_METRIC_MAX];
        for (size_t i = 0; i < _THRESHOLD_METRIC_MAX; i++) {
                names[i] = threshold_metrics[i].name;
                if (strcmp(name, names[i]) == 0) {
                        *ret = (ThresholdMetric) i;
                        return 0;
                }
        }
        const char *near = nearest_name(name, names, _THRESHOLD_METRIC_MAX);
        return error_set_input(e, -EINVAL, file, line, "threshold '%s': unknown metric '%s'%s%s%s (one of p50 p90 p95 "
                               "p99 p99.9 max mean error_rate success_rate rps ok_rps sent_rps lateness_p99, or tps, errors_pct)", text, word,
                               near ? ", did you mean '" : "", strempty(near), near ? "'?" : "");
}

/* VALUE[UNIT] in the metric's base unit. */
static int parse_value(const char *word, ThresholdMetric m, bool percent, double *ret, const char *file, unsigned line,
                       const char *text, Error *e) {
        char *end;
        double v = strtod(word, &end);
        if (end == word || !isfinite(v) || v < 0)
                return error_set_input(e, -EINVAL, file, line, "threshold '%s': '%s' is not a number: %s", text, word, USAGE);
        const char *u = end;
        double scale = NAN;
        if (threshold_metric_is_time(m))
                scale = !*u || !strcmp(u, "ms") ? 1e3 : !strcmp(u, "us") ? 1 : !strcmp(u, "s") ? 1e6 : NAN;
        else if (m == THRESHOLD_ERROR_RATE || m == THRESHOLD_SUCCESS_RATE)
                scale = !*u ? (percent ? 0.01 : v <= 1 ? 1 : NAN) : !strcmp(u, "%") ? 0.01 : NAN;
        else
                scale = !*u || !strcmp(u, "/s") ? 1 : NAN;
        if (isnan(scale))
                return error_set_input(e, -EINVAL, file, line, "threshold '%s': '%s' is no value for %s: give %s", text, word,
                                       threshold_metrics[m].name,
                                       threshold_metric_is_time(m) ? "a time such as 500ms, 250us or 2s" :
                                       m == THRESHOLD_ERROR_RATE || m == THRESHOLD_SUCCESS_RATE ? "a percentage (1%) or a "
                                       "fraction from 0 to 1" : "requests per second (a plain number)");
        *ret = v * scale;
        return 0;
}

static int parse_duration(const char *word, double *ret) {
        char *end;
        double v = strtod(word, &end);
        if (end == word || !isfinite(v) || v <= 0)
                return -EINVAL;
        double scale = !*end || !strcmp(end, "s") ? 1 : !strcmp(end, "ms") ? 1e-3 : !strcmp(end, "m") ? 60 :
                       !strcmp(end, "h") ? 3600 : NAN;
        if (isnan(scale))
                return -EINVAL;
        *ret = v * scale;
        return 0;
}

/* Splits text into words; an operator is its own word even without spaces ("p99<500ms"). */
static size_t tokenize(const char *text, char words[][32], size_t max) {
        size_t n = 0;
        const char *p = text;
        while (*p && n < max) {
                p += strspn(p, " \t");
                if (!*p)
                        break;
                size_t len = strchr("<>=", *p) ? strspn(p, "<>=") : strcspn(p, " \t<>=");
                snprintf(words[n++], 32, "%.*s", (int) MIN(len, 31u), p);
                if (len > 31)
                        words[n - 1][0] = '\0';     /* too long to be any word of the grammar */
                p += len;
        }
        return *p ? max + 1 : n;
}

int threshold_parse(const char *text, const char *file, unsigned line, Threshold *ret, Error *e) {
        *ret = (Threshold) { .line = line };
        char w[7][32];
        size_t n = tokenize(text, w, ELEMENTSOF(w));
        if (n < 3 || n > ELEMENTSOF(w))
                return error_set_input(e, -EINVAL, file, line, "threshold '%s': %s", text, USAGE);
        bool percent = false;
        int r = parse_metric(w[0], &ret->metric, &percent, file, line, text, e);
        if (r < 0)
                return r;
        ret->op = _THRESHOLD_OP_MAX;
        for (size_t i = 0; i < _THRESHOLD_OP_MAX; i++)
                if (strcmp(w[1], op_names[i]) == 0)
                        ret->op = (ThresholdOp) i;
        if (ret->op == _THRESHOLD_OP_MAX)
                return error_set_input(e, -EINVAL, file, line, "threshold '%s': '%s' is no comparison: use <, <=, > or >=",
                                       text, w[1]);
        r = parse_value(w[2], ret->metric, percent, &ret->value, file, line, text, e);
        if (r < 0)
                return r;
        size_t i = 3;
        if (i < n && strcmp(w[i], "for") == 0) {
                if (i + 1 >= n || parse_duration(w[i + 1], &ret->for_s) < 0)
                        return error_set_input(e, -EINVAL, file, line, "threshold '%s': 'for' needs a duration such as 10s, "
                                               "500ms or 2m", text);
                i += 2;
        }
        if (i < n && strcmp(w[i], "abort") == 0) {
                ret->abort = true;
                i++;
        }
        if (i < n)
                return error_set_input(e, -EINVAL, file, line, "threshold '%s': '%s' is not understood here: %s", text, w[i],
                                       USAGE);
        ret->text = strdup(text);
        return ret->text ? 0 : error_set(e, -ENOMEM, "out of memory");
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

bool threshold_streak(const Threshold *t, double v, double start_s, double end_s, double *broken_since_s,
                      double *failed_at_s) {
        if (isnan(v) && t->metric <= THRESHOLD_MEAN)     /* the latencies of answered requests */
                return false;
        if (threshold_holds(t, v)) {
                *broken_since_s = NAN;
                return false;
        }
        if (isnan(*broken_since_s))
                *broken_since_s = start_s;
        if (end_s - *broken_since_s < t->for_s - 1e-6)
                return false;
        *failed_at_s = end_s;
        return true;
}

const char *threshold_op_name(ThresholdOp op) {
        return op >= 0 && op < _THRESHOLD_OP_MAX ? op_names[op] : "?";
}

json_t *threshold_result_json(const Threshold *t, bool passed, double observed, double failed_at_s) {
        json_t *o = json_object();
        if (!o)
                return NULL;
        json_object_set_new(o, "text", json_string(t->text));
        json_object_set_new(o, "metric", json_string(threshold_metrics[t->metric].name));
        json_object_set_new(o, "op", json_string(threshold_op_name(t->op)));
        json_object_set_new(o, "value", json_num(t->value));
        json_object_set_new(o, "unit", json_string(threshold_metrics[t->metric].unit));
        json_object_set_new(o, "for_s", json_num(t->for_s));
        json_object_set_new(o, "abort", json_boolean(t->abort));
        json_object_set_new(o, "passed", json_boolean(passed));
        json_object_set_new(o, "observed", json_num(observed));
        json_object_set_new(o, "failed_at_s", json_num(failed_at_s));
        return o;
}
