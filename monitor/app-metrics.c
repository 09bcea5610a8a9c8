/* SPDX-License-Identifier: MIT */
/* The application metrics of an interval (app-metrics.h). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app-metrics.h"
#include "histogram.h"
#include "macro.h"
#include "name-index.h"

/* "app." ENDPOINT "." METHOD or "custom." NAME, and the longest statistic's suffix. */
#define SERIES_NAME_MAX (sizeof("custom.") + APP_NAME_MAX + 1 + APP_METHOD_MAX + sizeof(".response_bytes_per_s"))

typedef struct AppSeries {
        char *name; /* "app.ENDPOINT.METHOD" or "custom.NAME": the series' prefix, and the key */
        AppRecordKind kind;
        Histogram *latency; /* us; a request's, made at its first record */
        uint64_t errors;
        double request_bytes, response_bytes;
        char unit[APP_UNIT_MAX + 1]; /* a custom metric's first unit */
        double value;                /* the last, or the sum for "count" */
        bool seen;                   /* a record came this interval */
        unsigned idle;               /* harvests since the last record */
        /* Since the first record (app_metrics_each_histogram): per bucket of app_le_us, not yet
         * cumulative, the last one past every bound. */
        uint64_t le[APP_LE_N + 1], sum_us, errors_total;
} AppSeries;

/* Prometheus' client defaults (5 ms .. 10 s, so that dashboards and histogram_quantile() meet the
 * bounds they know) with 2 s in place of 2.5 s, so that the shipped rules' response-time levels (2 and
 * 5 s) are bounds and "the share under 2 s" is exact, and 1 ms below for local endpoints: 12 bounds
 * and +Inf, 15 lines a pair, at most app_max_series pairs. */
const uint64_t app_le_us[APP_LE_N] = { 1000,   5000,   10000,   25000,   50000,   100000,
                                       250000, 500000, 1000000, 2000000, 5000000, 10000000 };

struct AppMetrics {
        size_t max_series;
        AppSeries *series;
        size_t n, cap;
        NameIndex index;
        AppMetricsStats stats;
        uint64_t harvested; /* stats.records at the last harvest */
};

int app_metrics_new(size_t max_series, AppMetrics **ret) {
        AppMetrics *a = calloc(1, sizeof(*a));
        if (!a)
                return -ENOMEM;
        a->max_series = max_series;
        *ret = a;
        return 0;
}

AppMetrics *app_metrics_free(AppMetrics *a) {
        if (!a)
                return NULL;
        for (size_t i = 0; i < a->n; i++) {
                free(a->series[i].name);
                histogram_free(a->series[i].latency);
        }
        free(a->series);
        name_index_done(&a->index);
        free(a);
        return NULL;
}

void app_metrics_set_max_series(AppMetrics *a, size_t max_series) {
        a->max_series = max_series;
}

static const char *series_key(const void *userdata, size_t i) {
        const AppMetrics *a = userdata;
        return a->series[i].name;
}

static int series_new(AppMetrics *a, const char *key, uint64_t h, const AppRecord *r, AppSeries **ret) {
        if (a->n == a->cap) {
                size_t cap = a->cap ? 2 * a->cap : 16;
                AppSeries *v = realloc(a->series, cap * sizeof(*v));
                if (!v)
                        return -ENOMEM;
                a->series = v;
                a->cap = cap;
        }
        AppSeries s = { .kind = r->kind };
        if (!(s.name = strdup(key)))
                return -ENOMEM;
        if (r->kind == APP_RECORD_REQUEST && histogram_new(APP_LATENCY_MAX_US, 2, &s.latency) < 0) {
                free(s.name);
                return -ENOMEM;
        }
        strcpy(s.unit, r->unit);
        int k = name_index_add(&a->index, h, a->n);
        if (k < 0) {
                free(s.name);
                histogram_free(s.latency);
                return k;
        }
        a->series[a->n++] = s;
        *ret = &a->series[a->n - 1];
        return 0;
}

static AppSeries *series_get(AppMetrics *a, const AppRecord *r, int *ret_error) {
        char key[SERIES_NAME_MAX];
        if (r->kind == APP_RECORD_REQUEST)
                snprintf(key, sizeof(key), "app.%s.%s", r->name, r->method);
        else
                snprintf(key, sizeof(key), "custom.%s", r->name);
        uint64_t h = name_index_hash(key);
        int64_t i = name_index_find(&a->index, key, h, series_key, a);
        if (i >= 0)
                return &a->series[i];
        if (a->n >= a->max_series) {
                *ret_error = -ENOSPC;
                return NULL;
        }
        AppSeries *s = NULL;
        *ret_error = series_new(a, key, h, r, &s);
        return s;
}

