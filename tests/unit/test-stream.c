/* SPDX-License-Identifier: MIT */
/* Streaming collectors (issue 13, point 5): a consumer registered with the profiler sees every
 * interval's values as the sample that ends it is taken; the summaries the profile is written from
 * hold memory bounded by the number of series, not by the window's length; a series summary is the
 * window arrays' one exactly while short and close (p95 within the histogram's precision) beyond. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "profiler.h"
#include "series.h"
#include "support.h"

#define NCPU 4

/* Busy percent of cpu c in interval i (between samples i-1 and i): varies with both. */
static unsigned busy(unsigned c, unsigned i) {
        return (i * 7 + c * 13) % 101;
}

/* /proc/stat at sample i: each CPU's ticks advance by 100 an interval, busy(c, i) of them as user. */
static void write_stat(const char *dir, unsigned i) {
        unsigned long long u[NCPU] = { 0 }, idle[NCPU] = { 0 }, tu = 0, ti = 0;
        for (unsigned c = 0; c < NCPU; c++) {
                for (unsigned k = 1; k <= i; k++) {
                        u[c] += busy(c, k);
                        idle[c] += 100 - busy(c, k);
                }
                tu += u[c];
                ti += idle[c];
        }
        char text[1024];
        int n = snprintf(text, sizeof(text), "cpu  %llu 0 0 %llu 0 0 0 0 0 0\n", tu, ti);
        for (unsigned c = 0; c < NCPU; c++)
                n += snprintf(text + n, sizeof(text) - (size_t) n, "cpu%u %llu 0 0 %llu 0 0 0 0 0 0\n", c, u[c], idle[c]);
        snprintf(text + n, sizeof(text) - (size_t) n,
                 "ctxt %u\nbtime 1700000000\nprocesses %u\nprocs_running %u\nprocs_blocked 0\n", 1000 + 50 * i,
                 10 + i, 1 + i % 3);
        test_write(dir, "proc/stat", text);
}

typedef struct Seen {
        unsigned sample;          /* the sample being taken */
        unsigned per_cpu[NCPU];   /* per-CPU utilization points seen in this sample */
        unsigned total_points, bad;
        uint64_t want_at;
} Seen;

static int consume(void *userdata, const MetricPoint *p) {
        Seen *s = userdata;
        if (strcmp(p->resource, "cpu") != 0 || !p->object || strcmp(p->name, "utilization_pct") != 0)
                return 0;
        unsigned c;
        if (sscanf(p->object, "per_cpu/cpu%u", &c) != 1 || c >= NCPU || p->at_usec != s->want_at ||
            strcmp(p->collector, "cpu") != 0 || fabs(p->value - busy(c, s->sample)) > 1e-9)
                s->bad++;
        else
                s->per_cpu[c]++;
        s->total_points++;
        return 0;
}

/* Many samples at 10 ms: each sample after the first hands the consumer one value per CPU, the
 * interval's own, and the summaries stop growing once every series is past its exact buffer. */
