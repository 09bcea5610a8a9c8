/* SPDX-License-Identifier: MIT */
/* skytune bench run SUITE: the suite's benchmarks interleaved, the whole run into the history in one
 * transaction (Ctrl-C: nothing is written, exit 130), then retention. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-compare.h"
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
                            "                         [--against REF [--junit FILE] [--html FILE]]\n"
                            "\n"
                            "Run a suite (docs/bench.md; a file, or a NAME as 'bench list' shows):\n"
                            "repetitions of its benchmarks interleaved (A B A B), warm-ups thrown away,\n"
                            "and every repetition's samples kept in the history with the suite's digest\n"
                            "and the host's fingerprint.\n"
                            "\n"
                            "  --repeat N      N repetitions of each benchmark (default: the suite's)\n"
                            "  --json          the run as JSON (schema " BENCH_RUN_SCHEMA ")\n"
                            "  --history FILE  the history (default: $XDG_STATE_HOME/skytune/bench.db,\n"
                            "                  for root /var/lib/skytune/bench.db)\n"
                            "  --keep-days D   then delete the suite's runs older than D days (default 365)\n"
                            "  --keep-runs N   and all but its newest N runs (default 1000)\n"
                            "  --sysroot DIR   read the host fingerprint under DIR\n"
                            "  --against REF   also run suite REF (the reference: the same benchmark\n"
                            "                  names, its own name), each round both sides in turn, their\n"
                            "                  order swapped every round; both runs are recorded and SUITE\n"
                            "                  is compared with REF as 'bench compare' does (--json: the\n"
                            "                  comparison), exit codes as 'bench compare'\n"
                            "  --junit FILE, --html FILE  with --against: the comparison's reports\n"
                            "\n"
                            "Exit: 0 recorded, 1 a benchmark failed (nothing recorded), 2 usage, 130\n"
                            "interrupted (nothing recorded); with --against also 4 a gate failed, 5 a gate\n"
                            "undecided.\n";

static volatile sig_atomic_t stop_flag;

static void on_stop(int sig) {
        stop_flag = sig;
}

typedef struct RunArgs {
        const char *suite, *history, *sysroot, *against, *junit, *html;
        unsigned repeat, keep_days, keep_runs;
        bool json;
} RunArgs;

static int parse_args(int argc, char **argv, RunArgs *a) {
        static const struct option options[] = { { "repeat", required_argument, NULL, 'r' },
                                                 { "json", no_argument, NULL, 'j' },
                                                 { "history", required_argument, NULL, 'H' },
                                                 { "keep-days", required_argument, NULL, 'd' },
                                                 { "keep-runs", required_argument, NULL, 'k' },
                                                 { "against", required_argument, NULL, 'a' },
                                                 { "junit", required_argument, NULL, 'J' },
                                                 { "html", required_argument, NULL, 'T' },
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
                case 'a': a->against = optarg; break;
                case 'J': a->junit = optarg; break;
                case 'T': a->html = optarg; break;
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
                log_error("bench run takes one SUITE, a file or a name (see 'skytune bench run --help')");
                return EXIT_USAGE;
        }
        a->suite = argv[optind];
        if ((a->junit || a->html) && !a->against) {
                log_error("--junit and --html report a comparison: give --against REF (or use 'skytune bench "
                          "compare')");
                return EXIT_USAGE;
        }
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
        Error e = ERROR_NULL;
        r = bench_history_add(h, doc, &id, &e);
        if (r >= 0) {
                json_object_set_new(doc, "id", json_integer(id));
                int64_t keep_us = (int64_t) a->keep_days * 86400 * 1000000;
                int64_t started = json_integer_value(json_object_get(doc, "started_us"));
                if (bench_history_prune(h, suite, started - keep_us, a->keep_runs, &deleted) < 0)
                        log_warning("retention of the history %s failed; the run is kept", path);
        }
        bench_history_close(h);
        if (r < 0) {
                log_error("cannot write the run into the history %s: %s", path,
                          error_is_set(&e) ? error_message(&e) : strerror(-r));
                error_done(&e);
                return EXIT_FAIL;
        }
        log_notice("run %lld of suite %s recorded in %s%s", (long long) id, suite, path,
                   deleted ? " (older runs deleted by retention)" : "");
        return EXIT_OK;
}

/* SUITE against REF: B against A, as bench compare, across the configurations (that is the point). */
static int report_pair(const RunArgs *a, const json_t *ref_doc, const json_t *doc) {
        BenchCompareOptions o = { .force = true };
        json_t *cmp = NULL;
        Error e = ERROR_NULL;
        int code = bench_compare_runs(ref_doc, doc, &o, &cmp, &e) < 0 ? EXIT_FAIL : -1;
        if (code == EXIT_FAIL)
                log_error("cannot compare the runs: %s", error_message(&e));
        else
                code = bench_compare_report(cmp, a->json, a->junit, a->html);
        error_done(&e);
        json_decref(cmp);
        return code;
}

