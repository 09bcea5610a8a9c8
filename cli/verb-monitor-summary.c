/* SPDX-License-Identifier: MIT */
/* skytune monitor summary: the seed's performance summary over the last N minutes, from the store
 * skytune-monitor keeps (docs/monitor.md, Summary): the host's figures now, on average and at
 * their worst, and per endpoint of the application metrics the requests, the success rate and the
 * response times. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app-metrics.h"
#include "cli.h"
#include "log.h"
#include "macro.h"
#include "monitor-store.h"
#include "render-monitor.h"
#include "schema.h"
#include "site.h"
#include "time-util.h"
#include "tsdb.h"
#include "verb-monitor.h"

static const char usage[] = "Usage: skytune monitor summary [--minutes N | --since SPAN] [--until TIME]\n"
                            "                               [--step 1s|1m|1h] [--store FILE] [--json]\n"
                            "\n"
                            "The performance summary of a window from skytune-monitor's store: CPU, memory and\n"
                            "pressure at the last sample, on average and at their extremes; per endpoint of the\n"
                            "application metrics the requests, their rate, the success rate and the response\n"
                            "times (mean and P50 weighted by requests; P95 and P99 as the worst second's, since\n"
                            "the seconds' histograms are not kept).\n"
                            "\n"
                            "  --minutes N     the window: the last N minutes (default 60)\n"
                            "  --since SPAN    the same as a span: 90s, 15m, 6h, 2d\n"
                            "  --until TIME    the window's end: ISO 8601 in UTC (2026-12-04T18:00:00Z), or now\n"
                            "                  (default), for an incident after the fact\n"
                            "  --step 1s|1m|1h the tier to read: by default 1s for windows up to 6 hours that\n"
                            "                  start within 2 days, 1m within 30 days, 1h beyond (the default\n"
                            "                  retention); a coarser tier weighs by each step's requests\n"
                            "  --store FILE    the store (default monitor.store of skytune.conf, else\n"
                            "                  " TSDB_DEFAULT_PATH ")\n"
                            "  --json          JSON: schema " MONITOR_SUMMARY_SCHEMA "\n"
                            "\n"
                            "Exit: 0 read, 1 the store cannot be read, 2 usage error.\n";

/* The host's rows: the series and how people call them. */
static const struct {
        const char *series, *label;
} host_rows[] = {
        { "cpu.utilization_pct", "CPU busy %" },
        { "cpu.run_queue", "run queue" },
        { "cpu.psi_some_pct", "CPU pressure %" },
        { "memory.used_pct", "memory used %" },
        { "memory.available_bytes", "memory available B" },
        { "memory.swap_used_bytes", "swap used B" },
        { "memory.psi_some_pct", "memory pressure %" },
        { "disk.psi_some_pct", "disk pressure %" },
};

/* An endpoint's series: app.ENDPOINT.METHOD.FIELD (docs/monitor.md, Application metrics). */
enum { F_RATE, F_ERRORS, F_MEAN, F_P50, F_P95, F_P99, F_COUNT, F_N };
/* Names from the daemon's table (app-metrics.h), so that the two cannot drift apart. */
static const char *app_field(int f) {
        static const int index[F_N] = { 1, 4, 8, 5, 6, 7, 0 };
        return app_request_stats[index[f]];
}

typedef struct Window {
        struct tsdb *t;
        int64_t from, to, step;
} Window;

typedef struct Args {
        const char *store;
        int64_t span, until, step; /* step 0: from the window's age */
        bool json;
} Args;

