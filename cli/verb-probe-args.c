/* SPDX-License-Identifier: MIT */
/* skytune probe: the options, as a ProbeArgs, and the help text. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fit-width.h"
#include "log.h"
#include "macro.h"
#include "http-args.h"
#include "verb-probe.h"
#include "verbs.h"

enum { OPT_OUT = 0x100, OPT_DIR, OPT_URL, OPT_USERS, OPT_RATE, OPT_ARRIVAL, OPT_METHOD, OPT_DATA,
       OPT_HEADER, OPT_CACERT, OPT_TIMEOUT, OPT_SEED, OPT_THREADS, OPT_BASELINE, OPT_FAIL_REGRESSION };

static void probe_usage_text(FILE *f, void *userdata) {
        fprintf(f,
                "Usage: skytune probe [NAME...] [--duration S] [--rounds N] [--json] [OPTIONS]\n"
                "\n"
                "Runs short, bounded workloads and reports one sample per round for each metric, with\n"
                "the median and spread, so that two runs can be compared statistically. Probes:\n");
        for (size_t i = 0; i < probe_table_size; i++)
                fprintf(f, "  %-7s %s\n", probe_table[i]->name, probe_table[i]->summary);
        fprintf(f,
                "Without names every probe but http runs; with --url and no names only http runs.\n"
                "\n"
                "  --duration S     length of one round (default 1; accepts 500ms, 2s)\n"
                "  --rounds N       rounds per probe (default 5; comparisons want 5 or more a side)\n"
                "  --json           print the result as JSON (schema skytune.probe/1, see\n"
                "                   " CLI_DOC("probes") ")\n"
                "  --out FILE       also write the JSON result to FILE\n"
                "  --baseline FILE  compare with a saved run (--out FILE of an earlier probe): per metric the\n"
                "                   change with its 95 %% interval and a verdict (improved, regressed,\n"
                "                   unchanged, inconclusive); rounds of the two runs are not interleaved, so\n"
                "                   drift between them counts as change (apply --verify alternates)\n"
                "  --fail-on-regression  with --baseline: exit 1 when a primary metric regressed\n"
                "  --dir DIR        disk: directory for the temporary file (default: the state directory's\n"
                "                   file system); the file has no name and vanishes when the probe ends\n"
                "\n"
                "http (a load generator; only point it at servers you are allowed to load):\n"
                "  --url URL        target; repeat for several URLs (each is probed on its own)\n"
                "  --users N        closed model: concurrent users (default 10); open model: most\n"
                "                   requests in flight (default 100)\n"
                "  --rate R         open model: R requests per second, latency measured from each\n"
                "                   request's intended send time (no coordinated omission)\n"
                "  --arrival KIND   open model: constant (default) or poisson\n"
                "  --seed N         --arrival poisson: seed of the arrival times (the same seed gives\n"
                "                   the same schedule)\n"
                "  --method M       request method (default GET, or POST with --data)\n"
                "  --data BODY      request body\n"
                "  --header 'K: V'  extra request header (repeatable), e.g. an Authorization token;\n"
                "                   'K:' drops nothing here (no default headers), 'K;' sends K empty\n"
                "  --cacert FILE    https: trust the CA certificates in FILE (PEM) instead of the\n"
                "                   system's, e.g. for a service with a private CA\n"
                "  --timeout S      per request (default 10)\n"
                "  --threads N      load threads, each with its own connections; users and\n"
                "                   rate are split between them (default 1)\n"
                "\n"
                "Rounds marked contaminated (other processes used the CPUs) or client-bound (the probe\n"
                "itself was the limit) are reported but left out of the clean medians.\n"
                "Ctrl-C (or SIGTERM) ends the run early and reports the rounds done, marked \"interrupted\"\n"
                "(the probes not started are listed in \"not_run\"). Exit: 0 ok, 1 a probe failed or nothing\n"
                "succeeded in it (every connection refused, success_rate 0), 2 usage error (also a URL that\n"
                "is not http:// or https:// and a header with a line break), 130 interrupted.\n");
}

/* Fitted to the terminal's width. */
static void probe_usage(FILE *f) {
        cli_fit(f, probe_usage_text, NULL);
}

static int push(char ***list, size_t *n, const char *s) {
        char **l = realloc(*list, (*n + 2) * sizeof(char *));
        if (!l)
                return -ENOMEM;
        l[(*n)++] = (char *) s;
        l[*n] = NULL;
        *list = l;
        return 0;
}

