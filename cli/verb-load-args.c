/* SPDX-License-Identifier: MIT */
/* skytune load's options, and the one-step Scenario they make without --scenario. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "cli.h"
#include "load-output.h"
#include "log.h"
#include "macro.h"
#include "time-util.h"
#include "verb-load.h"

static const char load_usage[] =
        "Usage: skytune load URL [--users N | --rate R] [--duration S] [OPTIONS]\n"
        "       skytune load --scenario FILE [--threshold EXPR]... [OPTIONS]\n"
        "       skytune load merge AGENT.json... [--json] [--out FILE]\n"
        "\n"
        "Send HTTP load to URL and report what it got: requests per second (attempted,\n"
        "sent, completed, ok), success rate, status codes, error classes and the P50,\n"
        "P90, P95, P99, P99.9 and max of the latency and the service time, over the\n"
        "whole run and per interval, judged by thresholds.\n"
        "\n"
        "Load model (one of):\n"
        "  --users N        closed model: N users, each sends its next request when its\n"
        "                   last one was answered (default: 10 users)\n"
        "  --rate R         open model: R requests per second whether or not the server\n"
        "                   keeps up; latency counts from when each request was due\n"
        "  --duration S     how long to hold the load (default 10s; 500ms, 2m ...)\n"
        "  --ramp FROM:TO:S first go from FROM to TO users (requests/s with --rate, which\n"
        "                   then only picks the model) over S seconds, then hold TO for\n"
        "                   --duration (0: no hold)\n"
        "  --think S        closed model: each user's pause after an answer\n"
        "  --arrival uniform|poisson   open model: evenly spaced or Poisson arrivals\n"
        "  --threads N      client threads (default 1)\n"
        "\n"
        "Requests:\n"
        "  -H, --header 'Name: value'  add a header (repeatable). A secret comes from a\n"
        "                   file or the environment and is never printed or written:\n"
        "                   'Authorization: @/run/token' or 'Authorization: $API_TOKEN'\n"
        "  --method M       GET unless there is a body (then POST)\n"
        "  --body-file F    send F's content as the body\n"
        "  --timeout S      per request (default 10s)\n"
        "\n"
        "Judging and output:\n"
        "  --threshold EXPR fail the run (exit 4) unless EXPR holds, e.g. 'p99 < 500ms',\n"
        "                   'error_rate < 1%', 'rps > 900', 'p95 < 200ms for 10s abort'\n"
        "  --interval S     result interval (default 1s)\n"
        "  --json           print the skytune.load/1 document instead of the summary\n"
        "  --out FILE       also write the document to FILE\n"
        "  --out-ndjson F   stream one JSON line per interval to F ('-': stdout)\n"
        "  --html FILE      the HTML report, one offline file with charts\n"
        "  --junit FILE     JUnit XML: one test case per threshold (CI test reports)\n"
        "  --hdr-log FILE   the latency histogram of each interval and step as an\n"
        "                   HdrHistogram V2 interval log (HistogramLogReader reads it)\n"
        "  --progress       one line per second on stderr (default when it is a TTY)\n"
        "  --no-system      do not sample the host (metrics, findings, proposed changes)\n"
        "  --sysroot DIR    read the host's /proc and /sys under DIR (captured trees)\n"
        "  --server-pid PID also sample the server: the process tree of PID (and every\n"
        "                   descendant), its CPU, RSS, threads and open fds each interval\n"
        "  --server-unit U  the same for the processes of the systemd unit U\n"
        "\n"
        "Several agents (one load spread over machines):\n"
        "  --segment i/N    this agent sends arrivals (or users) i, i+N, ... of the load\n"
        "  --start-at TIME  start at this wall time (ISO 8601, e.g. 2026-12-02T21:00:00Z)\n"
        "\n"
        "Exit codes: 0 every threshold passed, 1 the run failed (no connection at all),\n"
        "2 usage error, 4 a threshold failed, 5 client-bound (the client could not\n"
        "keep the schedule: the figures measure the client), 130 interrupted (partial\n"
        "results are still written, marked interrupted). The document is described in\n"
        CLI_DOC("load") ".\n";

typedef struct Build {
        const char *url, *method, *body_file, *ramp, *arrival;
        double users, rate, duration_s, think_s, timeout_s, interval_s;
        char **headers, **thresholds;
        size_t n_headers, n_thresholds;
        const char *scenario_file;
} Build;

static int log_oom(void) {
        return log_error_errno(-ENOMEM, "out of memory");
}

static int usage_error(const char *what) {
        log_error("%s (see 'skytune load --help')", what);
        return EXIT_USAGE;
}

static int push(char ***list, size_t *n, char *s) {
        char **l = realloc(*list, (*n + 1) * sizeof(char *));
        if (!l)
                return -ENOMEM;
        l[(*n)++] = s;
        *list = l;
        return 0;
}

static int parse_number(const char *opt, const char *s, double *ret) {
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (errno || end == s || *end || !isfinite(v) || v < 0) {
                log_error("%s '%s': not a non-negative number (see 'skytune load --help')", opt, s);
                return -EINVAL;
        }
        *ret = v;
        return 0;
}

static int parse_duration(const char *opt, const char *s, double *ret) {
        if (cli_parse_seconds(s, ret) < 0) {
                log_error("%s '%s': not a duration (write 10, 10s, 500ms or 2m)", opt, s);
                return -EINVAL;
        }
        return 0;
}

static int parse_segment(const char *s, LoadArgs *a) {
        unsigned i, n;
        char tail;
        if (sscanf(s, "%u/%u%c", &i, &n, &tail) != 2 || n == 0 || i >= n) {
                log_error("--segment '%s': write i/N with 0 <= i < N (agent 0/3, 1/3 and 2/3 share one load)", s);
                return -EINVAL;
        }
        a->segment_index = i;
        a->segment_count = n;
        return 0;
}

/* A whole file (a body or a secret), at most 16 MiB; *len its length. */
/* "Name: value"; a value (or its last word) "@PATH" is read from a file and "$VAR" from the
 * environment (secrets: load_header_parse). */
