/* SPDX-License-Identifier: MIT */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finding-table.h"
#include "safe-text.h"
#include "series-table.h"
#include "series.h"

struct Report {
        json_t *host;
        json_t *resources;
        json_t *findings;
        json_t *tunables;
        char *rates_hint;
        const SeriesTable *series;
        unsigned collector;
        bool streamed;          /* the collector's series are written */
};

int report_new(Report **ret) {
        Report *r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        r->host = json_object();
        r->resources = json_object();
        r->findings = json_array();
        r->tunables = json_object();
        if (!r->host || !r->resources || !r->findings || !r->tunables) {
                report_free(r);
                return -ENOMEM;
        }
        *ret = r;
        return 0;
}

Report *report_free(Report *r) {
        if (!r)
                return NULL;
        json_decref(r->host);
        json_decref(r->resources);
        json_decref(r->findings);
        json_decref(r->tunables);
        free(r->rates_hint);
        free(r);
        return NULL;
}

json_t *report_host(Report *r) {
        return r->host;
}

/* The object at parent.<name>, created when missing. */
static json_t *child(json_t *parent, const char *raw) {
        char name[256];
        text_escape_buf(name, sizeof(name), raw);   /* device and interface names are the host's bytes */
        json_t *o = json_object_get(parent, name);
        if (json_is_object(o))
                return o;
        o = json_object();
        if (!o || json_object_set_new(parent, name, o) < 0)
                return NULL;
        return o;
}

/* resources.<resource>[.<a>.<b>...] for object "a/b". */
static json_t *node(Report *r, const char *resource, const char *object) {
        json_t *o = child(r->resources, resource);
        if (!o || isempty(object))
                return o;
        char buf[256];
        if (strlen(object) >= sizeof(buf))
                return NULL;
        strcpy(buf, object);
        for (char *save = NULL, *c = strtok_r(buf, "/", &save); c && o; c = strtok_r(NULL, "/", &save))
                o = child(o, c);
        return o;
}

int report_fact(Report *r, const char *resource, const char *object, const char *name, json_t *value) {
        json_t *n = node(r, resource, object);
        if (!n || !value) {
                json_decref(value);
                return -ENOMEM;
        }
        return json_object_set_new(n, name, value) < 0 ? -ENOMEM : 0;
}

/* JSON has no NaN/inf; such a value means the metric could not be computed. */
static json_t *number(double v) {
        return json_real(isfinite(v) ? round(v * 1e4) / 1e4 : 0.0);
}

/* time: the weights are interval lengths in seconds, worth giving as span_s and the extremes. */
int report_summary(Report *r, const char *resource, const char *object, const char *name, const char *unit,
                   const SeriesSummary *s, bool time) {
        if (s->n == 0)
                return 0;
        json_t *m = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:I}", "unit", unit, "value", number(s->avg), "min",
                              number(s->min), "avg", number(s->avg), "max", number(s->max), "p95", number(s->p95),
                              "n", (json_int_t) s->n);
        if (m && time) {
                json_object_set_new(m, "span_s", number(s->span));
                if (s->w_max > 1.1 * s->w_min) {
                        json_object_set_new(m, "shortest_interval_s", number(s->w_min));
                        json_object_set_new(m, "longest_interval_s", number(s->w_max));
                }
        }
        json_t *o = node(r, resource, object);
        if (!o) {
                json_decref(m);
                return -ENOMEM;
        }
        return m && json_object_set_new(o, name, m) == 0 ? 0 : -ENOMEM;
}

static int series_metric(Report *r, const char *resource, const char *object, const char *name, const char *unit,
                         const double *v, const double *w, size_t n, bool time) {
        if (n == 0)
                return 0;
        SeriesSummary s = series_summarize_weighted(v, w, n);
        return report_summary(r, resource, object, name, unit, &s, time);
}

void report_set_series(Report *r, const SeriesTable *t) {
        r->series = t;
}

void report_begin_collector(Report *r, unsigned collector) {
        r->collector = collector;
        r->streamed = false;
}

int report_stream_series(Report *r) {
        if (r->streamed || !r->series)
                return 0;
        r->streamed = true;
        for (size_t i = 0; i < series_table_size(r->series); i++) {
                SeriesView v;
                series_table_at(r->series, i, &v);
                if (v.collector != r->collector)
                        continue;
                SeriesSummary s = series_stat_summary(v.stat);
                int k = report_summary(r, v.resource, v.object, v.name, v.unit, &s, v.time);
                if (k < 0)
                        return k;
        }
        return 0;
}

