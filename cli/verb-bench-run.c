/* SPDX-License-Identifier: MIT */
/* skytune bench run SUITE: the suite's benchmarks interleaved, the whole run into the history in one
 * transaction (Ctrl-C: nothing is written, exit 130), then retention. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-history.h"
#include "cli.h"
#include "log.h"
#include "macro.h"
#include "render-bench.h"
#include "schema.h"
#include "suite-run.h"
#include "verb-bench.h"

static const char usage[] = "Usage: skytune bench run SUITE [--repeat N] [--json] [--history FILE]\n"
                            "                         [--keep-days D] [--keep-runs N] [--sysroot DIR]\n"
                            "\n"
                            "Run a suite file (docs/bench.md): repetitions of its benchmarks interleaved\n"
                            "(A B A B), warm-ups thrown away, and every repetition's samples kept in the\n"
                            "history with the suite's digest and the host's fingerprint.\n"
                            "\n"
                            "  --repeat N      N repetitions of each benchmark (default: the suite's)\n"
                            "  --json          the run as JSON (schema " BENCH_RUN_SCHEMA ")\n"
                            "  --history FILE  the history (default: $XDG_STATE_HOME/skytune/bench.db,\n"
                            "                  for root /var/lib/skytune/bench.db)\n"
                            "  --keep-days D   then delete the suite's runs older than D days (default 365)\n"
                            "  --keep-runs N   and all but its newest N runs (default 1000)\n"
                            "  --sysroot DIR   read the host fingerprint under DIR\n"
                            "\n"
                            "Exit: 0 recorded, 1 a benchmark failed (nothing recorded), 2 usage, 130\n"
                            "interrupted (nothing recorded).\n";

static volatile sig_atomic_t stop_flag;

static void on_stop(int sig) {
        stop_flag = sig;
}

typedef struct RunArgs {
        const char *suite, *history, *sysroot;
        unsigned repeat, keep_days, keep_runs;
        bool json;
} RunArgs;

static int parse_args(int argc, char **argv, RunArgs *a) {
        static const struct option options[] = { { "repeat", required_argument, NULL, 'r' },
                                                 { "json", no_argument, NULL, 'j' },
                                                 { "history", required_argument, NULL, 'H' },
                                                 { "keep-days", required_argument, NULL, 'd' },
                                                 { "keep-runs", required_argument, NULL, 'k' },
                                                 { "sysroot", required_argument, NULL, 's' },
                                                 { "help", no_argument, NULL, 'h' },
                                                 {} };
        int c;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
                int r = 0;
                switch (c) {
                case 'r': r = bench_parse_count("--repeat", optarg, SUITE_REPETITIONS_MAX, &a->repeat); break;
                case 'j': a->json = true; break;
                case 'H': a->history = optarg; break;
                case 'd': r = bench_parse_count("--keep-days", optarg, 100000, &a->keep_days); break;
                case 'k': r = bench_parse_count("--keep-runs", optarg, 10000000, &a->keep_runs); break;
                case 's': a->sysroot = optarg; break;
                case 'h': fputs(usage, stdout); return EXIT_OK;
                default:
                        log_error("unknown option or missing value '%s' (see 'skytune bench run --help')",
                                  argv[optind - 1]);
                        return EXIT_USAGE;
                }
                if (r < 0)
                        return EXIT_USAGE;
        }
        if (optind + 1 != argc) {
                log_error("bench run takes one SUITE file (see 'skytune bench run --help')");
                return EXIT_USAGE;
        }
        a->suite = argv[optind];
        return -1;
}

static void progress(void *userdata, const SuiteBench *b, unsigned rep, unsigned reps, bool warmup) {
        if (cli_stderr_is_tty())
                fprintf(stderr, "\r%s: %s %u/%u%s", b->name, warmup ? "warm-up" : "repetition", rep, reps,
                        cli_erase_eol());
}

/* The run into the history, then retention of the suite's runs. */
static int record(const RunArgs *a, json_t *doc, const char *suite) {
        _cleanup_free_ char *path = NULL, *moved = NULL;
        if (bench_history_path(a->history, true, &path) < 0)
                return EXIT_FAIL;
        BenchHistory *h = NULL;
        int r = bench_history_open(path, &h, &moved);
        if (moved)
                log_warning("the history %s was damaged or not skytune's: moved aside to %s, a new one started", path,
                            moved);
        if (r < 0) {
                log_error("cannot open the history %s: %s%s", path, strerror(-r),
                          r == -EPROTO ? " (written by a newer skytune: use that, or give --history FILE)" : "");
                return EXIT_FAIL;
        }
        int64_t id;
        unsigned deleted = 0;
        r = bench_history_add(h, doc, &id);
        if (r >= 0) {
                json_object_set_new(doc, "id", json_integer(id));
                int64_t keep_us = (int64_t) a->keep_days * 86400 * 1000000;
                int64_t started = json_integer_value(json_object_get(doc, "started_us"));
                if (bench_history_prune(h, suite, started - keep_us, a->keep_runs, &deleted) < 0)
                        log_warning("retention of the history %s failed; the run is kept", path);
        }
        bench_history_close(h);
        if (r < 0) {
                log_error("cannot write the run into the history %s: %s", path, strerror(-r));
                return EXIT_FAIL;
        }
        log_notice("run %lld of suite %s recorded in %s%s", (long long) id, suite, path,
                   deleted ? " (older runs deleted by retention)" : "");
        return EXIT_OK;
}

int bench_run(int argc, char **argv) {
        RunArgs a = { .keep_days = 365, .keep_runs = 1000 };
        int code = parse_args(argc, argv, &a);
        if (code >= 0)
                return code;
        Suite *s = bench_load_suite(a.suite);
        if (!s)
                return EXIT_USAGE;
        Sysroot *root = NULL;
        if (cli_open_sysroot(a.sysroot, &root) < 0) {
                suite_free(s);
                return EXIT_USAGE;
        }
        struct sigaction sa = { .sa_handler = on_stop };
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        SuiteRunOptions o = { .repeat = a.repeat, .sysroot = root, .stop = &stop_flag, .progress = progress };
        json_t *doc = NULL;
        Error e = ERROR_NULL;
        int r = suite_run(s, &o, &doc, &e);
        if (cli_stderr_is_tty())
                cli_progress_clear();
        if (r == -EINTR)
                log_error("interrupted: the run of suite %s was not recorded", s->name);
        else if (r < 0)
                log_error("%s (the run was not recorded)", error_message(&e));
        else
                code = record(&a, doc, s->name);
        if (r >= 0 && code == EXIT_OK)
                code = a.json ? (cli_write_json(doc, NULL) < 0 ? EXIT_FAIL : EXIT_OK)
                              : (render_bench_run(stdout, doc) < 0 ? EXIT_FAIL : EXIT_OK);
        error_done(&e);
        json_decref(doc);
        sysroot_free(root);
        suite_free(s);
        return r == -EINTR ? EXIT_INTERRUPTED : r < 0 ? EXIT_FAIL : code;
}
