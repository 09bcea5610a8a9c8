/* SPDX-License-Identifier: MIT */
/* skytune bench trends [SUITE]: change points over the suite's runs of the last days. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench-history.h"
#include "bench-trends.h"
#include "changepoint.h"
#include "cli.h"
#include "load-output.h"
#include "log.h"
#include "macro.h"
#include "render-bench.h"
#include "render.h"
#include "schema.h"
#include "suite-lookup.h"
#include "suite.h"
#include "verb-bench.h"

static const char usage[] = "Usage: skytune bench trends [SUITE] [--days N] [--metric M] [--json]\n"
                            "                            [--min-segment N] [--history FILE] [--html FILE]\n"
                            "\n"
                            "Change points in the suite's runs of the last N days (SUITE: its name or its\n"
                            "file; default the suite of the newest run): per benchmark metric each run's\n"
                            "median, in time order, split where its level changed (rank statistic, seeded\n"
                            "permutation test), with the magnitude, better or worse, the means before and\n"
                            "after, the first run after the change, and what changed near it (between the\n"
                            "run before and that run): the fingerprint fields and the skytune transactions\n"
                            "applied or rolled back.\n"
                            "\n"
                            "  --json            the changes as JSON (schema " BENCH_TRENDS_SCHEMA ")\n"
                            "  --days N          the window in days (default 30)\n"
                            "  --metric M        only metric M\n"
                            "  --min-segment N   the fewest runs on either side of a change (default 5)\n"
                            "  --history FILE    the history (default: as 'bench run')\n"
                            "  --html FILE       also one offline HTML page: per metric every run's median\n"
                            "                    over time with the segments' means, the changes and the\n"
                            "                    tuning markers; a table of the changes (also 'skytune\n"
                            "                    report TRENDS.json --html FILE')\n"
                            "\n"
                            "Exit: 0 done (with or without changes), 1 error (no history), 2 usage.\n";

/* The most runs read: beyond this the oldest of the window are left out. */
#define MAX_RUNS 100000

typedef struct TrendsArgs {
        const char *history, *suite, *metric, *html;
        unsigned days, min_segment;
        bool json;
} TrendsArgs;

static int parse_args(int argc, char **argv, TrendsArgs *a) {
        static const struct option options[] = {
                { "json", no_argument, NULL, 'j' },          { "days", required_argument, NULL, 'd' },
                { "metric", required_argument, NULL, 'm' },  { "min-segment", required_argument, NULL, 's' },
                { "history", required_argument, NULL, 'H' }, { "html", required_argument, NULL, 'T' },
                { "help", no_argument, NULL, 'h' },          {}
        };
        int c, r = 0;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
                switch (c) {
                case 'h': fputs(usage, stdout); return EXIT_OK;
                case 'j': a->json = true; break;
                case 'm': a->metric = optarg; break;
                case 'H': a->history = optarg; break;
                case 'T': a->html = optarg; break;
                case 'd': r = bench_parse_count("--days", optarg, 36500, &a->days); break;
                case 's': r = bench_parse_count("--min-segment", optarg, 10000, &a->min_segment); break;
                default:
                        log_error("unknown option or missing value '%s' (see 'skytune bench trends --help')",
                                  argv[optind - 1]);
                        return EXIT_USAGE;
                }
                if (r < 0)
                        return EXIT_USAGE;
        }
        if (argc - optind > 1) {
                log_error("bench trends takes at most one suite (see 'skytune bench trends --help')");
                return EXIT_USAGE;
        }
        a->suite = optind < argc ? argv[optind] : NULL;
        return -1;
}

/* SUITE as the suite file 'bench run' took (a path, or a name found in the suite places): its
 * name; a name found nowhere (its file gone) as it is. NULL: a file that cannot be read (logged). */
static char *suite_name(const char *arg) {
        SuitePlaces p;
        _cleanup_free_ char *path = NULL;
        if (suite_places_init(&p, NULL, true) < 0)
                return NULL;
        int r = suite_lookup(&p, arg, &path, NULL);
        suite_places_done(&p);
        if (r < 0 || access(path, F_OK) != 0)
                return strdup(arg);
        Suite *s = bench_load_suite(arg);
        char *name = s ? strdup(s->name) : NULL;
        suite_free(s);
        return name;
}

