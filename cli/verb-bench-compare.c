/* SPDX-License-Identifier: MIT */
/* skytune bench compare [A] [B]: two runs of the history (default: the newest two of the suite),
 * metric by metric, with the gates of B's suite; JUnit for CI, an HTML page. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-compare.h"
#include "bench-history.h"
#include "cli.h"
#include "load-output.h"
#include "log.h"
#include "macro.h"
#include "render-bench.h"
#include "render.h"
#include "schema.h"
#include "verb-bench.h"

static const char usage[] = "Usage: skytune bench compare [A] [B] [--json] [--force] [--junit FILE]\n"
                            "                             [--html FILE] [--suite NAME] [--noise PCT]\n"
                            "                             [--aa RUN] [--baseline NAME] [--history FILE]\n"
                            "\n"
                            "Compare run B (the candidate) with run A (the baseline) of the history: per\n"
                            "metric the medians, B/A with a 95 % bootstrap interval, the Mann-Whitney p\n"
                            "after Holm's correction across all metrics, and a verdict: improved,\n"
                            "regressed, same, or unknown (with the repetitions that could decide), against\n"
                            "a noise threshold. Default: the newest two runs (of --suite NAME); one run\n"
                            "given: it and the newest other run of its suite, the older as A.\n"
                            "\n"
                            "  --json         the comparison as JSON (schema " BENCH_COMPARE_SCHEMA ")\n"
                            "  --force        compare runs whose hard fingerprint fields differ\n"
                            "  --junit FILE   JUnit XML: one test case per gate\n"
                            "  --html FILE    one offline HTML page: the gates, every metric's repetitions\n"
                            "                 on both sides and B/A with its interval (also 'skytune\n"
                            "                 report COMPARE.json --html FILE')\n"
                            "  --suite NAME   the suite whose newest runs are compared\n"
                            "  --noise PCT    the noise threshold when no A/A run measured more (default 2)\n"
                            "  --aa RUN       a run of A's configuration again: the A/A spread of each\n"
                            "                 metric raises its threshold\n"
                            "  --baseline NAME  A is the suite's baseline NAME (bench baseline), B the run\n"
                            "                 given or the newest\n"
                            "  --history FILE the history (default: as 'bench run')\n"
                            "\n"
                            "Exit: 0 compared (every gate passed), 4 a gate failed, 5 a gate undecided\n"
                            "(more repetitions needed), 1 error (runs not comparable, missing), 2 usage.\n";

typedef struct CompareArgs {
        const char *history, *junit, *html, *suite, *baseline;
        int64_t ids[2], aa;
        size_t n_ids;
        double noise;
        bool json, force;
} CompareArgs;

static int parse_id(const char *what, const char *arg, int64_t *ret) {
        char *end;
        errno = 0;
        long long v = strtoll(arg, &end, 10);
        if (errno || end == arg || *end || v < 1) {
                log_error("%s '%s': give a run's id (a number that 'bench run' printed)", what, arg);
                return -EINVAL;
        }
        *ret = v;
        return 0;
}

static int parse_option(int c, CompareArgs *a) {
        char *end;
        switch (c) {
        case 'j': a->json = true; return 0;
        case 'f': a->force = true; return 0;
        case 'J': a->junit = optarg; return 0;
        case 'T': a->html = optarg; return 0;
        case 's': a->suite = optarg; return 0;
        case 'H': a->history = optarg; return 0;
        case 'b': a->baseline = optarg; return 0;
        case 'a': return parse_id("--aa", optarg, &a->aa);
        case 'n':
                a->noise = strtod(optarg, &end) / 100;
                if (end == optarg || *end || !(a->noise > 0 && a->noise < 1)) {
                        log_error("--noise '%s': give a percentage above 0 and below 100", optarg);
                        return -EINVAL;
                }
                return 0;
        default: return -EINVAL;
        }
}

static int parse_args(int argc, char **argv, CompareArgs *a) {
        static const struct option options[] = { { "json", no_argument, NULL, 'j' },
                                                 { "force", no_argument, NULL, 'f' },
                                                 { "junit", required_argument, NULL, 'J' },
                                                 { "suite", required_argument, NULL, 's' },
                                                 { "noise", required_argument, NULL, 'n' },
                                                 { "aa", required_argument, NULL, 'a' },
                                                 { "history", required_argument, NULL, 'H' },
                                                 { "baseline", required_argument, NULL, 'b' },
                                                 { "html", required_argument, NULL, 'T' },
                                                 { "help", no_argument, NULL, 'h' },
                                                 {} };
        int c;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
                if (c == 'h') {
                        fputs(usage, stdout);
                        return EXIT_OK;
                }
                if (c == '?' || c == ':') {
                        log_error("unknown option or missing value '%s' (see 'skytune bench compare --help')",
                                  argv[optind - 1]);
                        return EXIT_USAGE;
                }
                if (parse_option(c, a) < 0)
                        return EXIT_USAGE;
        }
        if (argc - optind > 2) {
                log_error("bench compare takes at most two runs, A and B (see 'skytune bench compare --help')");
                return EXIT_USAGE;
        }
        if (a->baseline && argc - optind > 1) {
                log_error("--baseline NAME is run A: give at most one run, B (see 'skytune bench compare --help')");
                return EXIT_USAGE;
        }
        for (; optind < argc; optind++)
                if (parse_id("a run", argv[optind], &a->ids[a->n_ids++]) < 0)
                        return EXIT_USAGE;
        return -1;
}

/* --baseline NAME: B the run given or the newest (of --suite), A the baseline of B's suite. */
static int pick_baseline(BenchHistory *h, CompareArgs *a, json_t **ra, json_t **rb) {
        int64_t b = a->n_ids ? a->ids[0] : 0, base;
        size_t n = a->n_ids;
        if (!n && bench_history_last(h, a->suite, 1, &b, &n) < 0)
                n = 0;
        if (n == 0 || bench_history_get(h, b, rb) < 0) {
                log_error("no run %s%lld in the history", n ? "" : "to compare with the baseline",
                          n ? (long long) b : 0LL);
                return -ENOENT;
        }
        const char *suite = json_string_value(json_object_get(*rb, "suite"));
        if (bench_history_baseline_get(h, suite, a->baseline, &base) < 0 || bench_history_get(h, base, ra) < 0) {
                log_error("suite %s has no baseline '%s': set one with 'skytune bench baseline set RUN --name %s'",
                          suite, a->baseline, a->baseline);
                return -ENOENT;
        }
        return 0;
}

