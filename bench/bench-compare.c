/* SPDX-License-Identifier: MIT */
/* bench-compare: how long `skytune bench compare` takes on two runs of 10 metrics x 30 repetitions
 * (target <= 50 ms; docs/bench.md). A history with the two runs is built first; then, alternating
 * A B A B for N rounds: A reads both runs from the history and compares them in-process (the
 * library's part), B runs this build's `skytune bench compare --json` as a process (what a user
 * waits for). Prints every round and the medians.
 * Then the verdicts on synthetic runs (samples uniform within +-2.5 %, seeded): `--aa N` comparisons
 * of 5 metrics x 10 repetitions drawn alike (target: at most 1 in 20 with any metric called
 * improved or regressed after Holm), and N with every metric 5 % slower (how many call each one
 * regressed).
 *   bench-compare [--rounds N] [--metrics M] [--reps R] [--aa N] */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench-compare.h"
#include "bench-history.h"
#include "stats.h"

static double now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

/* A run of one benchmark with m metrics of r samples around 1 (+shift), 5 % noise. */
static json_t *make_run(unsigned m, unsigned r, double shift, bool all, StatsRng *rng) {
        json_t *metrics = json_array(), *reps = json_array();
        for (unsigned k = 0; k < r; k++)
                json_array_append_new(reps, json_integer(k));
        for (unsigned i = 0; i < m; i++) {
                json_t *s = json_array();
                for (unsigned k = 0; k < r; k++)
                        json_array_append_new(s,
                                              json_real((1 + shift * (all || i % 3 == 0)) *
                                                        (1 + 0.05 * (stats_rng_uniform(rng) - 0.5))));
                char name[32];
                snprintf(name, sizeof(name), "metric_%u", i);
                json_t *mj = json_pack("{s:s, s:s, s:b, s:o}", "name", name, "unit", "s", "higher_is_better", 0,
                                       "samples", s);
                if (i == 0)
                        json_object_set_new(mj, "gate", json_pack("{s:f, s:f}", "max_regression", 0.05, "alpha", 0.05));
                json_array_append_new(metrics, mj);
        }
        return json_pack("{s:s, s:s, s:I, s:I, s:s, s:{s:{s:s}, s:{}}, s:[{s:s, s:s, s:s, s:o, s:o}]}", "suite",
                         "bench", "suite_digest", "0", "started_us", (json_int_t) 1, "finished_us", (json_int_t) 2,
                         "skytune_version", "0", "fingerprint", "hard", "cpu_model", "x", "soft", "benchmarks", "name",
                         "b", "kind", "command", "config_digest", "d", "repetition_started_us", reps, "metrics",
                         metrics);
}

static double in_process(const char *path) {
        double t0 = now_ms();
        BenchHistory *h = NULL;
        json_t *a = NULL, *b = NULL, *cmp = NULL;
        Error e = ERROR_NULL;
        if (bench_history_open_reader(path, &h) < 0 || bench_history_get(h, 1, &a) < 0 ||
            bench_history_get(h, 2, &b) < 0 || bench_compare_runs(a, b, &(BenchCompareOptions) {}, &cmp, &e) < 0) {
                fprintf(stderr, "bench-compare: the comparison failed: %s\n", error_message(&e));
                exit(1);
        }
        double t = now_ms() - t0;
        bench_history_close(h);
        json_decref(a);
        json_decref(b);
        json_decref(cmp);
        return t;
}

static double process(const char *path) {
        char cmd[4200];
        snprintf(cmd, sizeof(cmd), "'%s' bench compare 1 2 --json --history '%s' >/dev/null", SKYTUNE_BIN, path);
        double t0 = now_ms();
        int r = system(cmd);
        double t = now_ms() - t0;
        if (r != 0 && WEXITSTATUS(r) != 4) {
                fprintf(stderr, "bench-compare: '%s' failed\n", cmd);
                exit(1);
        }
        return t;
}

/* n comparisons of synthetic runs, B shifted by shift on every metric: how many had any metric
 * called improved or regressed, and how many metrics in all were called regressed. */