static int parse(int argc, char **argv, Args *a) {
        static const struct option options[] = {
                { "minutes", required_argument, NULL, 'm' }, { "since", required_argument, NULL, 's' },
                { "until", required_argument, NULL, 'u' },   { "step", required_argument, NULL, 'S' },
                { "store", required_argument, NULL, 'f' },   { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },          {},
        };
        *a = (Args) { .span = TSDB_HOUR_MS };
        a->until = (int64_t) (time_now_realtime_usec() / 1000);
        uint64_t usec;
        int c;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
                char *end = NULL;
                long long m;
                switch (c) {
                case 'm':
                        m = strtoll(optarg, &end, 10);
                        if (end == optarg || *end || m < 1 || m > 10 * 366 * 24 * 60) {
                                log_error("--minutes %s: a whole number of minutes from 1 (60: the last hour)", optarg);
                                return EXIT_USAGE;
                        }
                        a->span = (int64_t) m * 60000;
                        break;
                case 's':
                        if (time_parse_span_ms(optarg, &a->span) < 0 || a->span < 1000) {
                                log_error("--since %s: not a span (a whole number with s, m, h, d or w: 90s, 15m, 2d)",
                                          optarg);
                                return EXIT_USAGE;
                        }
                        break;
                case 'u':
                        if (strcmp(optarg, "now") != 0 && time_parse_iso8601(optarg, &usec) < 0) {
                                log_error("--until %s: not a time (ISO 8601 in UTC, 2026-12-04T18:00:00Z, or now)",
                                          optarg);
                                return EXIT_USAGE;
                        }
                        if (strcmp(optarg, "now") != 0)
                                a->until = (int64_t) (usec / 1000);
                        break;
                case 'S':
                        a->step = strcmp(optarg, "1s") == 0 ? 1000
                                : strcmp(optarg, "1m") == 0 ? 60000
                                : strcmp(optarg, "1h") == 0 ? TSDB_HOUR_MS
                                                            : -1;
                        if (a->step < 0) {
                                log_error("--step %s: one of 1s, 1m, 1h (the store's tiers)", optarg);
                                return EXIT_USAGE;
                        }
                        break;
                case 'f': a->store = optarg; break;
                case 'j': a->json = true; break;
                case 'h': fputs(usage, stdout); return -1;
                case ':':
                        log_error("%s needs a value (see 'skytune monitor summary --help')", argv[optind - 1]);
                        return EXIT_USAGE;
                default:
                        log_error("unknown option '%s' (see 'skytune monitor summary --help')", argv[optind - 1]);
                        return EXIT_USAGE;
                }
        }
        if (optind != argc) {
                log_error("monitor summary takes no argument: the window is --minutes N");
                return EXIT_USAGE;
        }
        if (!a->store && cli_default_store(&a->store) < 0)
                return EXIT_FAIL;
        return EXIT_OK;
}

static json_t *num(double v) {
        return isfinite(v) ? json_real(v) : json_null();
}

/* The buckets of one series over the window at its step; -ENOENT when the store has no such series. */
static int buckets(const Window *w, const char *name, struct tsdb_bucket **b, size_t *n, int *scale) {
        int64_t id;
        int r = tsdb_series_find(w->t, name, &id, scale);
        if (r < 0)
                return r;
        return tsdb_query_array(w->t, id, w->from, w->to, w->step, 0, b, n);
}

/* One host row: the last step's mean with a sample, the window's mean and its extremes. */
static int host_row(const Window *w, const char *name, const char *label, json_t *rows) {
        struct tsdb_bucket *b = NULL;
        size_t n = 0;
        int scale = 0;
        int r = buckets(w, name, &b, &n, &scale);
        if (r == -ENOENT || (r == 0 && n == 0)) {
                free(b);
                return 0; /* not on this host, or no sample in the window */
        }
        if (r < 0)
                return r;
        double p = pow(10, scale), sum = 0, min = INFINITY, max = -INFINITY;
        int64_t count = 0;
        for (size_t i = 0; i < n; i++) {
                sum += (double) b[i].sum;
                count += b[i].count;
                min = MIN(min, (double) b[i].min);
                max = MAX(max, (double) b[i].max);
        }
        json_t *row = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:I}", "series", name, "label", label, "last",
                                num(b[n - 1].avg / p), "avg", num(sum / (double) count / p), "min", num(min / p), "max",
                                num(max / p), "samples", (json_int_t) count);
        free(b);
        return row && json_array_append_new(rows, row) == 0 ? 0 : -ENOMEM;
}

typedef struct Endpoint {
        char *endpoint, *method;
} Endpoint;

typedef struct Endpoints {
        Endpoint *v;
        size_t n;
} Endpoints;

/* Every app.E.M.requests_per_s: E and M (E may hold dots; M and the field do not). */
static int find_endpoint(int64_t id, const char *name, int scale, void *userdata) {
        Endpoints *es = userdata;
        (void) id, (void) scale;
        const char *suffix = ".requests_per_s";
        size_t n = strlen(name), k = strlen(suffix);
        if (strncmp(name, "app.", 4) != 0 || n <= 4 + k || strcmp(name + n - k, suffix) != 0)
                return 0;
        const char *stem = name + 4, *dot = NULL;
        for (const char *p = stem; p < name + n - k; p++)
                if (*p == '.')
                        dot = p;
        if (!dot || dot == stem)
                return 0;
        Endpoint *more = realloc(es->v, (es->n + 1) * sizeof(Endpoint));
        if (!more)
                return -ENOMEM;
        es->v = more;
        Endpoint *e = &es->v[es->n];
        e->endpoint = strndup(stem, (size_t) (dot - stem));
        e->method = strndup(dot + 1, (size_t) (name + n - k - dot - 1));
        if (!e->endpoint || !e->method) {
                free(e->endpoint);
                free(e->method);
                return -ENOMEM;
        }
        es->n++;
        return 0;
}

