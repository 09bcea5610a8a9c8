/* SPDX-License-Identifier: MIT */
/* skytune stress: the options (load/stress-options.c's table plus the pattern, the URL and the
 * outputs) into a StressArgs, checked by building the pattern's schedule; the run through
 * load/stress-run.h, and the skytune.load/1 document with its "stress" object to the outputs that
 * skytune load has (cli/load-output.c). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fit-width.h"
#include "load-output.h"
#include "log.h"
#include "macro.h"
#include "probe-http.h"
#include "stress-run.h"
#include "verbs.h"

typedef struct StressArgs {
        StressConfig c;
        bool pattern_set;
        const char *url;
        bool json, progress, no_system;
        const char *out, *out_ndjson, *html, *sysroot, *junit, *hdr_log;
        int server_pid;                 /* --server-pid (0: none) */
        const char *server_unit;        /* --server-unit */
        unsigned threads;
        double timeout_s, threads_d;
        LoadPhase *phases;      /* the checked schedule */
        size_t n_phases;
} StressArgs;

enum { OPT_PATTERN = 0x100, OPT_OUT, OPT_NDJSON, OPT_HTML, OPT_PROGRESS, OPT_THREADS, OPT_TIMEOUT, OPT_NO_SYSTEM, OPT_SYSROOT,
       OPT_JUNIT, OPT_HDR_LOG, OPT_SERVER_PID, OPT_SERVER_UNIT, OPT_TABLE = 0x200 };

static void stress_usage_text(FILE *f, void *userdata)
{
        fprintf(f, "Usage: skytune stress --pattern spike|gradual|surge|breakpoint|endurance URL [OPTIONS]\n"
                   "\n"
                   "Runs one load pattern against URL in the open model and reports what it is about:\n"
                   "spike and surge the recovery, gradual the knee, breakpoint the capacity, endurance the\n"
                   "drift (rules in " CLI_DOC("stress") ").\n\n");
        for (size_t i = 0; stress_option_info(i); i++) {
                const StressOptionInfo *o = stress_option_info(i);
                fprintf(f, "  --%s %s\n        %s\n", o->name, o->arg, o->help);
        }
        fprintf(f, "  --json            the skytune.load/1 document on stdout\n"
                   "  --out FILE        also write it to FILE\n"
                   "  --out-ndjson FILE the intervals as they come\n"
                   "  --html FILE       the self-contained HTML report\n"
                   "  --junit FILE      JUnit XML (CI test reports)\n"
                   "  --hdr-log FILE    the latency histograms as an HdrHistogram interval log\n"
                   "  --progress        one line per second on stderr (default when it is a TTY)\n"
                   "  --threads N       engine threads (default 1)\n"
                   "  --timeout S       per request (default 10)\n"
                   "  --no-system       do not sample the host (metrics, findings, changes)\n"
                   "  --sysroot DIR     read the host's /proc and /sys under DIR\n"
                   "  --server-pid PID  also sample the server's process tree (CPU, RSS, threads,\n"
                   "                    fds); endurance: the drift of its RSS\n"
                   "  --server-unit U   the same for the processes of the systemd unit U\n"
                   "\nExamples:\n"
                   "  skytune stress --pattern spike --rate 100 --factor 5 --spike 30s URL\n"
                   "  skytune stress --pattern breakpoint --start 100 --slo-p99 200ms URL\n"
                   "  skytune stress --pattern endurance --rate 200 --hold 4h URL --html soak.html\n"
                   "\nExit codes: 0 done (a capacity, a knee, a drift or none), 1 nothing answered,\n"
                   "2 usage, 4 a spike did not recover, 5 client-bound (the client could not keep\n"
                   "the schedule), 130 interrupted (the results so far are written).\n");
}

static void stress_usage(FILE *f)
{
        cli_fit(f, stress_usage_text, NULL);
}

