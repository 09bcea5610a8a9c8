/* SPDX-License-Identifier: MIT */
/* monitor/metrics-text and status-doc: what GET /metrics and GET /api/v1/status serve. The last
 * sample of each series under its Prometheus name in the base unit (percent as a ratio, us as
 * seconds), a reserved suffix renamed, a second series whose name comes out alike left out with a
 * comment, the series a health family covers not repeated; objects as labels (one family each,
 * written whole, a dotted name kept, an application's names left alone); the application records as
 * histograms; the health families (counts, drops by reason, collector_up from the staleness bound);
 * the status document's schema and fields. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "monitor-status.h"
#include "schema.h"
#include "support.h"

#define T0 INT64_C(1796342400000) /* 2026-12-04T00:00:00Z */

struct fixture {
        char *dir, path[512];
        struct tsdb *t;
        MonitorRing *r;
        MonitorStatus s;
};

static int setup(void **state) {
        struct fixture *f = calloc(1, sizeof(*f));
        f->dir = test_tmpdir();
        snprintf(f->path, sizeof(f->path), "%s/store.db", f->dir);
        assert_int_equal(tsdb_open(f->path, &f->t, NULL), 0);
        assert_int_equal(ring_new(f->t, 100, 600, &f->r), 0);
        f->s = (MonitorStatus) { .start_ms = T0 - 60000,
                                 .interval_ms = 1000,
                                 .last_tick_ms = T0 + 10000,
                                 .stale_ms = 9000,
                                 .ticks = 61,
                                 .missed = 2,
                                 .store = f->path,
                                 .store_bytes = 4096,
                                 .listen = "127.0.0.1:19677" };
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fixture *f = *state;
        ring_free(f->r);
        tsdb_close(f->t);
        test_rm_rf(f->dir);
        free(f->dir);
        free(f);
        return 0;
}

static void has(const char *text, const char *line) {
        if (!strstr(text, line))
                fail_msg("no '%s' in:\n%s", line, text);
}