static int header_parse(const char *text, LoadHeader *h) {
        Error e = ERROR_NULL;
        int r = load_header_parse(text, NULL, h, &e);
        if (r < 0)
                log_error("-H: %s", error_message(&e));
        error_done(&e);
        return r == -ENOMEM ? log_oom() : r < 0 ? -EINVAL : 0;
}

/* The load's phases: an optional ramp, then a hold of --duration. */
static int phases_build(const Build *b, LoadStep *st, double value) {
        double from, to, over;
        char tail;
        st->phases = calloc(2, sizeof(LoadPhase));
        if (!st->phases)
                return log_oom();
        if (b->ramp) {
                if (sscanf(b->ramp, "%lf:%lf:%lf%c", &from, &to, &over, &tail) != 3 || from < 0 || to < 0 || !(over > 0)) {
                        log_error("--ramp '%s': write FROM:TO:SECONDS, e.g. 0:100:30", b->ramp);
                        return -EINVAL;
                }
                st->phases[st->n_phases++] = (LoadPhase) { .kind = LOAD_PHASE_RAMP, .duration_s = over, .from = from, .to = to };
                value = to;
        }
        if (b->duration_s > 0 || !b->ramp)
                st->phases[st->n_phases++] = (LoadPhase) {
                        .kind = LOAD_PHASE_HOLD, .duration_s = b->duration_s > 0 ? b->duration_s : 10, .value = value,
                };
        return 0;
}

static int endpoint_build(const Build *b, LoadEndpoint *ep) {
        const char *host = strstr(b->url, "://");
        const char *path = host ? strchr(host + 3, '/') : NULL;
        ep->method = b->method ? strdup(b->method) : NULL;
        ep->headers = calloc(MAX(b->n_headers, 1), sizeof(LoadHeader));
        if ((b->method && !ep->method) || !ep->headers)
                return log_oom();
        for (size_t i = 0; i < b->n_headers; i++) {
                int r = header_parse(b->headers[i], &ep->headers[i]);
                ep->n_headers = i + 1;
                if (r < 0)
                        return r;
        }
        if (b->body_file) {
                int r = fileio_read_regular(b->body_file, 16u << 20, &ep->body, &ep->body_len);
                if (r < 0) {
                        log_error("--body-file %s: %s", b->body_file, strerror(-r));
                        return -EINVAL;
                }
                if (!(ep->body_file = strdup(b->body_file)))
                        return log_oom();
        }
        const char *m = b->method ? b->method : b->body_file ? "POST" : "GET";
        if (asprintf(&ep->name, "%s %s", m, path ? path : "/") < 0)
                return log_oom();
        ep->weight = 1;
        return 0;
}

static int step_build(const Build *b, LoadStep *st) {
        bool open_model = b->rate > 0;
        st->name = strdup("load");
        st->url = strdup(b->url);
        st->endpoints = calloc(1, sizeof(LoadEndpoint));
        if (!st->name || !st->url || !st->endpoints)
                return log_oom();
        st->model = open_model ? LOADGEN_OPEN : LOADGEN_CLOSED;
        st->poisson = b->arrival && !strcmp(b->arrival, "poisson");
        st->think_s = b->think_s;
        st->timeout_s = b->timeout_s;
        st->n_endpoints = 1;
        int r = endpoint_build(b, &st->endpoints[0]);
        if (r >= 0)
                r = phases_build(b, st, open_model ? b->rate : b->users > 0 ? b->users : 10);
        return r;
}