/* The value of field f's bucket at time t (buckets are in time order: a cursor walks them). */
static bool at(const struct tsdb_bucket *b, size_t n, size_t *k, int64_t t, double p, bool worst, double *v) {
        while (*k < n && b[*k].t < t)
                (*k)++;
        if (*k >= n || b[*k].t != t || b[*k].count == 0)
                return false;
        *v = (worst ? (double) b[*k].max : b[*k].avg) / p;
        return true;
}

/* The monitor's sampling interval in s, from a rate series' buckets (the store does not keep it):
 * the step over the most samples a bucket holds, or, at one sample a bucket at most, the
 * shortest gap between two buckets with one. */
static double interval_s(const struct tsdb_bucket *b, size_t n, int64_t step) {
        int64_t most = 0, gap = INT64_MAX, last = -1;
        for (size_t i = 0; i < n; i++) {
                if (b[i].count == 0)
                        continue;
                most = MAX(most, b[i].count);
                if (last >= 0)
                        gap = MIN(gap, b[i].t - last);
                last = b[i].t;
        }
        if (most > 1)
                return (double) step / 1000 / (double) most;
        return gap == INT64_MAX ? (double) step / 1000 : (double) gap / 1000;
}

typedef struct AppSum {
        double requests, errors, latency_weighted, p50_weighted, p95_worst, p99_worst;
} AppSum;

static int app_row(const Window *w, const Endpoint *e, AppSum *all, json_t *rows) {
        struct tsdb_bucket *b[F_N] = {};
        size_t n[F_N] = {}, k[F_N] = {};
        double p[F_N];
        int r = 0;
        for (int f = 0; f < F_N && r >= 0; f++) {
                char name[512];
                int scale = 0;
                snprintf(name, sizeof(name), "app.%s.%s.%s", e->endpoint, e->method, app_field(f));
                r = buckets(w, name, &b[f], &n[f], &scale);
                if (r == -ENOENT)
                        r = 0;
                p[f] = pow(10, scale);
        }
        AppSum s = { .p95_worst = NAN, .p99_worst = NAN };
        bool seen = false; /* a sample in the window: an endpoint without one is left out */
        /* The interval's count (app.E.M.requests) where the store has it; else, from a store written
         * before it, each rate sample times the interval. */
        bool counted = n[F_COUNT] > 0;
        const struct tsdb_bucket *rb = counted ? b[F_COUNT] : b[F_RATE];
        size_t rn = counted ? n[F_COUNT] : n[F_RATE];
        double scale = counted ? p[F_COUNT] : p[F_RATE] / (r >= 0 ? interval_s(rb, rn, w->step) : 0);
        for (size_t i = 0; r >= 0 && i < rn; i++) {
                const struct tsdb_bucket *q = &rb[i];
                double req = (double) q->sum / scale, v;
                seen |= q->count > 0;
                if (q->count == 0 || req <= 0)
                        continue;
                s.requests += req;
                if (at(b[F_ERRORS], n[F_ERRORS], &k[F_ERRORS], q->t, p[F_ERRORS], false, &v))
                        s.errors += req * v / 100;
                if (at(b[F_MEAN], n[F_MEAN], &k[F_MEAN], q->t, p[F_MEAN], false, &v))
                        s.latency_weighted += req * v;
                if (at(b[F_P50], n[F_P50], &k[F_P50], q->t, p[F_P50], false, &v))
                        s.p50_weighted += req * v;
                if (at(b[F_P95], n[F_P95], &k[F_P95], q->t, p[F_P95], true, &v))
                        s.p95_worst = isnan(s.p95_worst) ? v : MAX(s.p95_worst, v);
                if (at(b[F_P99], n[F_P99], &k[F_P99], q->t, p[F_P99], true, &v))
                        s.p99_worst = isnan(s.p99_worst) ? v : MAX(s.p99_worst, v);
        }
        for (int f = 0; f < F_N; f++)
                free(b[f]);
        if (r < 0 || !seen)
                return r;
        all->requests += s.requests;
        all->errors += s.errors;
        all->latency_weighted += s.latency_weighted;
        double span_s = (double) (w->to - w->from) / 1000, have = s.requests > 0 ? s.requests : NAN;
        json_t *row = json_pack("{s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "endpoint", e->endpoint, "method",
                                e->method, "requests", (json_int_t) llround(s.requests), "requests_per_s",
                                num(s.requests / span_s), "success_pct", num(100 * (1 - s.errors / have)), "mean_ms",
                                num(s.latency_weighted / have), "p50_ms_mean", num(s.p50_weighted / have),
                                "p95_ms_worst_s", num(s.p95_worst), "p99_ms_worst_s", num(s.p99_worst));
        return row && json_array_append_new(rows, row) == 0 ? 0 : -ENOMEM;
}