/* A and B: the ones given, else the newest of the suite (the given run's, --suite, or any). */
static int pick_runs(BenchHistory *h, CompareArgs *a, json_t **ra, json_t **rb) {
        json_t *first = NULL;
        if (a->n_ids >= 1 && bench_history_get(h, a->ids[0], &first) < 0) {
                log_error("no run %lld in the history", (long long) a->ids[0]);
                return -ENOENT;
        }
        if (a->n_ids == 2) {
                *ra = first;
                if (bench_history_get(h, a->ids[1], rb) < 0) {
                        log_error("no run %lld in the history", (long long) a->ids[1]);
                        return -ENOENT;
                }
                return 0;
        }
        const char *suite = first ? json_string_value(json_object_get(first, "suite")) : a->suite;
        int64_t ids[3];
        size_t n = 0;
        int r = bench_history_last(h, suite, 3, ids, &n);
        size_t k = 0; /* drop the given run from the newest */
        for (size_t i = 0; i < n; i++)
                if (!first || ids[i] != a->ids[0])
                        ids[k++] = ids[i];
        if (r < 0 || k < (first ? 1u : 2u)) {
                log_error("the history has %s runs of %s%s to compare: run 'skytune bench run SUITE' %s",
                          first ? "no other" : "fewer than two", suite ? "suite " : "any suite", suite ? suite : "",
                          first ? "again" : "twice");
                json_decref(first);
                return -ENOENT;
        }
        if (first) {
                /* the given run and the newest other: the older is A, so B is always the later one */
                *ra = first;
                if ((r = bench_history_get(h, ids[0], rb)) < 0)
                        return r;
                if (json_integer_value(json_object_get(*rb, "started_us")) <
                    json_integer_value(json_object_get(first, "started_us"))) {
                        *ra = *rb;
                        *rb = first;
                }
                return 0;
        }
        r = bench_history_get(h, ids[1], ra);
        return r < 0 ? r : bench_history_get(h, ids[0], rb);
}