static void test_series(void **state) {
        struct fixture *f = *state;
        assert_int_equal(ring_add(f->r, "cpu.utilization_pct", "percent", T0 + 10000, 12.5), 0);
        assert_int_equal(ring_add(f->r, "memory.used_bytes", "bytes", T0 + 10000, 123456789), 0);
        assert_int_equal(ring_add(f->r, "monitor.cpu_us", "us", T0 + 10000, 250), 0);
        assert_int_equal(ring_add(f->r, "monitor.missed_total", "count", T0 + 10000, 2), 0);
        assert_int_equal(ring_add(f->r, "network.interfaces.eth0.1.rx_bytes_per_s", "bytes/s", T0 + 10000, 10), 0);
        assert_int_equal(ring_add(f->r, "network.interfaces.eth0_1.rx_bytes_per_s", "bytes/s", T0 + 10000, 20), 0);
        assert_int_equal(ring_add(f->r, "network.tcp.retrans_per_s", "1/s", T0 + 10000, 3), 0);
        assert_int_equal(ring_add(f->r, "network.tcp_retrans_per_s", "1/s", T0 + 10000, 4), 0);
        assert_int_equal(ring_add(f->r, "cpu.per_cpu.cpu1.utilization_pct", "percent", T0 + 10000, 50), 0);
        assert_int_equal(ring_add(f->r, "network.interfaces.lo.rx_bytes_per_s", "bytes/s", T0 + 10000, 30), 0);
        assert_int_equal(ring_add(f->r, "custom.devices.sda.depth", "count", T0 + 10000, 5), 0);
        assert_int_equal(ring_add(f->r, "tasks.forks_total", "count", T0 + 10000, 7), 0);
        assert_int_equal(ring_add(f->r, "disk.devices.vda.util_pct", "percent", T0, 1), 0); /* 10 s old: stale */
        ring_stats(f->r, &f->s.ring);
        char *text;
        size_t len;
        assert_int_equal(metrics_text(f->r, &f->s, &text, &len), 0);
        assert_int_equal(strlen(text), len);
        has(text,
            "# HELP skytune_cpu_utilization_ratio Last sample of the series cpu.utilization_pct (percent), "
            "converted to a ratio from 0 to 1\n# TYPE skytune_cpu_utilization_ratio gauge\n"
            "skytune_cpu_utilization_ratio 0.125\n");
        has(text, "\nskytune_memory_used_bytes 123456789\n");
        has(text, "\nskytune_monitor_cpu_seconds 0.00025\n");
        /* Objects as labels, each family whole (lo came after another family), a dotted name kept. */
        has(text,
            "# HELP skytune_network_interface_rx_bytes_per_second Last sample of the series "
            "network.interfaces.<interface>.rx_bytes_per_s (bytes/s)\n"
            "# TYPE skytune_network_interface_rx_bytes_per_second gauge\n"
            "skytune_network_interface_rx_bytes_per_second{interface=\"eth0.1\"} 10\n"
            "skytune_network_interface_rx_bytes_per_second{interface=\"eth0_1\"} 20\n"
            "skytune_network_interface_rx_bytes_per_second{interface=\"lo\"} 30\n");
        has(text,
            "# TYPE skytune_cpu_per_cpu_utilization_ratio gauge\nskytune_cpu_per_cpu_utilization_ratio{cpu=\"1\"} "
            "0.5\n");
        has(text, "\nskytune_disk_device_util_ratio{device=\"vda\"} 0.01\n");
        has(text, "\nskytune_network_tcp_retrans_per_second 3\n");
        has(text, "\nskytune_custom_devices_sda_depth 5\n"); /* an application's name: no labels */
        has(text,
            "# skytune: series network.tcp_retrans_per_s left out: its name "
            "skytune_network_tcp_retrans_per_second is taken\n");
        has(text, "# TYPE skytune_tasks_forks_total counter\nskytune_tasks_forks_total 7\n");
        assert_null(strstr(text, "skytune_monitor_missed_total 2\nskytune")); /* once, as the counter */
        has(text, "# TYPE skytune_monitor_missed_total counter\nskytune_monitor_missed_total 2\n");
        has(text, "skytune_build_info{version=\"" SKYTUNE_VERSION "\"} 1\n");
        has(text, "\nskytune_monitor_series 13\n");
        has(text, "\nskytune_monitor_ticks_total 61\n");
        has(text, "\nskytune_monitor_interval_seconds 1\n");
        has(text, "\nskytune_monitor_start_time_seconds 1796342340\n");
        has(text, "\nskytune_monitor_store_size_bytes 4096\n");
        has(text, "\nskytune_monitor_samples_dropped_total{reason=\"order\"} 0\n");
        has(text, "\nskytune_collector_up{collector=\"cpu\"} 1\n");
        has(text, "\nskytune_collector_up{collector=\"disk\"} 0\n");
        assert_null(strstr(text, "collector=\"monitor\""));
        /* One family per name: no TYPE line twice. */
        for (const char *p = text; (p = strstr(p, "# TYPE ")); p++) {
                char name[256];
                assert_int_equal(sscanf(p, "# TYPE %255s", name), 1);
                char line[300];
                snprintf(line, sizeof(line), "# TYPE %s ", name);
                assert_ptr_equal(strstr(text, line), p);
        }
        free(text);
}

static int no_point(void *userdata, const char *name, const char *unit, double value) {
        return 0;
}

/* The application records as Prometheus histograms: cumulative buckets across harvests (a bound
 * holds the records of exactly it: 1 ms, 2 s), one over 60 s counted at 60 s in +Inf and the sum
 * alone, errors per pair; no families without a pair. */