int report_streamed(Report *rep, const char *resource, const char *object, const char *name, const char *unit,
                    bool time) {
        SeriesSummary s;
        if (report_series_summary(rep, resource, object, name, &s) < 0)
                return 0;
        return report_summary(rep, resource, object, name, unit, &s, time);
}

int report_series_summary(Report *r, const char *resource, const char *object, const char *name,
                          SeriesSummary *ret) {
        return r->series ? series_table_get(r->series, resource, object, name, ret) : -ENOENT;
}

int report_series_weighted(Report *r, const char *resource, const char *object, const char *name, const char *unit,
                           const double *v, const double *w, size_t n) {
        return series_metric(r, resource, object, name, unit, v, w, n, true);
}

int report_ratio_series(Report *r, const char *resource, const char *object, const char *name, const char *unit,
                        const double *v, const double *w, size_t n) {
        return series_metric(r, resource, object, name, unit, v, w, n, false);
}

int report_series(Report *r, const char *resource, const char *object, const char *name, const char *unit,
                  const double *v, size_t n) {
        return series_metric(r, resource, object, name, unit, v, NULL, n, false);
}

int report_rate_series(Report *r, const char *resource, const char *object, const char *name, const char *unit,
                       const Series *s) {
        SeriesSummary m = series_stat_summary(s);
        return report_summary(r, resource, object, name, unit, &m, true);
}

int report_gauge_series(Report *r, const char *resource, const char *object, const char *name, const char *unit,
                        const Series *s) {
        SeriesSummary m = series_stat_summary(s);
        return report_summary(r, resource, object, name, unit, &m, false);
}

int report_gauge(Report *r, const char *resource, const char *object, const char *name, const char *unit, double v) {
        json_t *m = json_pack("{s:s, s:o}", "unit", unit, "value", number(v));
        json_t *o = node(r, resource, object);
        if (!o) {
                json_decref(m);
                return -ENOMEM;
        }
        return m && json_object_set_new(o, name, m) == 0 ? 0 : -ENOMEM;
}

int report_unavailable(Report *r, const char *resource, const char *name, const char *fmt, ...) {
        char *reason = format_varargs(fmt);
        if (!reason)
                return -ENOMEM;
        json_t *o = node(r, resource, "unavailable");
        int ret = o && json_object_set_new(o, name, json_text(reason)) == 0 ? 0 : -ENOMEM;
        free(reason);
        return ret;
}

int report_set_rates_hint(Report *r, const char *hint) {
        char *copy = strdup(hint);
        if (!copy)
                return -ENOMEM;
        free(r->rates_hint);
        r->rates_hint = copy;
        return 0;
}

int report_rates_unavailable(Report *r, const char *resource, const char *name, const char *source) {
        const char *hint = r->rates_hint ? r->rates_hint : "";
        return report_unavailable(r, resource, name, "fewer than two readable samples of %s in the window, so no rates%s%s%s",
                                  source, *hint ? " (" : "", hint, *hint ? ")" : "");
}

int report_tunable(Report *r, TunableKind kind, const char *key, const char *value) {
        json_t *k = child(r->tunables, tunable_kind_to_string(kind));
        char name[256];
        text_escape_buf(name, sizeof(name), key);   /* block:DEV and iface keys carry the host's names */
        if (!k || json_object_set_new(k, name, json_text(value)) < 0)
                return -ENOMEM;
        return 0;
}

int report_tunable_unavailable(Report *r, TunableKind kind, const char *key, const char *fmt, ...) {
        char *reason = format_varargs(fmt);
        if (!reason)
                return -ENOMEM;
        json_t *list = json_object_get(r->tunables, "unavailable");
        if (!list) {
                list = json_array();
                if (!list || json_object_set_new(r->tunables, "unavailable", list) < 0) {
                        free(reason);
                        return -ENOMEM;
                }
        }
        json_t *e = json_pack("{s:s, s:o}", "kind", tunable_kind_to_string(kind), "reason", json_text(reason));
        free(reason);
        if (!e)
                return -ENOMEM;
        if (key)
                json_object_set_new(e, "key", json_text(key));
        return json_array_append_new(list, e) < 0 ? -ENOMEM : 0;
}

static int finding_rank(json_t *f) {
        static const char *const order[] = { "errors", "saturation", "utilization" };
        const char *k = json_string_value(json_object_get(f, "kind"));
        const char *s = json_string_value(json_object_get(f, "severity"));
        int rank = 0;
        for (int i = 0; i < 3; i++)
                if (k && strcmp(k, order[i]) == 0)
                        rank = i * 3;
        /* Within a kind: critical before warning before info. */
        rank += s && strcmp(s, "critical") == 0 ? 0 : s && strcmp(s, "warning") == 0 ? 1 : 2;
        return rank;
}