static void verdicts(unsigned n, double shift, const char *what) {
        StatsRng rng;
        stats_rng_seed(&rng, 7);
        unsigned any = 0, regressed = 0, metrics = 0;
        for (unsigned i = 0; i < n; i++) {
                json_t *a = make_run(5, 10, 0, true, &rng), *b = make_run(5, 10, shift, true, &rng), *cmp = NULL;
                Error e = ERROR_NULL;
                if (bench_compare_runs(a, b, &(BenchCompareOptions) {}, &cmp, &e) < 0) {
                        fprintf(stderr, "bench-compare: %s\n", error_message(&e));
                        exit(1);
                }
                const json_t *sum = json_object_get(cmp, "summary");
                long long imp = json_integer_value(json_object_get(sum, "improvements"));
                long long reg = json_integer_value(json_object_get(sum, "regressions"));
                any += imp + reg > 0;
                regressed += (unsigned) reg;
                metrics += (unsigned) json_array_size(json_object_get(cmp, "metrics"));
                json_decref(a);
                json_decref(b);
                json_decref(cmp);
        }
        printf("%s: %u of %u comparisons called some metric improved or regressed; %u of %u metrics regressed\n", what,
               any, n, regressed, metrics);
}

int main(int argc, char **argv) {
        unsigned rounds = 11, m = 10, r = 30, aa = 20;
        static const struct option options[] = { { "rounds", required_argument, NULL, 'n' },
                                                 { "metrics", required_argument, NULL, 'm' },
                                                 { "reps", required_argument, NULL, 'r' },
                                                 { "aa", required_argument, NULL, 'a' },
                                                 {} };
        int c;
        while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
                unsigned v = (unsigned) strtoul(optarg ? optarg : "0", NULL, 10);
                if (c == '?' || v < 1 || v > 1000) {
                        fprintf(stderr,
                                "usage: bench-compare [--rounds N] [--metrics M] [--reps R] [--aa N] (1 .. 1000)\n");
                        return 2;
                }
                *(c == 'n' ? &rounds : c == 'm' ? &m : c == 'a' ? &aa : &r) = v;
        }
        char dir[] = "/tmp/bench-compare-XXXXXX", path[64];
        if (!mkdtemp(dir))
                return 1;
        snprintf(path, sizeof(path), "%s/bench.db", dir);
        StatsRng rng;
        stats_rng_seed(&rng, 42);
        BenchHistory *h = NULL;
        json_t *a = make_run(m, r, 0, false, &rng), *b = make_run(m, r, 0.1, false, &rng);
        if (bench_history_open(path, &h, NULL) < 0 || bench_history_add(h, a, NULL, NULL) < 0 ||
            bench_history_add(h, b, NULL, NULL) < 0) {
                fprintf(stderr, "bench-compare: cannot build the history in %s\n", path);
                return 1;
        }
        bench_history_close(h);
        json_decref(a);
        json_decref(b);
        double ta[1000], tb[1000];
        printf("bench compare of 2 runs, %u metrics x %u repetitions, %u rounds A B A B\n", m, r, rounds);
        printf("round  A: read+compare in-process (ms)  B: skytune bench compare process (ms)\n");
        for (unsigned i = 0; i < rounds; i++) {
                ta[i] = in_process(path);
                tb[i] = process(path);
                printf("%5u  %33.2f  %37.2f\n", i + 1, ta[i], tb[i]);
        }
        printf("median A %.2f ms, B %.2f ms (target <= 50 ms)\n", stats_median(ta, rounds), stats_median(tb, rounds));
        verdicts(aa, 0, "A/A (5 metrics x 10 repetitions, +-2.5 % noise)");
        verdicts(aa, 0.05, "5 % slower (5 metrics x 10 repetitions, +-2.5 % noise)");
        unlink(path);
        char wal[80];
        snprintf(wal, sizeof(wal), "%s-wal", path);
        unlink(wal);
        snprintf(wal, sizeof(wal), "%s-shm", path);
        unlink(wal);
        rmdir(dir);
        return 0;
}