static const struct option options[] = {
        { "duration", required_argument, NULL, 'd' },
        { "rounds", required_argument, NULL, 'n' },
        { "json", no_argument, NULL, 'j' },
        { "out", required_argument, NULL, OPT_OUT },
        { "dir", required_argument, NULL, OPT_DIR },
        { "url", required_argument, NULL, OPT_URL },
        { "users", required_argument, NULL, OPT_USERS },
        { "rate", required_argument, NULL, OPT_RATE },
        { "arrival", required_argument, NULL, OPT_ARRIVAL },
        { "method", required_argument, NULL, OPT_METHOD },
        { "data", required_argument, NULL, OPT_DATA },
        { "header", required_argument, NULL, OPT_HEADER },
        { "cacert", required_argument, NULL, OPT_CACERT },
        { "timeout", required_argument, NULL, OPT_TIMEOUT },
        { "seed", required_argument, NULL, OPT_SEED },
        { "threads", required_argument, NULL, OPT_THREADS },
        { "baseline", required_argument, NULL, OPT_BASELINE },
        { "fail-on-regression", no_argument, NULL, OPT_FAIL_REGRESSION },
        { "help", no_argument, NULL, 'h' },
        {},
};

/* http: what each request is. */
static int request_option(int c, ProbeArgs *a, char **argv) {
        switch (c) {
        case OPT_URL: {
                _cleanup_free_ char *why = NULL;
                if (http_url_check(optarg, &why) < 0) {
                        log_error("--url: %s", why ? why : "out of memory");
                        return EXIT_USAGE;
                }
                if (push(&a->urls, &a->nurls, optarg) < 0)
                        return EXIT_FAIL;
                break;
        }
        case OPT_METHOD:
                a->cfg.http.method = optarg;
                break;
        case OPT_DATA:
                a->cfg.http.body = optarg;
                break;
        case OPT_HEADER: {
                _cleanup_free_ char *why = NULL;
                if (http_header_check(optarg, &why) < 0) {
                        log_error("%s", why ? why : "out of memory");
                        return EXIT_USAGE;
                }
                if (push(&a->headers, &a->nheaders, optarg) < 0)
                        return EXIT_FAIL;
                break;
        }
        case OPT_CACERT:
                if (access(optarg, R_OK) < 0) {
                        log_error("--cacert '%s': %m: give a readable PEM file of CA certificates", optarg);
                        return EXIT_USAGE;
                }
                a->cfg.http.cacert = optarg;
                break;
        default:
                log_error("unknown or incomplete option '%s' (see 'skytune probe --help')", argv[optind - 1]);
                return EXIT_USAGE;
        }
        return PROBE_ARGS_RUN;
}

/* http: how the load is made. */
static int load_option(int c, ProbeArgs *a, char **argv) {
        char *end;
        switch (c) {
        case OPT_USERS: {
                unsigned long v = strtoul(optarg, &end, 10);
                if (*end || end == optarg || v < 1 || v > 10000) {
                        log_error("--users '%s' is not a number from 1 to 10000", optarg);
                        return EXIT_USAGE;
                }
                a->cfg.http.users = (unsigned) v;
                break;
        }
        case OPT_THREADS: {
                unsigned long v = strtoul(optarg, &end, 10);
                if (*end || end == optarg || v < 1 || v > 256) {
                        log_error("--threads '%s' is not a number from 1 to 256", optarg);
                        return EXIT_USAGE;
                }
                a->cfg.http.threads = (unsigned) v;
                break;
        }
        case OPT_RATE:
                a->cfg.http.rate = strtod(optarg, &end);
                if (*end || end == optarg || !(a->cfg.http.rate > 0) || a->cfg.http.rate > 1e7) {
                        log_error("--rate '%s' is not a positive number of requests per second", optarg);
                        return EXIT_USAGE;
                }
                a->cfg.http.model = HTTP_MODEL_OPEN;
                break;
        case OPT_ARRIVAL:
                if (strcmp(optarg, "constant") == 0)
                        a->cfg.http.arrival = HTTP_ARRIVAL_CONSTANT;
                else if (strcmp(optarg, "poisson") == 0)
                        a->cfg.http.arrival = HTTP_ARRIVAL_POISSON;
                else {
                        log_error("--arrival '%s': use constant or poisson", optarg);
                        return EXIT_USAGE;
                }
                break;
        case OPT_TIMEOUT:
                if (cli_parse_seconds(optarg, &a->cfg.http.timeout_s) < 0 || a->cfg.http.timeout_s < 0.001) {
                        log_error("--timeout '%s' is not a duration such as 5 or 500ms", optarg);
                        return EXIT_USAGE;
                }
                break;
        case OPT_SEED:
                a->cfg.http.seed = strtoull(optarg, &end, 0);
                if (*end || end == optarg) {
                        log_error("--seed '%s' is not a number", optarg);
                        return EXIT_USAGE;
                }
                break;
        default:
                return request_option(c, a, argv);
        }
        return PROBE_ARGS_RUN;
}