static void test_consumer_sees_every_interval(void **state) {
        const char *dir = *state;
        Sysroot *root = NULL;
        Profiler *p = NULL;
        Seen seen = {};
        write_stat(dir, 0);
        assert_int_equal(sysroot_open(dir, &root), 0);
        assert_int_equal(profiler_new(root, &p), 0);
        profiler_set_full_period(p, 0);
        MetricSink sink = { consume, &seen };
        assert_int_equal(profiler_add_sink(p, &sink), 0);
        const unsigned samples = 2000;
        size_t mem_at_600 = 0;
        for (unsigned i = 0; i < samples; i++) {
                if (i > 0)
                        write_stat(dir, i);
                seen.sample = i;
                seen.want_at = 1000000 + (uint64_t) i * 10000;
                memset(seen.per_cpu, 0, sizeof(seen.per_cpu));
                assert_int_equal(profiler_sample(p, seen.want_at, i == samples - 1), 0);
                for (unsigned c = 0; c < NCPU; c++)
                        assert_int_equal(seen.per_cpu[c], i > 0 ? 1 : 0);
                if (i == 600)
                        mem_at_600 = profiler_series_memory(p);
        }
        assert_int_equal(seen.bad, 0);
        assert_int_equal(seen.total_points, NCPU * (samples - 1));
        assert_true(mem_at_600 > 0);
        assert_int_equal(profiler_series_memory(p), mem_at_600);

        json_t *doc = NULL;
        assert_int_equal(profiler_report(p, 19.99, 0.01, &doc), 0);
        double sum = 0;
        for (unsigned i = 1; i < samples; i++)
                sum += busy(1, i);
        assert_true(fabs(test_num(doc, "resources.cpu.per_cpu.cpu1.utilization_pct.avg") - sum / (samples - 1)) < 1e-3);
        assert_int_equal(test_num(doc, "resources.cpu.per_cpu.cpu1.utilization_pct.n"), samples - 1);
        assert_int_equal(test_num(doc, "resources.cpu.per_cpu.cpu1.utilization_pct.max"), 100);
        assert_int_equal(test_num(doc, "resources.cpu.run_queue.n"), samples);
        json_decref(doc);
        profiler_free(p);
        sysroot_free(root);
}

static void test_no_sink_room(void **state) {
        Sysroot *root = NULL;
        Profiler *p = NULL;
        write_stat(*state, 0);
        assert_int_equal(sysroot_open(*state, &root), 0);
        assert_int_equal(profiler_new(root, &p), 0);
        MetricSink sink = { consume, NULL };
        for (unsigned i = 0; i < PROFILER_MAX_SINKS; i++)
                assert_int_equal(profiler_add_sink(p, &sink), 0);
        assert_int_equal(profiler_add_sink(p, &sink), -ENOSPC);
        profiler_free(p);
        sysroot_free(root);
}

static void assert_same(SeriesSummary a, SeriesSummary b) {
        assert_true(a.n == b.n && a.min == b.min && a.max == b.max && a.avg == b.avg && a.p95 == b.p95 &&
                    a.span == b.span && a.w_min == b.w_min && a.w_max == b.w_max);
}

/* Up to SERIES_EXACT_MAX values the summary is the arrays' exactly; beyond, avg/min/max stay exact
 * and p95 is within the histogram's 2 significant digits. */
static void test_summary_exact_then_bounded(void **state) {
        (void) state;
        enum { N = 20000 };
        double *v = malloc(N * sizeof(double)), *w = malloc(N * sizeof(double));
        assert_non_null(v);
        assert_non_null(w);
        SeriesStat s = {};
        srand(7);
        size_t mem_long = 0;
        for (size_t i = 0; i < N; i++) {
                v[i] = (double) (rand() % 100000) / 7.0;
                w[i] = 0.5 + (double) (rand() % 1000) / 100.0;
                assert_int_equal(series_stat_add(&s, v[i], w[i]), 0);
                if (i + 1 == SERIES_EXACT_MAX || i + 1 == 17)
                        assert_same(series_stat_summary(&s), series_summarize_weighted(v, w, i + 1));
                if (i + 1 == 2 * SERIES_EXACT_MAX)
                        mem_long = series_stat_memory(&s);
        }
        assert_int_equal(series_stat_memory(&s), mem_long);
        SeriesSummary got = series_stat_summary(&s), want = series_summarize_weighted(v, w, N);
        assert_true(got.n == want.n && got.min == want.min && got.max == want.max && got.span == want.span);
        assert_true(fabs(got.avg - want.avg) <= 1e-9 * want.avg);
        assert_true(fabs(got.p95 - want.p95) <= 0.01 * want.p95);
        series_stat_free(&s);
        free(v);
        free(w);
}