int app_metrics_add(AppMetrics *a, const AppRecord *r) {
        int k = 0;
        AppSeries *s = series_get(a, r, &k);
        if (!s) {
                if (k == -ENOSPC)
                        a->stats.dropped[APP_DROP_OVER_CAP]++;
                return k;
        }
        if (s->kind != r->kind) /* "custom.X" is never "app.X.Y": cannot happen, but stay safe */
                return -EINVAL;
        a->stats.records++;
        if (r->kind == APP_RECORD_REQUEST) {
                uint64_t raw = (uint64_t) llround(r->response_ms * 1000), us = MIN(raw, APP_LATENCY_MAX_US);
                histogram_record(s->latency, raw);
                size_t b = 0;
                while (b < APP_LE_N && us > app_le_us[b])
                        b++;
                s->le[b]++;
                s->sum_us += us;
                s->errors_total += !r->success;
                s->errors += !r->success;
                s->request_bytes += r->request_bytes;
                s->response_bytes += r->response_bytes;
        } else if (strcmp(s->unit, "count") == 0)
                s->value = (s->seen ? s->value : 0) + r->value;
        else
                s->value = r->value;
        s->seen = true;
        return 0;
}

void app_metrics_drop(AppMetrics *a, AppDrop reason, uint64_t n) {
        if (reason < APP_DROP_MAX)
                a->stats.dropped[reason] += n;
}

static void note(AppDropNote *n, AppDrop reason, const char *field, const char *why) {
        if (n)
                *n = (AppDropNote) { reason, field, why };
}

/* One line: added, or dropped and counted (1). */
static int feed_line(AppMetrics *a, const char *line, size_t len, AppDropNote *ret_note) {
        AppRecord rec;
        const char *field = NULL, *why = NULL;
        if (len > APP_LINE_MAX) {
                app_metrics_drop(a, APP_DROP_BAD_JSON, 1);
                note(ret_note, APP_DROP_BAD_JSON, NULL, NULL);
                return 1;
        }
        int k = app_record_parse(line, len, &rec, &field, &why);
        if (k < 0) {
                AppDrop d = k == -EINVAL ? APP_DROP_BAD_FIELD : APP_DROP_BAD_JSON;
                app_metrics_drop(a, d, 1);
                note(ret_note, d, field, why);
                return 1;
        }
        k = app_metrics_add(a, &rec);
        if (k == -ENOSPC) {
                note(ret_note, APP_DROP_OVER_CAP, NULL, NULL);
                return 1;
        }
        return k;
}

int app_metrics_feed(AppMetrics *a, const char *buf, size_t len, AppDropNote *ret_note) {
        int dropped = 0;
        for (size_t at = 0; at < len;) {
                const char *nl = memchr(buf + at, '\n', len - at);
                size_t end = nl ? (size_t) (nl - buf) : len;
                size_t n = end - at;
                if (n > 0 && buf[end - 1] == '\r')
                        n--;
                bool blank = true;
                for (size_t i = 0; i < n && blank; i++)
                        blank = buf[at + i] == ' ' || buf[at + i] == '\t';
                if (!blank) {
                        int k = feed_line(a, buf + at, n, ret_note);
                        if (k < 0)
                                return k;
                        dropped += k;
                }
                at = end + 1;
        }
        return dropped;
}

static int emit_stat(AppEmit emit, void *userdata, const char *prefix, const char *stat, const char *unit,
                     double value) {
        char name[SERIES_NAME_MAX];
        snprintf(name, sizeof(name), "%s.%s", prefix, stat);
        return emit(userdata, name, unit, value);
}

/* A request series' statistics, in the order harvested (app-metrics.h); the first four come at
 * every tick, the rest only for an interval with requests (no request: no error share and no
 * latency, not 0). */
const char *const app_request_stats[APP_REQUEST_STATS] = {
        "requests",       "requests_per_s", "request_bytes_per_s", "response_bytes_per_s", "errors_pct",
        "latency_p50_ms", "latency_p95_ms", "latency_p99_ms",      "latency_mean_ms",
};

static int harvest_request(AppSeries *s, double interval_s, AppEmit emit, void *userdata) {
        const Histogram *h = s->latency;
        uint64_t n = histogram_count(h);
        double v[APP_REQUEST_STATS] = {
                (double) n,
                (double) n / interval_s,
                s->request_bytes / interval_s,
                s->response_bytes / interval_s,
                n ? 100.0 * (double) s->errors / (double) n : 0,
                (double) histogram_percentile(h, 50) / 1000,
                (double) histogram_percentile(h, 95) / 1000,
                (double) histogram_percentile(h, 99) / 1000,
                n ? histogram_mean(h) / 1000 : 0,
        };
        static const char *const units[] = { "count", "per_s", "bytes_per_s", "bytes_per_s", "pct",
                                             "ms",    "ms",    "ms",          "ms" };
        int k = 0;
        for (size_t i = 0; k >= 0 && i < (n ? ELEMENTSOF(v) : 4); i++)
                k = emit_stat(emit, userdata, s->name, app_request_stats[i], units[i], v[i]);
        return k;
}