/* Gates that these repetitions cannot fail whatever B did: said, with the repetitions that could;
 * metrics without an A/A figure: said. */
static void warn_gates(const json_t *cmp) {
        size_t i;
        const json_t *m;
        json_array_foreach(json_object_get(cmp, "metrics"), i, m) {
                const json_t *below = json_object_get(json_object_get(m, "gate"), "cannot_fail_below");
                if (json_object_get(m, "aa_spread") && json_is_null(json_object_get(m, "aa_spread")))
                        log_warning("the A/A run (--aa) has no figure for %s %s: its threshold is the noise floor",
                                    json_string_value(json_object_get(m, "benchmark")),
                                    json_string_value(json_object_get(m, "metric")));
                if (below)
                        log_warning("the gate on %s %s cannot fail with %lld and %lld repetitions across %zu "
                                    "metrics (Holm's correction): run at least %lld repetitions a side "
                                    "(bench run --repeat N)",
                                    json_string_value(json_object_get(m, "benchmark")),
                                    json_string_value(json_object_get(m, "metric")),
                                    (long long) json_integer_value(json_object_get(m, "n_a")),
                                    (long long) json_integer_value(json_object_get(m, "n_b")),
                                    json_array_size(json_object_get(cmp, "metrics")),
                                    (long long) json_integer_value(below));
        }
}

static int compare_open(CompareArgs *a, json_t **ra, json_t **rb, json_t **raa) {
        BenchHistory *h = NULL;
        int r = bench_history_read(a->history, &h);
        if (r < 0)
                return r;
        r = a->baseline ? pick_baseline(h, a, ra, rb) : pick_runs(h, a, ra, rb);
        if (r == 0 && a->aa && (r = bench_history_get(h, a->aa, raa)) < 0)
                log_error("no run %lld (--aa) in the history", (long long) a->aa);
        bench_history_close(h);
        return r;
}

static int compare_output(const json_t *cmp, bool json, const char *junit, const char *html) {
        if (junit && cli_render_to_file(cmp, junit, "JUnit XML", render_bench_junit) < 0)
                return EXIT_FAIL;
        if (html && cli_render_to_file(cmp, html, "HTML report", render_bench_compare_html) < 0)
                return EXIT_FAIL;
        if ((json ? cli_write_json(cmp, NULL) : render_bench_compare(stdout, cmp)) < 0)
                return EXIT_FAIL;
        warn_gates(cmp);
        return bench_compare_failed_gates(cmp) > 0        ? EXIT_GATE
                : bench_compare_gates(cmp, "unknown") > 0 ? EXIT_GATE_UNKNOWN
                                                          : EXIT_OK;
}

int bench_compare_report(const json_t *doc, bool json, const char *junit, const char *html) {
        json_t *cmp = cli_json_saved(doc);
        int code = cmp ? compare_output(cmp, json, junit, html) : EXIT_FAIL;
        json_decref(cmp);
        return code;
}

int bench_compare(int argc, char **argv) {
        CompareArgs a = {};
        int code = parse_args(argc, argv, &a);
        if (code >= 0)
                return code;
        json_t *ra = NULL, *rb = NULL, *raa = NULL, *cmp = NULL;
        if (compare_open(&a, &ra, &rb, &raa) < 0)
                code = EXIT_FAIL;
        Error e = ERROR_NULL;
        BenchCompareOptions o = { .force = a.force, .noise = a.noise, .aa = raa };
        if (code < 0 && bench_compare_runs(ra, rb, &o, &cmp, &e) < 0) {
                log_error("%s", error_message(&e));
                code = EXIT_FAIL;
        }
        if (code < 0)
                code = bench_compare_report(cmp, a.json, a.junit, a.html);
        error_done(&e);
        json_decref(ra);
        json_decref(rb);
        json_decref(raa);
        json_decref(cmp);
        return code;
}
