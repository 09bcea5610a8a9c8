/* SPDX-License-Identifier: MIT */
/* What GET /metrics and GET /api/v1/status cost the monitor (docs/monitor.md, Figures): the RAM
 * ring filled with N series named and unit-ed as the collectors name them (per CPU, per device, per
 * interface, per cgroup), then metrics_text() and monitor_status_json() rendered R times each; the
 * median and 90th percentile time of one rendering and the bytes it makes.
 *
 *   bench-metrics-text [--series N[,N...]] [--rounds R] [--dir DIR]
 *
 * The default sizes are 125 (a small VM's), 1000 and 4096 (max_series). The rendering runs on the
 * daemon's one thread between ticks, so its time is a tick's delay while a scraper reads. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "monitor-status.h"
#include "stats.h"

#define T0 INT64_C(1796342400000)

static double now_us(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e6 + (double) ts.tv_nsec / 1e3;
}

/* Series i: the shapes of the real names (a resource, an object group, an object, a metric). */
static void series_name(size_t i, char *buf, size_t n, const char **unit) {
        static const struct {
                const char *head, *tail, *unit;
        } shapes[] = {
                { "cpu.per_cpu.cpu", "utilization_pct", "percent" },
                { "disk.devices.dev", "read_bytes_per_s", "bytes/s" },
                { "disk.devices.dev", "await_ms", "ms" },
                { "network.interfaces.if", "rx_bytes_per_s", "bytes/s" },
                { "network.interfaces.if", "rx_drops_per_s", "1/s" },
                { "cgroups.system.slice.unit", "service.memory_bytes", "bytes" },
                { "cgroups.system.slice.unit", "service.throttled_ms_per_s", "ms/s" },
                { "tasks.proc", "threads", "count" },
        };
        size_t k = i % (sizeof(shapes) / sizeof(shapes[0]));
        snprintf(buf, n, "%s%zu.%s", shapes[k].head, i, shapes[k].tail);
        *unit = shapes[k].unit;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

static void run(struct tsdb *t, size_t series, int rounds) {
        MonitorRing *r;
        if (ring_new(t, series, 600, &r) < 0)
                exit(1);
        for (size_t i = 0; i < series; i++) {
                char name[160];
                const char *unit;
                series_name(i, name, sizeof(name), &unit);
                if (ring_add(r, name, unit, T0, (double) (i * 37 % 1000) + 0.25) < 0)
                        exit(1);
        }
        MonitorStatus s = { .start_ms = T0 - 3600000,
                            .interval_ms = 1000,
                            .last_tick_ms = T0,
                            .stale_ms = 9000,
                            .ticks = 3600,
                            .store = "/var/lib/skytune-monitor/store.db",
                            .store_bytes = 1 << 28,
                            .listen = "127.0.0.1:9677" };
        ring_stats(r, &s.ring);
        double *text_us = calloc((size_t) rounds, sizeof(double)), *json_us = calloc((size_t) rounds, sizeof(double));
        size_t bytes = 0, json_bytes = 0;
        for (int k = 0; k < rounds; k++) {
                char *text;
                double t0 = now_us();
                if (metrics_text(r, &s, &text, &bytes) < 0)
                        exit(1);
                double t1 = now_us();
                json_t *doc = monitor_status_json(&s);
                char *js = json_dumps(doc, JSON_INDENT(2));
                double t2 = now_us();
                text_us[k] = t1 - t0;
                json_us[k] = t2 - t1;
                json_bytes = strlen(js);
                free(text);
                free(js);
                json_decref(doc);
        }
        qsort(text_us, (size_t) rounds, sizeof(double), cmp_double);
        qsort(json_us, (size_t) rounds, sizeof(double), cmp_double);
        printf("  %7zu  %11.0f  %9.0f  %10zu  %9.0f  %11.1f  %6zu\n", series, stats_median(text_us, (size_t) rounds),
               text_us[(size_t) (rounds * 9 / 10)], bytes, (double) bytes / (double) series,
               stats_median(json_us, (size_t) rounds), json_bytes);
        free(text_us);
        free(json_us);
        ring_free(r);
}

int main(int argc, char **argv) {
        static const struct option opts[] = {
                { "series", required_argument, NULL, 's' },
                { "rounds", required_argument, NULL, 'r' },
                { "dir", required_argument, NULL, 'd' },
                {},
        };
        const char *sizes = "125,1000,4096", *dir = NULL;
        int rounds = 201;
        for (int c; (c = getopt_long(argc, argv, "", opts, NULL)) >= 0;) {
                if (c == 's')
                        sizes = optarg;
                else if (c == 'r' && (rounds = atoi(optarg)) < 1) {
                        fprintf(stderr, "bench-metrics-text: --rounds: give a number from 1 up\n");
                        return 2;
                } else if (c == 'd')
                        dir = optarg;
                else if (c != 'r') {
                        fprintf(stderr, "Usage: bench-metrics-text [--series N[,N...]] [--rounds R] [--dir DIR]\n");
                        return 2;
                }
        }
        char tmpl[] = "/tmp/bench-metrics-text-XXXXXX", path[4200];
        if (!dir && !(dir = mkdtemp(tmpl))) {
                perror("bench-metrics-text: mkdtemp");
                return 1;
        }
        snprintf(path, sizeof(path), "%s/store.db", dir);
        struct tsdb *t;
        if (tsdb_open(path, &t, NULL) < 0) {
                fprintf(stderr, "bench-metrics-text: cannot open a store at %s\n", path);
                return 1;
        }
        printf("GET /metrics and /api/v1/status rendered %d times each (medians; p90 for /metrics)\n", rounds);
        printf("   series  /metrics us   p90 us       bytes  bytes/ser  status us  status bytes\n");
        char *list = strdup(sizes);
        for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                long n = atol(tok);
                if (n < 1 || n > 100000) {
                        fprintf(stderr, "bench-metrics-text: --series: '%s' is not 1 .. 100000\n", tok);
                        return 2;
                }
                run(t, (size_t) n, rounds);
        }
        free(list);
        tsdb_close(t);
        unlink(path);
        if (dir == tmpl)
                rmdir(tmpl);
        return 0;
}