static void test_app_histograms(void **state) {
        struct fixture *f = *state;
        AppMetrics *a;
        assert_int_equal(app_metrics_new(10, &a), 0);
        f->s.app = a;
        char *text;
        size_t len;
        assert_int_equal(metrics_text(f->r, &f->s, &text, &len), 0);
        assert_null(strstr(text, "skytune_app_request"));
        free(text);
        static const char first[] = "{\"endpoint\": \"/api/v1/x\", \"response_time\": 0.5}\n"
                                    "{\"endpoint\": \"/api/v1/x\", \"response_time\": 1}\n"
                                    "{\"endpoint\": \"/api/v1/x\", \"response_time\": 1.0004}\n"
                                    "{\"endpoint\": \"/api/v1/x\", \"response_time\": 7}\n"
                                    "{\"metric\": \"queue.depth\", \"value\": 4}\n";
        static const char second[] =
                "{\"endpoint\": \"/api/v1/x\", \"method\": \"GET\", \"response_time\": 2000}\n"
                "{\"endpoint\": \"/api/v1/x\", \"response_time\": 2000.001}\n"
                "{\"endpoint\": \"/api/v1/x\", \"response_time\": 70000, \"status_code\": 500}\n"
                "{\"endpoint\": \"/login\", \"method\": \"post\", \"response_time\": 3, \"status_code\": 503}\n";
        AppDropNote note;
        assert_int_equal(app_metrics_feed(a, first, strlen(first), &note), 0);
        assert_int_equal(app_metrics_harvest(a, 1, no_point, NULL), 0);
        assert_int_equal(app_metrics_feed(a, second, strlen(second), &note), 0);
        assert_int_equal(metrics_text(f->r, &f->s, &text, &len), 0);
        static const char *const le[] = { "0.001", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
                                          "0.5",   "1",     "2",    "5",     "10",   "+Inf" };
        static const int get[] = { 3, 3, 4, 4, 4, 4, 4, 4, 4, 5, 6, 6, 7 },
                         post[] = { 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
        has(text,
            "# TYPE skytune_app_request_duration_seconds histogram\n"
            "skytune_app_request_duration_seconds_bucket{endpoint=\"api_v1_x\",method=\"GET\",le=\"0.001\"} 3\n");
        for (size_t i = 0; i < ELEMENTSOF(le); i++) {
                char line[200];
                snprintf(
                        line, sizeof(line),
                        "\nskytune_app_request_duration_seconds_bucket{endpoint=\"api_v1_x\",method=\"GET\",le=\"%s\"} "
                        "%d\n",
                        le[i], get[i]);
                has(text, line);
                snprintf(line, sizeof(line),
                         "\nskytune_app_request_duration_seconds_bucket{endpoint=\"login\",method=\"POST\",le=\"%s\"} "
                         "%d\n",
                         le[i], post[i]);
                has(text, line);
        }
        has(text,
            "\nskytune_app_request_duration_seconds_sum{endpoint=\"api_v1_x\",method=\"GET\"} 64.009501\n"
            "skytune_app_request_duration_seconds_count{endpoint=\"api_v1_x\",method=\"GET\"} 7\n");
        has(text,
            "\nskytune_app_request_duration_seconds_sum{endpoint=\"login\",method=\"POST\"} 0.003\n"
            "skytune_app_request_duration_seconds_count{endpoint=\"login\",method=\"POST\"} 1\n");
        has(text,
            "# TYPE skytune_app_request_errors_total counter\n"
            "skytune_app_request_errors_total{endpoint=\"api_v1_x\",method=\"GET\"} 1\n"
            "skytune_app_request_errors_total{endpoint=\"login\",method=\"POST\"} 1\n");
        assert_null(strstr(text, "queue_depth")); /* a custom metric is no histogram */
        free(text);
        app_metrics_free(a);
}

/* A label value from the host (a cgroup's name) with a backslash, a quote and a newline is escaped as
 * the exposition format asks; values keep every digit that tells them apart (a histogram's _sum
 * grows past 10 digits), and a unit's conversion leaves no noise in the last digits. */
static void test_label_escape_and_digits(void **state) {
        struct fixture *f = *state;
        assert_int_equal(ring_add(f->r, "cpu.cgroups.a\\b\"c\nd.throttled_pct", "percent", T0 + 10000, 50), 0);
        assert_int_equal(ring_add(f->r, "memory.used_bytes", "bytes", T0 + 10000, 1234567890.125), 0);
        assert_int_equal(ring_add(f->r, "cpu.utilization_pct", "percent", T0 + 10000, 35), 0);
        assert_int_equal(ring_add(f->r, "monitor.cpu_us", "us", T0 + 10000, 9000), 0);
        assert_int_equal(ring_add(f->r, "network.tcp.retrans_per_s", "1/s", T0 + 10000, 1e6 + 0.000123), 0);
        ring_stats(f->r, &f->s.ring);
        char *text;
        size_t len;
        assert_int_equal(metrics_text(f->r, &f->s, &text, &len), 0);
        has(text, "\nskytune_cpu_cgroup_throttled_ratio{cgroup=\"a\\\\b\\\"c\\nd\"} 0.5\n");
        has(text, "\nskytune_memory_used_bytes 1234567890.125\n");
        has(text, "\nskytune_cpu_utilization_ratio 0.35\n"); /* 35 * 0.01 is 0.35000000000000003 */
        has(text, "\nskytune_monitor_cpu_seconds 0.009\n");
        has(text, "\nskytune_network_tcp_retrans_per_second 1000000.000123\n");
        free(text);
}

/* An empty ring: the health families alone, no collector_up family without collectors. */
static void test_empty(void **state) {
        struct fixture *f = *state;
        f->s.store_bytes = -1;
        char *text;
        size_t len;
        assert_int_equal(metrics_text(f->r, &f->s, &text, &len), 0);
        has(text, "\nskytune_monitor_series 0\n");
        assert_null(strstr(text, "skytune_collector_up"));
        assert_null(strstr(text, "skytune_monitor_store_size_bytes"));
        free(text);
}

static void test_status(void **state) {
        struct fixture *f = *state;
        assert_int_equal(ring_add(f->r, "cpu.utilization_pct", "percent", T0, 12.5), 0);
        ring_stats(f->r, &f->s.ring);
        json_t *doc = monitor_status_json(&f->s);
        assert_non_null(doc);
        assert_string_equal(json_string_value(json_object_get(doc, "schema")), MONITOR_STATUS_SCHEMA);
        assert_string_equal(json_string_value(json_object_get(doc, "version")), SKYTUNE_VERSION);
        assert_string_equal(json_string_value(json_object_get(doc, "started")), "2026-12-03T23:59:00.000000Z");
        assert_string_equal(json_string_value(json_object_get(doc, "last_sample")), "2026-12-04T00:00:10.000000Z");
        assert_true(json_real_value(json_object_get(doc, "interval_s")) == 1.0);
        assert_int_equal(json_integer_value(json_object_get(doc, "series")), 1);
        assert_int_equal(json_integer_value(json_object_get(doc, "missed")), 2);
        assert_int_equal(json_integer_value(json_object_get(doc, "ticks")), 61);
        json_t *store = json_object_get(doc, "store");
        assert_string_equal(json_string_value(json_object_get(store, "path")), f->path);
        assert_int_equal(json_integer_value(json_object_get(store, "bytes")), 4096);
        assert_int_equal(json_object_size(json_object_get(doc, "dropped")), 4);
        assert_string_equal(json_string_value(json_object_get(doc, "listen")), "127.0.0.1:19677");
        json_decref(doc);
        f->s.last_tick_ms = 0;
        f->s.store_bytes = -1;
        doc = monitor_status_json(&f->s);
        assert_true(json_is_null(json_object_get(doc, "last_sample")));
        assert_true(json_is_null(json_object_get(json_object_get(doc, "store"), "bytes")));
        json_decref(doc);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_series, setup, teardown),
                cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
                cmocka_unit_test_setup_teardown(test_label_escape_and_digits, setup, teardown),
                cmocka_unit_test_setup_teardown(test_app_histograms, setup, teardown),
                cmocka_unit_test_setup_teardown(test_status, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