bool app_metrics_is_series(const char *name) {
        if (strncmp(name, "custom.", 7) == 0 || strcmp(name, "monitor.app_records_total") == 0)
                return true;
        for (int d = 0; d < APP_DROP_MAX; d++) {
                char counter[64];
                snprintf(counter, sizeof(counter), "monitor.app_dropped.%s", app_drop_name((AppDrop) d));
                if (strcmp(name, counter) == 0)
                        return true;
        }
        /* app.ENDPOINT.METHOD.STAT: three dots at least (custom names may hold more, endpoints not). */
        const char *stat = strrchr(name, '.');
        size_t dots = 0;
        for (const char *c = name; *c; c++)
                dots += *c == '.';
        if (strncmp(name, "app.", 4) != 0 || dots != 3)
                return false;
        for (size_t i = 0; i < APP_REQUEST_STATS; i++)
                if (strcmp(stat + 1, app_request_stats[i]) == 0)
                        return true;
        return false;
}

static void interval_reset(AppSeries *s) {
        if (s->latency && histogram_count(s->latency) > 0)
                histogram_reset(s->latency);
        s->errors = 0;
        s->request_bytes = s->response_bytes = 0;
        s->seen = false;
}

static int harvest_counters(AppMetrics *a, AppEmit emit, void *userdata) {
        int k = emit(userdata, "monitor.app_records_total", "count", (double) a->stats.records);
        for (int d = 0; k >= 0 && d < APP_DROP_MAX; d++)
                k = emit_stat(emit, userdata, "monitor.app_dropped", app_drop_name((AppDrop) d), "count",
                              (double) a->stats.dropped[d]);
        return k;
}

int app_metrics_harvest(AppMetrics *a, double interval_s, AppEmit emit, void *userdata) {
        int k = 0;
        for (size_t i = 0; k >= 0 && i < a->n; i++) {
                AppSeries *s = &a->series[i];
                if (s->kind == APP_RECORD_REQUEST)
                        k = harvest_request(s, interval_s, emit, userdata);
                else if (strcmp(s->unit, "count") == 0) /* a counter: 0 when nothing came */
                        k = emit(userdata, s->name, "count", s->seen ? s->value : 0);
                else if (s->seen)
                        k = emit(userdata, s->name, s->unit[0] ? s->unit : NULL, s->value);
        }
        for (size_t i = 0; i < a->n; i++) {
                AppSeries *s = &a->series[i];
                s->idle = s->seen ? 0 : s->idle + (s->idle < UINT_MAX);
                interval_reset(s);
        }
        a->harvested = a->stats.records;
        return k < 0 ? k : harvest_counters(a, emit, userdata);
}

bool app_metrics_pending(const AppMetrics *a) {
        return a->stats.records != a->harvested;
}

typedef struct ForgetCtx {
        const AppMetrics *a;
        unsigned max_idle;
} ForgetCtx;

static bool kept(const void *userdata, size_t i) {
        const ForgetCtx *c = userdata;
        return c->a->series[i].idle < c->max_idle;
}

static const char *kept_key(const void *userdata, size_t i) {
        const ForgetCtx *c = userdata;
        return c->a->series[i].name;
}

static void forget_one(void *userdata, void *item) {
        AppSeries *s = item;
        free(s->name);
        histogram_free(s->latency);
}

int app_metrics_forget(AppMetrics *a, unsigned max_idle) {
        ForgetCtx c = { a, max_idle };
        return name_index_compact(&a->index, a->series, &a->n, sizeof(*a->series), kept, kept_key, forget_one, &c);
}

void app_metrics_stats(const AppMetrics *a, AppMetricsStats *ret) {
        *ret = a->stats;
        ret->series = a->n;
}

int app_metrics_each_histogram(const AppMetrics *a, AppHistogramEach each, void *userdata) {
        for (size_t i = 0; i < a->n; i++) {
                const AppSeries *s = &a->series[i];
                if (s->kind != APP_RECORD_REQUEST)
                        continue;
                /* "app.ENDPOINT.METHOD": an endpoint's name has no dot (app-record.c maps them). */
                char name[SERIES_NAME_MAX];
                snprintf(name, sizeof(name), "%s", s->name + 4);
                char *dot = strrchr(name, '.');
                if (!dot)
                        continue;
                *dot = '\0';
                AppHistogram h = { .endpoint = name, .method = dot + 1, .errors = s->errors_total };
                for (size_t b = 0; b <= APP_LE_N; b++) {
                        h.count += s->le[b];
                        if (b < APP_LE_N)
                                h.le[b] = h.count;
                }
                h.sum_s = (double) s->sum_us / 1e6;
                int k = each(userdata, &h);
                if (k < 0)
                        return k;
        }
        return 0;
}