static int cmp_finding(const void *a, const void *b) {
        json_t *x = *(json_t *const *) a, *y = *(json_t *const *) b;
        int d = finding_rank(x) - finding_rank(y);
        if (d)
                return d;
        /* Then by how far past its threshold, relative. */
        double vx = json_real_value(json_object_get(x, "value")), tx = json_real_value(json_object_get(x, "threshold"));
        double vy = json_real_value(json_object_get(y, "value")), ty = json_real_value(json_object_get(y, "threshold"));
        double ex = (vx - tx) / (fabs(tx) + 1), ey = (vy - ty) / (fabs(ty) + 1);
        return (ex < ey) - (ex > ey);
}

static bool finding_caused_by(json_t *effect, json_t *cause) {
        const char *c = json_string_value(json_object_get(effect, "cause"));
        const char *m = json_string_value(json_object_get(cause, "metric"));
        return c && m && strcmp(c, m) == 0;
}

/* Whether v[i] names a cause among the other findings. */
static bool has_cause_in(json_t *const *v, size_t n, size_t i) {
        for (size_t j = 0; j < n; j++)
                if (j != i && finding_caused_by(v[i], v[j]))
                        return true;
        return false;
}

/* sorted[] in rank order: each finding, then the findings that are its symptoms ("cause" names it),
 * so a symptom never ranks above what explains it. A symptom whose cause is absent keeps its place. */
static void order_by_cause(json_t *const *v, size_t n, json_t **out) {
        _cleanup_free_ bool *placed = calloc(n ? n : 1, sizeof(bool));
        size_t k = 0;
        for (size_t i = 0; placed && i < n; i++) {
                if (placed[i] || has_cause_in(v, n, i))
                        continue;
                out[k++] = v[i], placed[i] = true;
                for (size_t j = 0; j < n; j++)
                        if (!placed[j] && finding_caused_by(v[j], v[i]))
                                out[k++] = v[j], placed[j] = true;
        }
        for (size_t i = 0; i < n; i++)     /* causes in a cycle, or no memory for the bookkeeping */
                if (!placed || !placed[i])
                        out[k++] = v[i];
}

/* A hit of the rule table as a finding of the document: its kind and severity (checked by the table's
 * loader), the metric and how far past its threshold (for the ranking), the message, and the finding
 * it is a symptom of ("cause": ranked right after that one). */
static int add_hit(const FindingHit *h, void *userdata) {
        Report *r = userdata;
        json_t *f = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "kind", h->rule->kind, "severity", h->severity,
                              "resource", h->rule->resource, "metric", h->metric, "value", number(h->value),
                              "threshold", number(h->threshold), "message", json_text(h->message));
        if (f && h->cause && json_object_set_new(f, "cause", json_string(h->cause)) < 0) {
                json_decref(f);
                f = NULL;
        }
        return f && json_array_append_new(r->findings, f) == 0 ? 0 : -ENOMEM;
}

/* The findings of the rule table (rules/findings.conf) over what the collectors reported. */
static int report_rule_findings(Report *r) {
        FindingTable *t = NULL;
        Error e = ERROR_NULL;
        int k = finding_table_builtin(&t, &e);
        error_done(&e);         /* the built-in table parses: test-finding-table checks it */
        if (k < 0)
                return k;
        json_t *view = json_pack("{s:O, s:O, s:O}", "host", r->host, "resources", r->resources, "tunables", r->tunables);
        k = view ? finding_table_eval(t, view, add_hit, r) : -ENOMEM;
        json_decref(view);
        finding_table_free(t);
        return k;
}

int report_finish(Report *r, json_t **ret) {
        int k = report_rule_findings(r);
        if (k < 0)
                return k;
        size_t n = json_array_size(r->findings);
        json_t **v = calloc(n ? n : 1, sizeof(json_t *)), **o = calloc(n ? n : 1, sizeof(json_t *));
        if (!v || !o) {
                free(v);
                free(o);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++)
                v[i] = json_incref(json_array_get(r->findings, i));
        qsort(v, n, sizeof(json_t *), cmp_finding);
        order_by_cause(v, n, o);
        json_t *sorted = json_array();
        for (size_t i = 0; i < n; i++) {
                json_object_set_new(o[i], "rank", json_integer((json_int_t) i + 1));
                if (sorted)
                        json_array_append_new(sorted, o[i]);
                else
                        json_decref(o[i]);
        }
        free(v);
        free(o);
        json_t *doc = json_pack("{s:O, s:o, s:O, s:O}", "host", r->host, "findings", sorted, "resources",
                                r->resources, "tunables", r->tunables);
        if (!doc)
                return -ENOMEM;
        *ret = doc;
        return 0;
}
