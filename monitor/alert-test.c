/* SPDX-License-Identifier: MIT */
/* Rule tests (alert-test.h). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <libconfig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert-state.h"
#include "alert-test.h"
#include "conf-read.h"
#include "fileio.h"
#include "macro.h"

#define TEST_DOC          "docs/monitor.md"
#define SAMPLES_MAX       1000000 /* a series' samples, and the evaluations of a run */
#define SAMPLES_TOTAL_MAX 4000000 /* all series' samples together: 32 MB */

typedef struct TestSeries {
        char *name;
        double *v; /* NAN: no data */
        size_t n, cap;
} TestSeries;

typedef struct Expect {
        unsigned line;
        int64_t at_ms;
        size_t rule;
        AlertPhase state;
        int level; /* AlertLevel, or -1: any */
} Expect;

struct AlertTest {
        char *file;
        int64_t interval_ms;
        size_t samples; /* over all series */
        TestSeries *series;
        size_t n_series;
        Expect *expect;
        size_t n_expect;
};

AlertTest *alert_test_free(AlertTest *t) {
        if (!t)
                return NULL;
        for (size_t i = 0; i < t->n_series; i++) {
                free(t->series[i].name);
                free(t->series[i].v);
        }
        free(t->series);
        free(t->expect);
        free(t->file);
        free(t);
        return NULL;
}

size_t alert_test_expectations(const AlertTest *t) {
        return t->n_expect;
}

static int push(AlertTest *t, TestSeries *s, double v) {
        if (s->n == SAMPLES_MAX || t->samples == SAMPLES_TOTAL_MAX)
                return -E2BIG;
        if (!isnan(v) && !isfinite(v))
                return -ERANGE;
        if (s->n == s->cap) {
                size_t cap = s->cap ? 2 * s->cap : 16;
                double *n = realloc(s->v, cap * sizeof(double));
                if (!n)
                        return -ENOMEM;
                s->v = n;
                s->cap = cap;
        }
        s->v[s->n++] = v;
        t->samples++;
        return 0;
}

/* A decimal number that is all of text[0..len) (no hex: "0x300" is 0 repeated 300 times). */
static bool number(const char *text, size_t len, double *ret) {
        char buf[64];
        if (len == 0 || len >= sizeof(buf) || memchr(text, 'x', len) || memchr(text, 'X', len))
                return false;
        memcpy(buf, text, len);
        buf[len] = '\0';
        char *end;
        errno = 0;
        *ret = strtod(buf, &end);
        return *end == '\0' && !errno && isfinite(*ret);
}

