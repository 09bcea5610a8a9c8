/* SPDX-License-Identifier: MIT */
/* skytune bench baseline set|accept RUN, baseline show: named baselines in the history. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-history.h"
#include "cli.h"
#include "log.h"
#include "macro.h"
#include "time-util.h"
#include "verb-bench.h"

static const char usage[] = "Usage: skytune bench baseline set RUN [--name NAME] [--history FILE]\n"
                            "       skytune bench baseline accept RUN [--name NAME] [--history FILE]\n"
                            "       skytune bench baseline show [--json] [--history FILE]\n"
                            "\n"
                            "Named baselines of a suite (default name: main), which 'bench compare\n"
                            "--baseline NAME' compares against. 'accept' records a deliberate change: RUN\n"
                            "becomes the baseline, marked accepted, the one before it kept as previous, so\n"
                            "the change no longer counts as a regression. A baseline's run is never deleted\n"
                            "by retention.\n"
                            "\n"
                            "Exit: 0 done, 1 no such run or history, 2 usage.\n";

typedef struct BaselineArgs {
        const char *name, *history;
        int64_t run;
        bool json;
} BaselineArgs;

static int parse_args(int argc, char **argv, bool takes_run, BaselineArgs *a) {
        static const struct option options[] = { { "name", required_argument, NULL, 'n' },
                                                 { "history", required_argument, NULL, 'H' },
                                                 { "json", no_argument, NULL, 'j' },
                                                 { "help", no_argument, NULL, 'h' },
                                                 {} };
        int c;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1)
                if (c == 'n')
                        a->name = optarg;
                else if (c == 'H')
                        a->history = optarg;
                else if (c == 'j')
                        a->json = true;
                else if (c == 'h') {
                        fputs(usage, stdout);
                        return EXIT_OK;
                } else {
                        log_error("unknown option or missing value '%s' (see 'skytune bench baseline --help')",
                                  argv[optind - 1]);
                        return EXIT_USAGE;
                }
        char *end = NULL;
        if (takes_run && optind + 1 == argc)
                a->run = strtoll(argv[optind], &end, 10);
        if ((takes_run && (optind + 1 != argc || !end || *end || a->run < 1)) || (!takes_run && optind != argc)) {
                log_error("bench baseline %s (see 'skytune bench baseline --help')",
                          takes_run ? "set and accept take one RUN id" : "show takes no argument");
                return EXIT_USAGE;
        }
        return -1;
}

static BenchHistory *open_history(const BaselineArgs *a, bool write) {
        _cleanup_free_ char *path = NULL;
        BenchHistory *h = NULL;
        if (bench_history_path(a->history, write, &path) < 0)
                return NULL;
        int r = write ? bench_history_open(path, &h, NULL) : bench_history_open_reader(path, &h);
        if (r < 0)
                log_error("cannot open the history %s: %s", path, strerror(-r));
        return r < 0 ? NULL : h;
}

static int baseline_show(const BaselineArgs *a) {
        BenchHistory *h = open_history(a, false);
        json_t *list = NULL;
        if (!h || bench_history_baselines(h, &list) < 0) {
                bench_history_close(h);
                return EXIT_FAIL;
        }
        bench_history_close(h);
        if (a->json) {
                int r = cli_write_json(list, NULL);
                json_decref(list);
                return r < 0 ? EXIT_FAIL : EXIT_OK;
        }
        size_t i;
        const json_t *b;
        if (json_array_size(list) == 0)
                printf("no baselines: set one with 'skytune bench baseline set RUN'\n");
        json_array_foreach(list, i, b) {
                char when[ISO8601_USEC_SIZE];
                const json_t *prev = json_object_get(b, "previous");
                printf("%s %s: run %lld since %s%s", json_string_value(json_object_get(b, "suite")),
                       json_string_value(json_object_get(b, "name")),
                       (long long) json_integer_value(json_object_get(b, "run")),
                       time_format_iso8601((uint64_t) json_integer_value(json_object_get(b, "set_us")), when),
                       json_is_true(json_object_get(b, "accepted")) ? " (accepted change" : "");
                if (json_is_true(json_object_get(b, "accepted")))
                        printf(json_is_integer(prev) ? " over run %lld)" : ")", (long long) json_integer_value(prev));
                printf("\n");
        }
        json_decref(list);
        return EXIT_OK;
}

static int baseline_set(const BaselineArgs *a, bool accepted) {
        BenchHistory *h = open_history(a, true);
        if (!h)
                return EXIT_FAIL;
        int64_t before = 0;
        json_t *run = NULL;
        int r = bench_history_get(h, a->run, &run);
        const char *suite = json_string_value(json_object_get(run, "suite"));
        bool had = r == 0 && bench_history_baseline_get(h, suite, a->name, &before) == 0;
        if (r == 0 && accepted && !had)
                r = -ENOEXEC;
        if (r == 0)
                r = bench_history_baseline_set(h, a->name, a->run, accepted, (int64_t) time_now_realtime_usec());
        bench_history_close(h);
        if (r == -ENOENT)
                log_error("no run %lld in the history", (long long) a->run);
        else if (r == -ENOEXEC)
                log_error("suite %s has no baseline '%s' to accept a change over: use 'bench baseline set %lld'", suite,
                          a->name, (long long) a->run);
        else if (r < 0)
                log_error("cannot set the baseline: %s", strerror(-r));
        else
                printf("baseline %s of suite %s: run %lld%s\n", a->name, suite, (long long) a->run,
                       accepted ? " (accepted change)" : "");
        json_decref(run);
        return r < 0 ? EXIT_FAIL : EXIT_OK;
}

int bench_baseline(int argc, char **argv) {
        BaselineArgs a = { .name = "main" };
        const char *sub = argc >= 2 ? argv[1] : "";
        if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
                fputs(usage, stdout);
                return EXIT_OK;
        }
        bool show = strcmp(sub, "show") == 0, set = strcmp(sub, "set") == 0, accept = strcmp(sub, "accept") == 0;
        if (!show && !set && !accept) {
                log_error("bench baseline %s%s: use set, accept or show (see 'skytune bench baseline --help')",
                          *sub ? "has no subcommand " : "needs a subcommand", sub);
                return EXIT_USAGE;
        }
        int code = parse_args(argc - 1, argv + 1, !show, &a);
        if (code >= 0)
                return code;
        return show ? baseline_show(&a) : baseline_set(&a, accept);
}