/* A bytes/s series (10-20 MB/s): its histogram's resolution follows its size, so it costs a few KiB,
 * not the ~28 KiB of 0.001 steps up to 2^35, and its p95 keeps 2 digits. */
static void test_summary_large_values(void **state) {
        (void) state;
        enum { N = 5000 };
        double *v = malloc(N * sizeof(double));
        assert_non_null(v);
        SeriesStat s = {};
        srand(11);
        for (size_t i = 0; i < N; i++) {
                v[i] = 1e7 + (double) (rand() % 1000000) * 10.0;
                assert_int_equal(series_stat_add(&s, v[i], 1.0), 0);
        }
        SeriesSummary got = series_stat_summary(&s), want = series_summarize(v, N);
        assert_true(got.min == want.min && got.max == want.max);
        assert_true(fabs(got.p95 - want.p95) <= 0.01 * want.p95);
        assert_true(series_stat_memory(&s) <= 10 * 1024);
        series_stat_free(&s);
        free(v);
}

/* Every collector that samples streams (issue 13, point 5): on a captured host tree, each sample
 * after the first hands the consumer the interval of network, tasks, files and cgroup memory,
 * besides cpu, disk, memory and psi. */
typedef struct ByCollector {
        const char *names[16];
        unsigned points[16], eth0_rx;
} ByCollector;

static int count_by_collector(void *userdata, const MetricPoint *p) {
        ByCollector *b = userdata;
        size_t i = 0;
        while (i < 16 && b->names[i] && strcmp(b->names[i], p->collector) != 0)
                i++;
        if (i == 16)
                return 0;
        b->names[i] = p->collector;
        b->points[i]++;
        b->eth0_rx += p->object && strcmp(p->object, "interfaces/eth0") == 0 && strcmp(p->name, "rx_bytes_per_s") == 0;
        return 0;
}

static unsigned points_of(const ByCollector *b, const char *name) {
        for (size_t i = 0; i < 16 && b->names[i]; i++)
                if (strcmp(b->names[i], name) == 0)
                        return b->points[i];
        return 0;
}

static void sample_fixture(const char *dir, const char *fixture, ByCollector *b) {
        test_copy_fixture(fixture, dir);
        Sysroot *root = NULL;
        Profiler *p = NULL;
        assert_int_equal(sysroot_open(dir, &root), 0);
        assert_int_equal(profiler_new(root, &p), 0);
        profiler_set_full_period(p, 0);
        MetricSink sink = { count_by_collector, b };
        assert_int_equal(profiler_add_sink(p, &sink), 0);
        for (unsigned i = 0; i < 5; i++)
                assert_int_equal(profiler_sample(p, 1000000 + (uint64_t) i * 10000, i == 4), 0);
        profiler_free(p);
        sysroot_free(root);
}

static void test_every_collector_streams(void **state) {
        ByCollector b = {}, cg = {};
        sample_fixture(*state, "captured-vm", &b);
        static const char *const streaming[] = { "cpu", "memory", "disk", "psi", "network", "tasks", "files" };
        for (size_t i = 0; i < ELEMENTSOF(streaming); i++) {
                if (points_of(&b, streaming[i]) == 0)
                        fail_msg("collector %s emitted nothing", streaming[i]);
        }
        assert_int_equal(b.eth0_rx, 4);
        sample_fixture(*state, "cgroup-memory", &cg);
        assert_true(points_of(&cg, "cgroup-memory") >= 5);
}

static int setup(void **state) {
        *state = test_tmpdir();
        return 0;
}

static int teardown(void **state) {
        test_rm_rf(*state);
        free(*state);
        return 0;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_consumer_sees_every_interval, setup, teardown),
                cmocka_unit_test_setup_teardown(test_no_sink_room, setup, teardown),
                cmocka_unit_test(test_summary_exact_then_bounded),
                cmocka_unit_test(test_summary_large_values),
                cmocka_unit_test_setup_teardown(test_every_collector_streams, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