/* getopt's table: the fixed options, then one per stress_option_info(i) with val OPT_TABLE + i. */
static struct option *options(void)
{
        static const struct option fixed[] = {
                { "pattern", required_argument, NULL, OPT_PATTERN }, { "json", no_argument, NULL, 'j' },
                { "out", required_argument, NULL, OPT_OUT }, { "out-ndjson", required_argument, NULL, OPT_NDJSON },
                { "html", required_argument, NULL, OPT_HTML }, { "help", no_argument, NULL, 'h' },
                { "progress", no_argument, NULL, OPT_PROGRESS }, { "threads", required_argument, NULL, OPT_THREADS },
                { "timeout", required_argument, NULL, OPT_TIMEOUT }, { "no-system", no_argument, NULL, OPT_NO_SYSTEM },
                { "sysroot", required_argument, NULL, OPT_SYSROOT }, { "junit", required_argument, NULL, OPT_JUNIT },
                { "hdr-log", required_argument, NULL, OPT_HDR_LOG },
                { "server-pid", required_argument, NULL, OPT_SERVER_PID },
                { "server-unit", required_argument, NULL, OPT_SERVER_UNIT },
        };
        size_t n = 0;
        while (stress_option_info(n))
                n++;
        struct option *o = calloc(ELEMENTSOF(fixed) + n + 1, sizeof(*o));
        if (!o)
                return NULL;
        memcpy(o, fixed, sizeof(fixed));
        for (size_t i = 0; i < n; i++)
                o[ELEMENTSOF(fixed) + i] = (struct option) { stress_option_info(i)->name, required_argument, NULL,
                                                             OPT_TABLE + (int) i };
        return o;
}

/* A number in [lo, hi] (integer: a whole one), or a usage error naming the option. */
static int number_option(const char *name, const char *text, double lo, double hi, bool integer, double *ret)
{
        char *end = NULL;
        double v = strtod(text, &end);
        if (end == text || *end || !(v >= lo && v <= hi) || (integer && v != (double) (long) v)) {
                log_error("%s %s: give a %s from %g to %g", name, text, integer ? "whole number" : "number", lo, hi);
                return EXIT_USAGE;
        }
        *ret = v;
        return EXIT_OK;
}

static int option(StressArgs *a, int c)
{
        Error e = ERROR_NULL;
        int r;
        switch (c) {
        case OPT_PATTERN:
                if ((r = stress_pattern_from_string(optarg)) < 0) {
                        log_error("--pattern %s: give spike, gradual, surge, breakpoint or endurance", optarg);
                        return EXIT_USAGE;
                }
                a->c.o.pattern = (StressPattern) r;
                a->pattern_set = true;
                return EXIT_OK;
        case 'j':
                a->json = true;
                return EXIT_OK;
        case OPT_OUT:
                a->out = optarg;
                return EXIT_OK;
        case OPT_NDJSON:
                a->out_ndjson = optarg;
                return EXIT_OK;
        case OPT_HTML:
                a->html = optarg;
                return EXIT_OK;
        case OPT_PROGRESS:
                a->progress = true;
                return EXIT_OK;
        case OPT_NO_SYSTEM:
                a->no_system = true;
                return EXIT_OK;
        case OPT_SYSROOT:
                a->sysroot = optarg;
                return EXIT_OK;
        case OPT_JUNIT:
                a->junit = optarg;
                return EXIT_OK;
        case OPT_HDR_LOG:
                a->hdr_log = optarg;
                return EXIT_OK;
        case OPT_SERVER_PID:
                return load_server_pid_parse(optarg, &a->server_pid) < 0 ? EXIT_USAGE : EXIT_OK;
        case OPT_SERVER_UNIT:
                a->server_unit = optarg;
                return EXIT_OK;
        case OPT_THREADS:
                return number_option("--threads", optarg, 1, 256, true, &a->threads_d);
        case OPT_TIMEOUT:
                return number_option("--timeout", optarg, 0.001, 3600, false, &a->timeout_s);
        default:
                if (c < OPT_TABLE || stress_config_set(&a->c, stress_option_info((size_t) (c - OPT_TABLE))->name,
                                                       optarg, &e) < 0) {
                        if (c >= OPT_TABLE)
                                log_error("%s", error_message(&e));
                        error_done(&e);
                        return EXIT_USAGE;
                }
                return EXIT_OK;
        }
}

