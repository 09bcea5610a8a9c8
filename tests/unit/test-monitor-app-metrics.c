/* SPDX-License-Identifier: MIT */
/* monitor/app-metrics: one interval's records into the series of docs/monitor.md (rates, error share,
 * percentiles against known inputs, bytes), custom gauges and counters, a new interval after each
 * harvest, the cardinality cap, and datagrams of several lines with bad ones counted. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app-metrics.h"
#include "support.h"

#define POINTS_MAX 64

typedef struct Points {
        char name[POINTS_MAX][200];
        char unit[POINTS_MAX][20];
        double value[POINTS_MAX];
        size_t n;
} Points;

static int collect(void *userdata, const char *name, const char *unit, double value) {
        Points *p = userdata;
        assert_true(p->n < POINTS_MAX);
        snprintf(p->name[p->n], sizeof(p->name[0]), "%s", name);
        snprintf(p->unit[p->n], sizeof(p->unit[0]), "%s", unit ? unit : "");
        p->value[p->n++] = value;
        return 0;
}

/* The value of series name, NAN when it was not emitted. */
static double value_of(const Points *p, const char *name) {
        for (size_t i = 0; i < p->n; i++)
                if (strcmp(p->name[i], name) == 0)
                        return p->value[i];
        return NAN;
}

static void harvest(AppMetrics *a, double interval_s, Points *p) {
        memset(p, 0, sizeof(*p));
        assert_int_equal(app_metrics_harvest(a, interval_s, collect, p), 0);
}

static void feed(AppMetrics *a, const char *text, int dropped) {
        assert_int_equal(app_metrics_feed(a, text, strlen(text), NULL), dropped);
}

static void add_request(AppMetrics *a, const char *endpoint, double ms, int status) {
        char line[200];
        snprintf(line, sizeof(line),
                 "{\"endpoint\": \"%s\", \"response_time\": %g, \"status_code\": %d, \"request_size\": 10, "
                 "\"response_size\": 1000}",
                 endpoint, ms, status);
        feed(a, line, 0);
}

/* 1 .. 1000 ms, 50 of them errors: the percentiles within the histogram's 1 %, the mean exact. */
static void test_percentiles(void **state) {
        AppMetrics *a;
        assert_int_equal(app_metrics_new(10, &a), 0);
        for (int i = 1; i <= 1000; i++)
                add_request(a, "/api/v1/users", i, i % 20 == 0 ? 500 : 200);
        Points p;
        harvest(a, 1.0, &p);
        assert_float_equal(value_of(&p, "app.api_v1_users.GET.requests_per_s"), 1000, 1e-9);
        assert_float_equal(value_of(&p, "app.api_v1_users.GET.errors_pct"), 5, 1e-9);
        assert_float_equal(value_of(&p, "app.api_v1_users.GET.latency_p50_ms"), 500, 5);
        assert_float_equal(value_of(&p, "app.api_v1_users.GET.latency_p95_ms"), 950, 9.5);
        assert_float_equal(value_of(&p, "app.api_v1_users.GET.latency_p99_ms"), 990, 9.9);
        assert_float_equal(value_of(&p, "app.api_v1_users.GET.latency_mean_ms"), 500.5, 1e-6);
        assert_float_equal(value_of(&p, "app.api_v1_users.GET.request_bytes_per_s"), 10000, 1e-9);
        assert_float_equal(value_of(&p, "app.api_v1_users.GET.response_bytes_per_s"), 1e6, 1e-9);
        assert_float_equal(value_of(&p, "monitor.app_records_total"), 1000, 0);
        assert_float_equal(value_of(&p, "monitor.app_dropped.bad_json"), 0, 0);
        for (size_t i = 0; i < p.n; i++)
                if (strstr(p.name[i], "latency_"))
                        assert_string_equal(p.unit[i], "ms");

        /* The next interval starts empty: rates 0, no latency nor error share (no data, not 0). */
        harvest(a, 1.0, &p);
        assert_float_equal(value_of(&p, "app.api_v1_users.GET.requests_per_s"), 0, 0);
        assert_true(isnan(value_of(&p, "app.api_v1_users.GET.latency_p95_ms")));
        assert_true(isnan(value_of(&p, "app.api_v1_users.GET.errors_pct")));

        /* Rates are per second of the interval: 5 requests in 0.5 s are 10 a second. */
        for (int i = 0; i < 5; i++)
                add_request(a, "/api/v1/users", 2, 200);
        harvest(a, 0.5, &p);
        assert_float_equal(value_of(&p, "app.api_v1_users.GET.requests_per_s"), 10, 1e-9);
        assert_float_equal(value_of(&p, "app.api_v1_users.GET.latency_p99_ms"), 2, 0.02);
        assert_float_equal(value_of(&p, "app.api_v1_users.GET.errors_pct"), 0, 0);
        app_metrics_free(a);
}