static int thresholds_add(const Build *b, Scenario *sc) {
        Threshold *t = realloc(sc->thresholds, (sc->n_thresholds + b->n_thresholds + 1) * sizeof(Threshold));
        if (!t)
                return log_oom();
        sc->thresholds = t;
        for (size_t i = 0; i < b->n_thresholds; i++) {
                _cleanup_(error_done) Error e = ERROR_NULL;
                if (threshold_parse(b->thresholds[i], "--threshold", 0, &t[sc->n_thresholds], &e) < 0) {
                        log_error("%s", error_message(&e));
                        return -EINVAL;
                }
                sc->n_thresholds++;
        }
        return 0;
}

static int scenario_build(const Build *b, LoadArgs *a) {
        if (b->scenario_file) {
                _cleanup_(error_done) Error e = ERROR_NULL;
                if (scenario_load_file(b->scenario_file, &a->scenario, &e) < 0) {
                        _cleanup_free_ char *msg = error_format(&e);
                        log_error("%s", msg ? msg : error_message(&e));
                        return -EINVAL;
                }
        } else {
                Scenario *sc = a->scenario = calloc(1, sizeof(Scenario));
                if (!sc || !(sc->steps = calloc(1, sizeof(LoadStep))))
                        return log_oom();
                sc->n_steps = 1;
                int r = step_build(b, &sc->steps[0]);
                if (r < 0)
                        return r;
        }
        if (b->interval_s > 0)
                a->scenario->interval_s = b->interval_s;
        return thresholds_add(b, a->scenario);
}

enum {
        OPT_SCENARIO = 0x100, OPT_USERS, OPT_RATE, OPT_DURATION, OPT_RAMP, OPT_THINK, OPT_ARRIVAL, OPT_THREADS,
        OPT_METHOD, OPT_BODY_FILE, OPT_THRESHOLD, OPT_INTERVAL, OPT_JSON, OPT_OUT, OPT_OUT_NDJSON, OPT_TIMEOUT,
        OPT_SEGMENT, OPT_START_AT, OPT_PROGRESS, OPT_HTML, OPT_NO_SYSTEM, OPT_SYSROOT, OPT_JUNIT, OPT_HDR_LOG,
        OPT_SERVER_PID, OPT_SERVER_UNIT,
};

static int start_at_parse(const char *s, uint64_t *ret) {
        if (time_parse_iso8601(s, ret) < 0) {
                log_error("--start-at '%s': write an ISO 8601 time, e.g. 2026-12-02T21:00:00Z", s);
                return -EINVAL;
        }
        return 0;
}

/* One option into b and a; -EINVAL (logged) when its value is bad. */
static int option(int c, const char *arg, Build *b, LoadArgs *a) {
        double v;
        switch (c) {
        case OPT_SCENARIO: b->scenario_file = arg; return 0;
        case OPT_USERS: return parse_number("--users", arg, &b->users);
        case OPT_RATE: return parse_number("--rate", arg, &b->rate);
        case OPT_DURATION: return parse_duration("--duration", arg, &b->duration_s);
        case OPT_RAMP: b->ramp = arg; return 0;
        case OPT_THINK: return parse_duration("--think", arg, &b->think_s);
        case OPT_TIMEOUT: return parse_duration("--timeout", arg, &b->timeout_s);
        case OPT_INTERVAL: return parse_duration("--interval", arg, &b->interval_s);
        case OPT_METHOD: b->method = arg; return 0;
        case OPT_BODY_FILE: b->body_file = arg; return 0;
        case OPT_JSON: a->json = true; return 0;
        case OPT_PROGRESS: a->progress = true; return 0;
        case OPT_OUT: a->out = arg; return 0;
        case OPT_OUT_NDJSON: a->out_ndjson = arg; return 0;
        case OPT_HTML: a->html = arg; return 0;
        case OPT_JUNIT: a->junit = arg; return 0;
        case OPT_HDR_LOG: a->hdr_log = arg; return 0;
        case OPT_NO_SYSTEM: a->no_system = true; return 0;
        case OPT_SYSROOT: a->sysroot = arg; return 0;
        case OPT_SERVER_PID: return load_server_pid_parse(arg, &a->server_pid);
        case OPT_SERVER_UNIT: a->server_unit = arg; return 0;
        case OPT_SEGMENT: return parse_segment(arg, a);
        case OPT_START_AT: return start_at_parse(arg, &a->start_at_usec);
        case 'H': return push(&b->headers, &b->n_headers, (char *) arg) < 0 ? log_oom() : 0;
        case OPT_THRESHOLD: return push(&b->thresholds, &b->n_thresholds, (char *) arg) < 0 ? log_oom() : 0;
        case OPT_ARRIVAL:
                if (strcmp(arg, "uniform") && strcmp(arg, "poisson")) {
                        log_error("--arrival '%s': write uniform or poisson", arg);
                        return -EINVAL;
                }
                b->arrival = arg;
                return 0;
        case OPT_THREADS:
                if (parse_number("--threads", arg, &v) < 0 || v < 1 || v > 256 || v != floor(v)) {
                        log_error("--threads '%s': a whole number from 1 to 256", arg);
                        return -EINVAL;
                }
                a->threads = (unsigned) v;
                return 0;
        default:
                return -EINVAL;
        }
}