/* The runs of the window; the suite (when not given) is the newest run's. */
static int trends_open(TrendsArgs *a, json_t *runs, char **ret_suite, bool *ret_capped) {
        BenchHistory *h = NULL;
        int r = bench_history_read(a->history, &h);
        if (r < 0)
                return r;
        int64_t newest;
        size_t n = 0;
        json_t *run = NULL;
        if (!a->suite && bench_history_last(h, NULL, 1, &newest, &n) >= 0 && n == 1 &&
            bench_history_get(h, newest, &run) >= 0)
                *ret_suite = strdup(json_string_value(json_object_get(run, "suite")) ?: "");
        else if (a->suite && !(*ret_suite = suite_name(a->suite)))
                r = -EINVAL;
        json_decref(run);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t now_us = (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
        if (r >= 0)
                r = *ret_suite ? bench_history_window(h, *ret_suite, now_us - (int64_t) a->days * 86400 * 1000000,
                                                      MAX_RUNS, runs, ret_capped)
                               : 0;
        if (r < 0 && r != -EINVAL)
                log_error("cannot read the runs of suite %s from the history: %s", *ret_suite, strerror(-r));
        bench_history_close(h);
        return r;
}

/* What the caps left out, on stderr (the document says it too). */
static void warn_capped(const json_t *doc, const char *suite, unsigned days) {
        size_t i;
        const json_t *m;
        if (json_is_true(json_object_get(doc, "runs_capped")))
                log_warning("suite %s has more than %d runs in the last %u days: only the newest %d are read (give "
                            "a smaller --days)",
                            suite, MAX_RUNS, days, MAX_RUNS);
        json_array_foreach(json_object_get(doc, "metrics"), i, m)
                if (json_is_true(json_object_get(m, "changes_capped")))
                        log_warning("%s %s: more than %d changes; only the first %d are shown (give a larger "
                                    "--min-segment)",
                                    json_string_value(json_object_get(m, "benchmark")),
                                    json_string_value(json_object_get(m, "metric")), BENCH_TRENDS_MAX_CHANGES,
                                    BENCH_TRENDS_MAX_CHANGES);
}

static int trends_output(const TrendsArgs *a, const char *suite, const json_t *runs, bool capped) {
        Error e = ERROR_NULL;
        json_t *doc = NULL;
        BenchTrendsOptions o = { .metric = a->metric, .min_segment = (size_t) a->min_segment };
        if (bench_trends(runs, &o, &doc, &e) < 0) {
                log_error("%s", error_message(&e));
                error_done(&e);
                return EXIT_FAIL;
        }
        json_object_set_new(doc, "suite", json_string(suite));
        json_object_set_new(doc, "days", json_integer(a->days));
        json_object_set_new(doc, "runs_capped", json_boolean(capped));
        warn_capped(doc, suite, a->days);
        json_t *saved = cli_json_saved(doc);
        json_decref(doc);
        if (!(doc = saved))
                return EXIT_FAIL;
        int r = a->html ? cli_render_to_file(doc, a->html, "HTML report", render_bench_trends_html) : 0;
        if (r >= 0)
                r = a->json ? cli_write_json(doc, NULL) : render_bench_trends(stdout, doc);
        json_decref(doc);
        return r < 0 ? EXIT_FAIL : EXIT_OK;
}

int bench_trends_verb(int argc, char **argv) {
        TrendsArgs a = { .days = 30, .min_segment = CHANGEPOINT_MIN_SEGMENT };
        int code = parse_args(argc, argv, &a);
        if (code >= 0)
                return code;
        json_t *runs = json_array();
        char *suite = NULL;
        bool capped = false;
        if (!runs || trends_open(&a, runs, &suite, &capped) < 0)
                code = EXIT_FAIL;
        else if (!suite)
                log_notice("the history has no runs: run 'skytune bench run SUITE'");
        else if (json_array_size(runs) < 2 * (size_t) a.min_segment)
                log_notice("suite %s: need at least 2×min-segment runs (%u) in the last %u days; have %zu", suite,
                           2 * a.min_segment, a.days, json_array_size(runs));
        if (code < 0)
                code = trends_output(&a, suite ?: "", runs, capped);
        free(suite);
        json_decref(runs);
        return code;
}