/* Sub-millisecond latencies keep their precision (microseconds inside). */
static void test_fast_requests(void **state) {
        AppMetrics *a;
        assert_int_equal(app_metrics_new(10, &a), 0);
        for (int i = 0; i < 100; i++)
                add_request(a, "/fast", 0.150, 200);
        Points p;
        harvest(a, 1.0, &p);
        assert_float_equal(value_of(&p, "app.fast.GET.latency_p50_ms"), 0.150, 0.0015);
        assert_float_equal(value_of(&p, "app.fast.GET.latency_mean_ms"), 0.150, 1e-9);
        app_metrics_free(a);
}

static void test_custom(void **state) {
        AppMetrics *a;
        assert_int_equal(app_metrics_new(10, &a), 0);
        feed(a,
             "{\"metric\": \"queue.depth\", \"value\": 3}\n"
             "{\"metric\": \"queue.depth\", \"value\": 7, \"unit\": \"ms\"}\n"
             "{\"metric\": \"jobs_done\", \"value\": 2, \"unit\": \"count\"}\r\n"
             "\n"
             "  \n"
             "{\"name\": \"jobs_done\", \"value\": 5, \"unit\": \"count\"}\n",
             0);
        Points p;
        harvest(a, 1.0, &p);
        assert_float_equal(value_of(&p, "custom.queue.depth"), 7, 0); /* a gauge: the last value */
        assert_float_equal(value_of(&p, "custom.jobs_done"), 7, 0);   /* "count": the sum */
        harvest(a, 1.0, &p);
        assert_true(isnan(value_of(&p, "custom.queue.depth"))); /* nothing came: no sample */
        assert_float_equal(value_of(&p, "custom.jobs_done"), 0, 0);
        app_metrics_free(a);
}

static void test_cap_and_drops(void **state) {
        AppMetrics *a;
        assert_int_equal(app_metrics_new(2, &a), 0);
        feed(a,
             "{\"endpoint\": \"/a\", \"response_time\": 1}\n"
             "{\"endpoint\": \"/a\", \"method\": \"POST\", \"response_time\": 1}\n"
             "{\"endpoint\": \"/b\", \"response_time\": 1}\n"
             "{\"metric\": \"m\", \"value\": 1}\n"
             "{\"endpoint\": \"/a\", \"response_time\": 2}\n"
             "{\"endpoint\": \"/a\"}\n"
             "{\"endpoint\": \"/a\", \"response_time\": 1",
             4);
        app_metrics_drop(a, APP_DROP_TRUNCATED, 1);
        AppMetricsStats s;
        app_metrics_stats(a, &s);
        assert_int_equal(s.series, 2);
        assert_int_equal(s.records, 3);
        assert_int_equal(s.dropped[APP_DROP_OVER_CAP], 2);
        assert_int_equal(s.dropped[APP_DROP_BAD_FIELD], 1);
        assert_int_equal(s.dropped[APP_DROP_BAD_JSON], 1);
        Points p;
        harvest(a, 1.0, &p);
        assert_float_equal(value_of(&p, "app.a.GET.requests_per_s"), 2, 0);
        assert_float_equal(value_of(&p, "app.a.POST.requests_per_s"), 1, 0);
        assert_true(isnan(value_of(&p, "app.b.GET.requests_per_s")));
        assert_float_equal(value_of(&p, "monitor.app_dropped.over_cap"), 2, 0);
        assert_float_equal(value_of(&p, "monitor.app_dropped.bad_field"), 1, 0);
        assert_float_equal(value_of(&p, "monitor.app_dropped.truncated"), 1, 0);
        /* A raised cap takes new series again. */
        app_metrics_set_max_series(a, 3);
        feed(a, "{\"endpoint\": \"/b\", \"response_time\": 1}", 0);
        harvest(a, 1.0, &p);
        assert_float_equal(value_of(&p, "app.b.GET.requests_per_s"), 1, 0);
        /* The last drop's note names the field. */
        AppDropNote n;
        const char *bad = "{\"endpoint\": \"/a\", \"response_time\": -3}";
        assert_int_equal(app_metrics_feed(a, bad, strlen(bad), &n), 1);
        assert_int_equal(n.reason, APP_DROP_BAD_FIELD);
        assert_string_equal(n.field, "response_time");
        app_metrics_free(a);
}

