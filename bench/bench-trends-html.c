/* SPDX-License-Identifier: MIT */
/* Times what `skytune bench trends` adds to the detection (bench-trends.c times that alone): 1000
 * synthetic run documents (5 metrics of 3 samples each, 5 % noise, a +10 % shift at run 500, a
 * transaction applied at run 500 and another rolled back at run 750) through bench_trends() (the
 * document with every run's point, the segments, the transactions near each change and the tuning
 * markers) and then render_bench_trends_html() to /dev/null; prints the median of 7 passes of each
 * and the page's size. Target: bench trends <= 200 ms over 1000 runs (issue 18). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-trends.h"
#include "render.h"
#include "stats.h"

#define RUNS    1000
#define METRICS 5
#define PASSES  7

static double now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

static json_t *txs(int i) {
        json_t *t = json_array();
        if (i < 750)
                json_array_append_new(t,
                                      json_pack("{s:s,s:s,s:[s]}", "id", "20261201T000000-000001-aaaaaa", "applied",
                                                "2026-12-01", "tunables", "vm.dirty_ratio=30"));
        if (i >= 500)
                json_array_append_new(t,
                                      json_pack("{s:s,s:s,s:[s]}", "id", "20261202T000000-000002-bbbbbb", "applied",
                                                "2026-12-02", "tunables", "vm.swappiness=10"));
        return t;
}

static json_t *runs(void) {
        StatsRng r;
        stats_rng_seed(&r, 1);
        json_t *a = json_array();
        for (int i = 0; i < RUNS; i++) {
                json_t *metrics = json_array();
                for (int m = 0; m < METRICS; m++) {
                        double level = 1000.0 * (i >= 500 ? 1.10 : 1.0), s[3];
                        for (int k = 0; k < 3; k++)
                                s[k] = level * (1.0 + 0.05 * stats_rng_gauss(&r));
                        char name[16];
                        snprintf(name, sizeof(name), "m%d", m);
                        json_array_append_new(metrics,
                                              json_pack("{s:s,s:s,s:b,s:[f,f,f]}", "name", name, "unit", "ops",
                                                        "higher_is_better", 1, "samples", s[0], s[1], s[2]));
                }
                json_array_append_new(a,
                                      json_pack("{s:I,s:I,s:{s:{},s:{}},s:o,s:[{s:s,s:o}]}", "id", (json_int_t) i + 1,
                                                "started_us", (json_int_t) 1796000000000000 + (json_int_t) i * 60000000,
                                                "fingerprint", "hard", "soft", "transactions", txs(i), "benchmarks",
                                                "name", "b", "metrics", metrics));
        }
        return a;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

int main(void) {
        json_t *r = runs();
        FILE *sink = fopen("/dev/null", "we");
        double t_doc[PASSES], t_html[PASSES];
        long size = 0;
        size_t changes = 0, tuning = 0;
        for (int p = 0; p < PASSES; p++) {
                json_t *doc = NULL;
                BenchTrendsOptions o = {};
                double t0 = now_ms();
                if (!sink || bench_trends(r, &o, &doc, NULL) < 0)
                        return 1;
                double t1 = now_ms();
                json_object_set_new(doc, "suite", json_string("synthetic"));
                json_object_set_new(doc, "days", json_integer(30));
                rewind(sink);
                if (render_bench_trends_html(sink, doc, NULL) < 0)
                        return 1;
                fflush(sink);
                t_doc[p] = t1 - t0;
                t_html[p] = now_ms() - t1;
                changes = json_array_size(json_object_get(doc, "changes"));
                tuning = json_array_size(json_object_get(doc, "tuning"));
                char *text = json_dumps(doc, JSON_COMPACT);
                size = text ? (long) strlen(text) : 0;
                free(text);
                json_decref(doc);
        }
        qsort(t_doc, PASSES, sizeof(double), cmp_double);
        qsort(t_html, PASSES, sizeof(double), cmp_double);
        printf("bench_trends over %d runs x %d metrics: %.1f ms (median of %d; %zu changes, %zu tuning markers, "
               "document %ld bytes)\n",
               RUNS, METRICS, t_doc[PASSES / 2], PASSES, changes, tuning, size);
        printf("render_bench_trends_html of it: %.1f ms\n", t_html[PASSES / 2]);
        fclose(sink);
        json_decref(r);
        return 0;
}