/* The pattern, the URL and a schedule the options make. */
static int check(StressArgs *a)
{
        Error e = ERROR_NULL;
        if (!a->pattern_set) {
                log_error("skytune stress: give --pattern spike, gradual, surge, breakpoint or endurance");
                return EXIT_USAGE;
        }
        if (!a->url) {
                log_error("skytune stress: give the URL to load (http://127.0.0.1:8080/ ...)");
                return EXIT_USAGE;
        }
        if (http_url_check(a->url, &e) < 0) {
                log_error("%s: %s", a->url, error_message(&e));
                error_done(&e);
                return EXIT_USAGE;
        }
        if (load_server_check(a->server_pid, a->server_unit, a->no_system, "stress") < 0)
                return EXIT_USAGE;
        stress_config_finish(&a->c);
        if (stress_phases(&a->c.o, &a->phases, &a->n_phases, &e) < 0) {
                log_error("%s (--pattern %s)", error_message(&e), stress_pattern_names[a->c.o.pattern]);
                error_done(&e);
                return EXIT_USAGE;
        }
        if (stress_config_judgeable(&a->c, &e) < 0) {
                log_error("%s", error_message(&e));
                error_done(&e);
                return EXIT_USAGE;
        }
        return EXIT_OK;
}

/* Parse argv into *a: EXIT_OK, or the exit code with the reason logged (-1: --help was printed). */
static int stress_args_parse(int argc, char **argv, StressArgs *a)
{
        _cleanup_free_ struct option *opts = options();
        if (!opts)
                return EXIT_FAIL;
        optind = 0;
        for (int c; (c = getopt_long(argc, argv, "jh", opts, NULL)) != -1;) {
                if (c == 'h') {
                        stress_usage(stdout);
                        return -1;
                }
                if (c == '?') {
                        log_error("see 'skytune stress --help' for the options");
                        return EXIT_USAGE;
                }
                int r = option(a, c);
                if (r != EXIT_OK)
                        return r;
        }
        if (optind < argc)
                a->url = argv[optind++];
        if (optind < argc) {
                log_error("skytune stress: one URL only (%s is extra)", argv[optind]);
                return EXIT_USAGE;
        }
        return check(a);
}

static int output(LoadOutput *o, const StressRun *sr)
{
        _cleanup_(json_decrefp) json_t *doc = load_doc_build(sr->run);
        if (!doc || stress_doc_add(doc, sr) < 0)
                return log_error_errno(-ENOMEM, "cannot build the run's document: %m"), EXIT_FAIL;
        int r = load_output_write(o, doc);
        return r != EXIT_OK ? r : stress_run_exit(sr);
}

int verb_stress(int argc, char **argv)
{
        StressArgs a = {};
        int r = stress_args_parse(argc, argv, &a);
        free(a.phases);
        if (r != EXIT_OK)
                return r < 0 ? EXIT_OK : r;
        if (a.json && a.out_ndjson && !strcmp(a.out_ndjson, "-")) {
                log_error("--json and --out-ndjson - both write to stdout: send the stream to a file");
                return EXIT_USAGE;
        }
        LoadOutput o = { .json = a.json, .progress = a.progress, .out = a.out, .out_ndjson = a.out_ndjson,
                         .html = a.html, .junit = a.junit, .hdr_log = a.hdr_log, .no_system = a.no_system, .sysroot = a.sysroot,
                         .server_pid = a.server_pid, .server_unit = a.server_unit };
        if (load_output_open(&o) != EXIT_OK)
                return EXIT_FAIL;
        StressRunConfig cfg = {
                .c = &a.c, .url = a.url, .threads = (unsigned) a.threads_d, .timeout_s = a.timeout_s,
                .stop = load_stop_install(), .hooks = LOAD_OUTPUT_HOOKS(&o),
                .server_rss = load_output_server_rss,
        };
        _cleanup_(error_done) Error e = ERROR_NULL;
        StressRun *sr = NULL;
        r = stress_run(&cfg, &sr, &e);
        load_output_done_running(&o);
        if (r == -ECANCELED) {
                log_error("interrupted before anything ran: nothing written");
                r = EXIT_INTERRUPTED;
        } else if (r < 0) {
                _cleanup_free_ char *msg = error_format(&e);
                log_error("%s", msg ? msg : error_message(&e));
                r = EXIT_FAIL;
        } else {
                if (sr->run->interrupted)
                        log_error("interrupted: the results so far are written, marked interrupted");
                r = output(&o, sr);
        }
        stress_run_free(sr);
        load_output_close(&o);
        return r;
}