static int app_rows(const Window *w, json_t *rows, AppSum *all) {
        Endpoints es = {};
        int r = tsdb_series_each(w->t, find_endpoint, &es);
        for (size_t i = 0; r >= 0 && i < es.n; i++)
                r = app_row(w, &es.v[i], all, rows);
        for (size_t i = 0; i < es.n; i++) {
                free(es.v[i].endpoint);
                free(es.v[i].method);
        }
        free(es.v);
        return r;
}

static json_t *iso(int64_t ms) {
        char buf[ISO8601_USEC_SIZE];
        return json_string(time_format_iso8601((uint64_t) ms * 1000, buf));
}

static json_t *summary_doc(const char *store, const Window *w, json_t *host, json_t *app, const AppSum *all) {
        double have = all->requests > 0 ? all->requests : NAN;
        const char *note = w->step == 60000 ? "from 1-minute means: success rate and latency are weighted by "
                                              "each minute's requests, not each second's"
                : w->step > 60000           ? "from 1-hour means: success rate and latency are weighted by each hour's "
                                              "requests, not each second's"
                                            : NULL;
        return json_pack("{s:s, s:s, s:o, s:o, s:I, s:I, s:s*, s:o, s:o, s:{s:I, s:o, s:o}}", "schema",
                         MONITOR_SUMMARY_SCHEMA, "store", store, "from", iso(w->from), "to", iso(w->to), "minutes",
                         (json_int_t) ((w->to - w->from) / 60000), "step_s", (json_int_t) (w->step / 1000), "note",
                         note, "host", host, "endpoints", app, "application", "requests",
                         (json_int_t) llround(all->requests), "success_pct", num(100 * (1 - all->errors / have)),
                         "mean_ms", num(all->latency_weighted / have));
}

int monitor_summary(int argc, char **argv) {
        Args a;
        int code = parse(argc, argv, &a);
        if (code != EXIT_OK)
                return code < 0 ? EXIT_OK : code;
        const char *store = a.store;
        int64_t span = a.span, until = a.until;
        Window w = { .to = until };
        /* The tier that still holds the window's start under the default retention (docs/store.md):
         * 1 s samples (2 days; for windows up to 6 hours, a bounded number of rows), then the
         * 1-minute (30 days) and the 1-hour rollups, whose means lose how rate and latency move
         * together within a step: said in the document. */
        int64_t age = (int64_t) (time_now_realtime_usec() / 1000) - (until - span);
        w.step = age <= tsdb_limits_default.age_ms[TSDB_TIER_CHUNK] && span <= 6 * TSDB_HOUR_MS ? 1000
                : age <= tsdb_limits_default.age_ms[TSDB_TIER_R1M]                              ? 60000
                                                                                                : TSDB_HOUR_MS;
        if (a.step > 0)
                w.step = a.step;
        w.to += (w.step - w.to % w.step) % w.step;
        w.from = MAX(w.to - span, 0);
        w.from -= w.from % w.step;
        if (monitor_store_open(store, &w.t) < 0)
                return EXIT_FAIL;
        json_t *host = json_array(), *app = json_array();
        AppSum all = {};
        int r = host && app ? 0 : -ENOMEM;
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(host_rows); i++)
                r = host_row(&w, host_rows[i].series, host_rows[i].label, host);
        if (r >= 0)
                r = app_rows(&w, app, &all);
        tsdb_close(w.t);
        if (r < 0) {
                log_error("%s: cannot read the summary's series: %s; 'skytune monitor series --store %s' shows what "
                          "it holds, 'skytune monitor query' reads one",
                          store, strerror(-r), store);
                json_decref(host);
                json_decref(app);
                return EXIT_FAIL;
        }
        return monitor_emit(summary_doc(store, &w, host, app, &all), a.json, render_monitor_summary);
}