/* The run's own options; the http ones next. */
static int general_option(int c, ProbeArgs *a, char **argv) {
        char *end;
        switch (c) {
        case 'd':
                if (cli_parse_seconds(optarg, &a->cfg.duration_s) < 0 || a->cfg.duration_s < 0.01 || a->cfg.duration_s > 3600) {
                        log_error("--duration '%s' is not a duration between 10ms and 1h: give seconds such as 1, 0.5 or 2s", optarg);
                        return EXIT_USAGE;
                }
                break;
        case 'n': {
                unsigned long v = strtoul(optarg, &end, 10);
                if (*end || end == optarg || v < 1 || v > 1000) {
                        log_error("--rounds '%s' is not a number from 1 to 1000", optarg);
                        return EXIT_USAGE;
                }
                a->cfg.rounds = (unsigned) v;
                break;
        }
        case 'j':
                a->json = true;
                break;
        case OPT_OUT:
                a->out = optarg;
                break;
        case OPT_DIR:
                a->cfg.dir = optarg;
                break;
        case OPT_BASELINE:
                a->baseline = optarg;
                break;
        case OPT_FAIL_REGRESSION:
                a->fail_on_regression = true;
                break;
        case 'h':
                probe_usage(stdout);
                return EXIT_OK;
        default:
                return load_option(c, a, argv);
        }
        return PROBE_ARGS_RUN;
}

/* The names: positional, each may be a comma-separated list; none: every probe but http, or only
 * http with --url. */
static int select_probes(int argc, char **argv, ProbeArgs *a) {
        for (int i = optind; i < argc; i++) {
                _cleanup_free_ char *copy = strdup(argv[i]);
                if (!copy)
                        return EXIT_FAIL;
                char *save = NULL;
                for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                        const ProbeBackend *b = probe_find(t);
                        if (!b) {
                                log_error("unknown probe '%s' (see 'skytune probe --help' for the list)", t);
                                return EXIT_USAGE;
                        }
                        if (a->nsel < ELEMENTSOF(a->sel))
                                a->sel[a->nsel++] = b;
                }
        }
        if (a->nsel == 0) {
                for (size_t i = 0; i < probe_table_size; i++)
                        if ((strcmp(probe_table[i]->name, "http") == 0) == (a->nurls > 0))
                                a->sel[a->nsel++] = probe_table[i];
        }
        bool want_http = false;
        for (size_t i = 0; i < a->nsel; i++)
                want_http |= strcmp(a->sel[i]->name, "http") == 0;
        if (want_http && a->nurls == 0) {
                log_error("the http probe needs a target: add --url URL (for example --url http://127.0.0.1:8080/)");
                return EXIT_USAGE;
        }
        return PROBE_ARGS_RUN;
}

int probe_args_parse(int argc, char **argv, ProbeArgs *a) {
        int c;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "d:n:jh", options, NULL)) != -1) {
                int r = general_option(c, a, argv);
                if (r != PROBE_ARGS_RUN)
                        return r;
        }
        a->cfg.http.headers = a->headers;
        if (a->fail_on_regression && !a->baseline)
                return cli_flag_needs("--fail-on-regression", "--baseline FILE",
                                      "a regression is judged against a saved run; add --baseline or drop it");
        if (a->cfg.http.arrival == HTTP_ARRIVAL_POISSON && a->cfg.http.model != HTTP_MODEL_OPEN) {
                log_error("--arrival needs --rate (the open model)");
                return EXIT_USAGE;
        }
        return select_probes(argc, argv, a);
}

void probe_args_done(ProbeArgs *a) {
        free(a->urls);
        free(a->headers);
}