static Suite *load_pair(const RunArgs *a, Suite **ret_ref) {
        *ret_ref = NULL;
        Suite *s = bench_load_suite(a->suite);
        if (!s || !a->against)
                return s;
        Error e = ERROR_NULL;
        if (!(*ret_ref = bench_load_suite(a->against)) || suite_pair_check(s, *ret_ref, &e) < 0) {
                if (*ret_ref)
                        log_error("%s (see 'skytune bench run --help')", error_message(&e));
                error_done(&e);
                suite_free(*ret_ref);
                suite_free(s);
                *ret_ref = NULL;
                return NULL;
        }
        return s;
}

int bench_run(int argc, char **argv) {
        RunArgs a = { .keep_days = 365, .keep_runs = 1000 };
        int code = parse_args(argc, argv, &a);
        if (code >= 0)
                return code;
        Suite *ref = NULL, *s = load_pair(&a, &ref);
        if (!s)
                return EXIT_USAGE;
        Sysroot *root = NULL;
        if (cli_open_sysroot(a.sysroot, &root) < 0) {
                suite_free(ref);
                suite_free(s);
                return EXIT_USAGE;
        }
        /* Before the handlers: a Ctrl-C while the helper is asked ends the command at once. */
        json_t *txs = bench_active_transactions(); /* what was active when the run started */
        struct sigaction sa = { .sa_handler = on_stop };
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        SuiteRunOptions o = {
                .repeat = a.repeat, .sysroot = root, .stop = &stop_flag, .progress = progress, .transactions = txs
        };
        json_t *doc = NULL, *ref_doc = NULL;
        Error e = ERROR_NULL;
        int r = ref ? suite_run_pair(s, ref, &o, &doc, &ref_doc, &e) : suite_run(s, &o, &doc, &e);
        if (cli_stderr_is_tty())
                cli_progress_clear();
        if (r == -EINTR)
                log_error("interrupted: the run of suite %s was not recorded", s->name);
        else if (r < 0)
                log_error("%s (the run was not recorded)", error_message(&e));
        else if ((code = ref ? record(&a, ref_doc, ref->name) : EXIT_OK) == EXIT_OK) {
                if (stop_flag) {
                        log_error("interrupted: the reference's run (suite %s) is recorded, suite %s's is not",
                                  ref->name, s->name);
                        code = EXIT_INTERRUPTED;
                } else if ((code = record(&a, doc, s->name)) != EXIT_OK && ref)
                        log_error("the reference's run (suite %s) is in the history without its partner; compare it "
                                  "with a later run of suite %s with 'bench compare A B --force'",
                                  ref->name, s->name);
        }
        if (r >= 0 && code == EXIT_OK)
                code = ref       ? report_pair(&a, ref_doc, doc)
                        : a.json ? (cli_write_json(doc, NULL) < 0 ? EXIT_FAIL : EXIT_OK)
                                 : (render_bench_run(stdout, doc) < 0 ? EXIT_FAIL : EXIT_OK);
        error_done(&e);
        json_decref(txs);
        json_decref(doc);
        json_decref(ref_doc);
        sysroot_free(root);
        suite_free(ref);
        suite_free(s);
        return r == -EINTR || code == EXIT_INTERRUPTED ? EXIT_INTERRUPTED : r < 0 ? EXIT_FAIL : code;
}