/* One token of values: "V", "VxN", "V+DxN", "V-DxN", "_", "_xN". */
static int token(AlertTest *t, const char *tok, TestSeries *s) {
        const char *x = strchr(tok, 'x');
        size_t head = x ? (size_t) (x - tok) : strlen(tok);
        unsigned long long n = 1;
        if (x) {
                char *end;
                errno = 0;
                n = strtoull(x + 1, &end, 10);
                if (!isdigit((unsigned char) x[1]) || *end || n == 0)
                        return -EINVAL;
                if (errno || n > SAMPLES_MAX)
                        return -E2BIG;
        }
        double v = NAN, d = 0;
        if (!(head == 1 && tok[0] == '_')) {
                /* The step's sign: a '+' or '-' after the first character that does not follow an exponent. */
                size_t k = 1;
                while (k < head && !((tok[k] == '+' || tok[k] == '-') && tok[k - 1] != 'e' && tok[k - 1] != 'E'))
                        k++;
                if (!number(tok, k, &v) || (k < head && (!x || !number(tok + k, head - k, &d))))
                        return -EINVAL;
        }
        for (unsigned long long i = 0; i < n; i++) {
                int r = push(t, s, isnan(v) ? NAN : v + d * (double) i);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Whether some rule reads path. */
static bool read_by_rules(const AlertRules *rules, const char *path) {
        for (size_t i = 0; i < rules->n; i++)
                for (size_t k = 0; k < rules->rules[i].n_paths; k++)
                        if (strcmp(rules->rules[i].paths[k], path) == 0)
                                return true;
        return false;
}

static int read_series(const ConfRead *c, const config_setting_t *g, const AlertRules *rules, AlertTest *t,
                       TestSeries *s) {
        static const char *const keys[] = { "name", "values" };
        int k = conf_keys(c, g, "a series", keys, 2);
        if (k >= 0 && (k = conf_string(c, g, "name", &s->name)) == 0)
                return conf_fail(c, g, "a series needs a 'name' (\"cpu.utilization_pct\")");
        _cleanup_free_ char *values = NULL;
        if (k >= 0 && (k = conf_string(c, g, "values", &values)) == 0)
                return conf_fail(c, g, "series '%s' needs 'values' (\"50x60 97x300 _x10\")", s->name);
        if (k < 0)
                return k;
        if (!read_by_rules(rules, s->name))
                return conf_fail(c, config_setting_get_member(g, "name"), "no rule given reads '%s' (a typo?)",
                                 s->name);
        for (size_t i = 0; &t->series[i] != s; i++)
                if (strcmp(t->series[i].name, s->name) == 0)
                        return conf_fail(c, g, "a second series named '%s'", s->name);
        static const char space[] = " \t\n\r\f\v";
        for (char *save = NULL, *tok = strtok_r(values, space, &save); tok; tok = strtok_r(NULL, space, &save)) {
                k = token(t, tok, s);
                if (k == -ENOMEM)
                        return error_set(c->e, k, "out of memory");
                if (k < 0)
                        return conf_fail(c, config_setting_get_member(g, "values"),
                                         "'%s' in the values of %s: write V, VxN, V+DxN, V-DxN, _ or _xN (N samples)%s",
                                         tok, s->name,
                                         k == -E2BIG ? ": more than a million samples in a series, or 4 million in all"
                                                 : k == -ERANGE ? ": a value past the range of numbers"
                                                                : "");
        }
        return s->n > 0 ? 0 : conf_fail(c, g, "series '%s' has no values", s->name);
}

static int read_expect(const ConfRead *c, const config_setting_t *g, const AlertRules *rules, int64_t interval,
                       Expect *x) {
        static const char *const keys[] = { "at", "alert", "state", "level" };
        static const char *const states[] = { "inactive", "pending", "firing", "resolved" };
        static const char *const levels[] = { "none", "warn", "crit" };
        _cleanup_free_ char *alert = NULL;
        int state = -1, k = conf_keys(c, g, "an expectation", keys, 4);
        x->line = conf_line(g);
        x->level = -1;
        x->at_ms = -1;
        if (k >= 0)
                k = conf_span_ms(c, g, "at", &x->at_ms);
        if (k >= 0)
                k = conf_string(c, g, "alert", &alert);
        if (k >= 0)
                k = conf_choice(c, g, "state", states, 4, &state);
        if (k >= 0)
                k = conf_choice(c, g, "level", levels, 3, &x->level);
        if (k < 0)
                return k;
        if (x->at_ms < 0 || !alert || state < 0)
                return conf_fail(c, g,
                                 "an expectation needs 'at', 'alert' and 'state': { at = \"5m\"; alert = "
                                 "\"HostCPUBusy\"; state = \"firing\"; }");
        if (x->at_ms / interval >= SAMPLES_MAX)
                return conf_fail(c, config_setting_get_member(g, "at"),
                                 "'at' is more than a million intervals in: "
                                 "a longer interval, or a shorter test");
        if (x->at_ms % interval)
                return conf_fail(c, config_setting_get_member(g, "at"),
                                 "'at' must be a multiple of the interval (%g s)", (double) interval / 1000);
        x->state = (AlertPhase) state;
        for (x->rule = 0; x->rule < rules->n && strcmp(rules->rules[x->rule].name, alert) != 0; x->rule++)
                ;
        if (x->rule == rules->n)
                return conf_fail(c, config_setting_get_member(g, "alert"), "no rule named '%s' in the rules given",
                                 alert);
        return 0;
}

static int read_lists(const ConfRead *c, const config_setting_t *root, const AlertRules *rules, AlertTest *t) {
        const config_setting_t *series = config_setting_get_member(root, "series"),
                               *expect = config_setting_get_member(root, "expect");
        if (!series || !config_setting_is_list(series) || !expect || !config_setting_is_list(expect))
                return conf_fail(c,
                                 series && !config_setting_is_list(series) ? series
                                         : expect                          ? expect
                                                                           : root,
                                 "a rule test holds 'series = ( { name = ...; values = ...; }, ... );' and "
                                 "'expect = ( { at = ...; alert = ...; state = ...; }, ... );'");
        int ns = config_setting_length(series), ne = config_setting_length(expect);
        if (ns > 256 || ne > 10000 || ne == 0)
                return conf_fail(c, ne == 0 || ne > 10000 ? expect : series, "%s",
                                 ne == 0 ? "no expectations: a test expects something"
                                         : "at most 256 series and 10000 expectations");
        t->series = calloc((size_t) ns + 1, sizeof(TestSeries));
        t->expect = calloc((size_t) ne + 1, sizeof(Expect));
        if (!t->series || !t->expect)
                return error_set(c->e, -ENOMEM, "out of memory");
        int k = 0;
        for (int i = 0; k >= 0 && i < ns; i++) {
                const config_setting_t *g = config_setting_get_elem(series, (unsigned) i);
                t->n_series++;
                k = config_setting_is_group(g)
                        ? read_series(c, g, rules, t, &t->series[i])
                        : conf_fail(c, g, "each series is a group { name = ...; values = ...; }");
        }
        for (int i = 0; k >= 0 && i < ne; i++) {
                const config_setting_t *g = config_setting_get_elem(expect, (unsigned) i);
                t->n_expect++;
                k = config_setting_is_group(g) ? read_expect(c, g, rules, t->interval_ms, &t->expect[i])
                                               : conf_fail(c, g, "each expectation is a group { at = ...; ... }");
        }
        return k;
}

static int by_at(const void *a, const void *b) {
        const Expect *x = a, *y = b;
        if (x->at_ms != y->at_ms)
                return (x->at_ms > y->at_ms) - (x->at_ms < y->at_ms);
        return (x->line > y->line) - (x->line < y->line);
}

int alert_test_load(const char *path, const AlertRules *rules, AlertTest **ret, Error *e) {
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r = fileio_read_regular(path, 4u << 20, &text, &len);
        if (r < 0)
                return error_set(e, r, "cannot read the rule test %s: %s", path, strerror(-r));
        ConfRead c = { .file = path, .doc = TEST_DOC, .e = e };
        AlertTest *t = calloc(1, sizeof(*t));
        if (!t || !(t->file = strdup(path))) {
                alert_test_free(t);
                return error_set(e, -ENOMEM, "out of memory");
        }
        t->interval_ms = 1000;
        config_t cfg;
        config_init(&cfg);
        static const char *const keys[] = { "interval", "series", "expect" };
        const config_setting_t *root = NULL;
        r = conf_parse_text(&c, &cfg, text, len);
        if (r >= 0 && (r = conf_keys(&c, root = config_root_setting(&cfg), "a rule test", keys, 3)) >= 0)
                r = conf_span_ms(&c, root, "interval", &t->interval_ms);
        if (r >= 0 && t->interval_ms <= 0)
                r = conf_fail(&c, config_setting_get_member(root, "interval"), "'interval' must be more than 0");
        if (r >= 0)
                r = read_lists(&c, root, rules, t);
        config_destroy(&cfg);
        if (r < 0) {
                alert_test_free(t);
                return r;
        }
        /* In time order (by line for equal times), so that a run walks them once. */
        qsort(t->expect, t->n_expect, sizeof(Expect), by_at);
        *ret = t;
        return 0;
}

typedef struct Sample {
        const AlertTest *t;
        size_t k;
        json_t *values[ALERT_RULE_SERIES_MAX];
        const AlertRule *rule;
} Sample;

static json_t *sample_lookup(const char *path, void *userdata) {
        Sample *s = userdata;
        size_t p = 0;
        while (p < s->rule->n_paths && strcmp(s->rule->paths[p], path) != 0)
                p++;
        for (size_t i = 0; p < s->rule->n_paths && i < s->t->n_series; i++) {
                const TestSeries *ts = &s->t->series[i];
                if (strcmp(ts->name, path) != 0 || s->k >= ts->n || isnan(ts->v[s->k]))
                        continue;
                if (!s->values[p])
                        s->values[p] = json_real(ts->v[s->k]);
                return s->values[p];
        }
        return NULL;
}

int64_t alert_test_steps(const AlertTest *t) {
        size_t n = 0;
        for (size_t i = 0; i < t->n_series; i++)
                n = MAX(n, t->series[i].n);
        int64_t k = (int64_t) n;
        for (size_t i = 0; i < t->n_expect; i++)
                k = MAX(k, t->expect[i].at_ms / t->interval_ms + 1);
        return k;
}

int alert_test_run(const AlertTest *t, const AlertRules *rules, alert_test_fail_fn fail, void *userdata) {
        AlertState *st = calloc(rules->n + 1, sizeof(AlertState));
        if (!st)
                return -ENOMEM;
        for (size_t i = 0; i < rules->n; i++)
                alert_state_init(&st[i]);
        int failed = 0;
        size_t next = 0; /* the expectations are sorted by time (alert_test_load) */
        for (int64_t k = 0, n = alert_test_steps(t); k < n; k++) {
                int64_t now = k * t->interval_ms;
                for (size_t i = 0; i < rules->n; i++) {
                        Sample s = { .t = t, .k = (size_t) k, .rule = &rules->rules[i] };
                        double v = NAN;
                        bool have = cond_number(rules->rules[i].expr, NULL, sample_lookup, &s, &v) == 0;
                        for (size_t p = 0; p < ELEMENTSOF(s.values); p++)
                                json_decref(s.values[p]);
                        (void) alert_state_step(&rules->rules[i], &st[i], now, have, v);
                }
                for (; next < t->n_expect && t->expect[next].at_ms == now; next++) {
                        const Expect *e = &t->expect[next];
                        const AlertState *a = &st[e->rule];
                        if (a->phase == e->state && (e->level < 0 || (int) a->level == e->level))
                                continue;
                        char msg[300];
                        char at[32];
                        if (now % 1000)
                                snprintf(at, sizeof(at), "%.3fs", (double) now / 1000);
                        else
                                snprintf(at, sizeof(at), "%" PRId64 "s", now / 1000);
                        snprintf(msg, sizeof(msg), "at %s %s is %s (%s), want %s%s%s%s", at, rules->rules[e->rule].name,
                                 alert_phase_name(a->phase), alert_level_name(a->level), alert_phase_name(e->state),
                                 e->level >= 0 ? " (" : "",
                                 e->level >= 0 ? alert_level_name((AlertLevel) e->level) : "",
                                 e->level >= 0 ? ")" : "");
                        fail(t->file, e->line, msg, userdata);
                        failed++;
                }
        }
        free(st);
        return failed;
}