/* What the options say together. */
static int check(const Build *b, int n_args) {
        if (b->scenario_file && n_args > 0)
                return usage_error("give either URL or --scenario FILE, not both");
        if (!b->scenario_file && n_args != 1)
                return usage_error(n_args ? "one URL only" : "missing URL (or --scenario FILE)");
        if (b->users > 0 && b->rate > 0)
                return usage_error("--users (closed model) and --rate (open model) exclude each other");
        if (b->scenario_file && (b->users > 0 || b->rate > 0 || b->ramp || b->n_headers || b->method || b->body_file))
                return usage_error("--scenario FILE says the load and the requests: drop --users, --rate, --ramp, -H, "
                                   "--method and --body-file");
        if (b->think_s > 0 && b->rate > 0)
                return usage_error("--think is the closed model's pause; the open model (--rate) has none");
        if (b->arrival && b->users > 0)
                return usage_error("--arrival shapes the open model (--rate); --users is the closed model");
        return -1;
}

int load_args_parse(int argc, char **argv, LoadArgs *a) {
        static const struct option options[] = {
                { "scenario", required_argument, NULL, OPT_SCENARIO }, { "users", required_argument, NULL, OPT_USERS },
                { "rate", required_argument, NULL, OPT_RATE }, { "duration", required_argument, NULL, OPT_DURATION },
                { "ramp", required_argument, NULL, OPT_RAMP }, { "think", required_argument, NULL, OPT_THINK },
                { "arrival", required_argument, NULL, OPT_ARRIVAL }, { "threads", required_argument, NULL, OPT_THREADS },
                { "header", required_argument, NULL, 'H' }, { "method", required_argument, NULL, OPT_METHOD },
                { "body-file", required_argument, NULL, OPT_BODY_FILE },
                { "threshold", required_argument, NULL, OPT_THRESHOLD },
                { "interval", required_argument, NULL, OPT_INTERVAL }, { "json", no_argument, NULL, OPT_JSON },
                { "out", required_argument, NULL, OPT_OUT }, { "out-ndjson", required_argument, NULL, OPT_OUT_NDJSON },
                { "timeout", required_argument, NULL, OPT_TIMEOUT }, { "segment", required_argument, NULL, OPT_SEGMENT },
                { "start-at", required_argument, NULL, OPT_START_AT }, { "progress", no_argument, NULL, OPT_PROGRESS },
                { "html", required_argument, NULL, OPT_HTML }, { "no-system", no_argument, NULL, OPT_NO_SYSTEM },
                { "sysroot", required_argument, NULL, OPT_SYSROOT }, { "junit", required_argument, NULL, OPT_JUNIT },
                { "hdr-log", required_argument, NULL, OPT_HDR_LOG },
                { "server-pid", required_argument, NULL, OPT_SERVER_PID },
                { "server-unit", required_argument, NULL, OPT_SERVER_UNIT },
                { "help", no_argument, NULL, 'h' }, {},
        };
        *a = (LoadArgs) { 0 };
        Build b = { 0 };
        int ret = -1;
        optind = 1;
        opterr = 0;
        for (int c; ret < 0 && (c = getopt_long(argc, argv, "hH:", options, NULL)) != -1;) {
                if (c == 'h') {
                        fputs(load_usage, stdout);
                        ret = EXIT_OK;
                } else if (c == '?' || c == ':') {
                        log_error("unknown or incomplete option '%s' (see 'skytune load --help')", argv[optind - 1]);
                        ret = EXIT_USAGE;
                } else if (option(c, optarg, &b, a) < 0)
                        ret = EXIT_USAGE;
        }
        if (ret < 0)
                ret = check(&b, argc - optind);
        if (ret < 0 && load_server_check(a->server_pid, a->server_unit, a->no_system, "load") < 0)
                ret = EXIT_USAGE;
        if (ret < 0 && a->json && a->out_ndjson && !strcmp(a->out_ndjson, "-"))
                ret = usage_error("--json and --out-ndjson - both write to stdout: send the stream to a file");
        b.url = optind < argc ? argv[optind] : NULL;
        if (ret < 0 && scenario_build(&b, a) < 0)
                ret = EXIT_USAGE;
        free(b.headers);
        free(b.thresholds);
        return ret;
}

void load_args_done(LoadArgs *a) {
        a->scenario = scenario_free(a->scenario);
}