/* An endpoint without records for max_idle harvests is forgotten and frees its place in the cap; the
 * others keep their figures, and the forgotten one comes back fresh when called again. */
static void test_forget_idle(void **state) {
        AppMetrics *a;
        assert_int_equal(app_metrics_new(2, &a), 0);
        add_request(a, "/old", 5, 200);
        add_request(a, "/busy", 7, 200);
        Points p;
        harvest(a, 1.0, &p);
        for (int i = 0; i < 3; i++) {
                add_request(a, "/busy", 7, 200);
                harvest(a, 1.0, &p);
                assert_int_equal(app_metrics_forget(a, 4), 0); /* /old idle 1, 2, 3 harvests */
        }
        feed(a, "{\"endpoint\": \"/new\", \"response_time\": 1}", 1); /* over the cap of 2 */
        harvest(a, 1.0, &p);
        assert_true(isnan(value_of(&p, "app.new.GET.requests")));
        assert_float_equal(value_of(&p, "app.old.GET.requests"), 0, 0);
        assert_int_equal(app_metrics_forget(a, 4), 1); /* idle 4: gone */
        AppMetricsStats s;
        app_metrics_stats(a, &s);
        assert_int_equal(s.series, 1);
        add_request(a, "/new", 1, 200);
        add_request(a, "/busy", 9, 500);
        harvest(a, 1.0, &p);
        assert_float_equal(value_of(&p, "app.new.GET.requests"), 1, 0);
        assert_float_equal(value_of(&p, "app.busy.GET.errors_pct"), 100, 0);
        assert_true(isnan(value_of(&p, "app.old.GET.requests")));
        assert_int_equal(app_metrics_forget(a, 4), 0);
        app_metrics_free(a);
}

/* The names the alert rules' check lets through. */
static void test_is_series(void **state) {
        assert_true(app_metrics_is_series("app.api_v1_users.GET.latency_p95_ms"));
        assert_true(app_metrics_is_series("app.root.POST.errors_pct"));
        assert_true(app_metrics_is_series("custom.queue.depth"));
        assert_true(app_metrics_is_series("monitor.app_records_total"));
        assert_true(app_metrics_is_series("monitor.app_dropped.over_cap"));
        assert_false(app_metrics_is_series("app.requests_per_s"));
        assert_false(app_metrics_is_series("app.x.GET.latency_p90_ms"));
        assert_false(app_metrics_is_series("app.a.b.GET.errors_pct"));
        assert_false(app_metrics_is_series("monitor.app_dropped.other"));
        assert_false(app_metrics_is_series("cpu.utilization_pct"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_percentiles), cmocka_unit_test(test_fast_requests),
                cmocka_unit_test(test_custom),      cmocka_unit_test(test_cap_and_drops),
                cmocka_unit_test(test_is_series),   cmocka_unit_test(test_forget_idle),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
