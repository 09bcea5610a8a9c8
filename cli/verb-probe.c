/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cli.h"
#include "fit-width.h"
#include "log.h"
#include "macro.h"
#include "probe-verify.h"
#include "http-args.h"
#include "probe.h"
#include "verify.h"
#include "stats.h"
#include "verbs.h"

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

static volatile sig_atomic_t stop_flag;

static void on_stop(int sig) {
        stop_flag = sig;
}

static bool probe_was_run(const json_t *probes, const char *name) {
        size_t i;
        json_t *p;
        json_array_foreach(probes, i, p)
                if (strcmp(strempty(json_string_value(json_object_get(p, "name"))), name) == 0)
                        return true;
        return false;
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

static void sum_counts(json_t *into, const json_t *from) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *) from, k, v) {
                json_int_t old = json_integer_value(json_object_get(into, k));
                json_object_set_new(into, k, json_integer(old + json_integer_value(v)));
        }
}

static void render_counts(FILE *f, const char *title, const json_t *o) {
        const char *k;
        json_t *v;
        bool any = false;
        json_object_foreach((json_t *) o, k, v)
                if (json_integer_value(v)) {
                        fprintf(f, "%s%s %lld", any ? ", " : title, k, (long long) json_integer_value(v));
                        any = true;
                }
        if (any)
                fputc('\n', f);
}

static void render(FILE *f, const json_t *p) {
        const char *url = json_string_value(json_object_get(p, "url"));
        fprintf(f, "%s%s%s: %lld round(s)", json_string_value(json_object_get(p, "name")), url ? " " : "", strempty(url),
                (long long) json_integer_value(json_object_get(p, "rounds")));
        json_int_t cont = json_integer_value(json_object_get(p, "contaminated_rounds"));
        json_int_t cb = json_integer_value(json_object_get(p, "client_bound_rounds"));
        if (cont)
                fprintf(f, ", %lld contaminated", (long long) cont);
        if (cb)
                fprintf(f, ", %lld client-bound", (long long) cb);
        if (json_is_true(json_object_get(p, "interrupted")))
                fputs(", interrupted", f);
        fputc('\n', f);
        const char *err = json_string_value(json_object_get(p, "error"));
        if (err)
                fprintf(f, "  error: %s\n", err);
        const char *name;
        json_t *m;
        json_object_foreach(json_object_get(p, "metrics"), name, m) {
                char b1[32], b2[32];
                double med = json_number_value(json_object_get(m, "median"));
                double mad = json_number_value(json_object_get(m, "mad"));
                if (json_is_null(json_object_get(m, "median")))
                        med = NAN;
                bool spread = med != 0 && !isnan(med);
                fprintf(f, "  %-24s %10s %-6s %s%s%s\n", name, probe_fmt_value(med, b1, sizeof(b1)),
                        json_string_value(json_object_get(m, "unit")), spread ? "+-" : "",
                        spread ? probe_fmt_value(100 * mad / fabs(med), b2, sizeof(b2)) : "", spread ? " %" : "");
        }
        /* http: status codes and error classes over all rounds. */
        json_t *status = json_object(), *errors = json_object();
        size_t i;
        json_t *ri;
        json_int_t not_sent = 0;
        json_array_foreach(json_object_get(p, "round_info"), i, ri) {
                json_t *d = json_object_get(ri, "detail");
                if (json_object_get(d, "status"))
                        sum_counts(status, json_object_get(d, "status"));
                if (json_object_get(d, "errors"))
                        sum_counts(errors, json_object_get(d, "errors"));
                not_sent += json_integer_value(json_object_get(d, "not_sent"));
        }
        render_counts(f, "  status: ", status);
        render_counts(f, "  errors: ", errors);
        if (not_sent > 0)
                fprintf(f, "  not sent: %lld requests fell due while every connection was busy: the server did "
                        "not keep up with the rate (raise --users to send them anyway)\n", (long long) not_sent);
        json_decref(status);
        json_decref(errors);
}

/* A probe whose every operation failed (success_rate 0 in every round) measured nothing but the
 * failure: warn with what to check, and the run fails. */
static bool nothing_succeeded(const json_t *p) {
        const json_t *rate = json_object_get(json_object_get(p, "metrics"), "success_rate");
        size_t i;
        json_t *v;
        if (!rate || json_array_size(json_object_get(rate, "samples")) == 0)
                return false;
        json_array_foreach(json_object_get(rate, "samples"), i, v)
                if (!json_is_number(v) || json_number_value(v) > 0)
                        return false;
        json_int_t attempted = 0, refused = 0;
        json_t *ri;
        json_array_foreach(json_object_get(p, "round_info"), i, ri) {
                json_t *d = json_object_get(ri, "detail");
                attempted += json_integer_value(json_object_get(d, "attempted"));
                refused += json_integer_value(json_object_get(json_object_get(d, "errors"), "connect"));
        }
        const char *name = strempty(json_string_value(json_object_get(p, "name")));
        const char *url = json_string_value(json_object_get(p, "url"));
        if (attempted > 0 && refused == attempted)
                log_warning("probe %s%s%s: every one of the %lld connection attempts was refused or failed: check that a "
                            "server listens at that address and port (ss -ltn) and that no firewall drops it", name,
                            url ? " " : "", strempty(url), (long long) attempted);
        else
                log_warning("probe %s%s%s: none of the %lld requests succeeded (success_rate 0): check the status and "
                            "error counts, the server's log, and --header, --cacert or --timeout", name, url ? " " : "",
                            strempty(url), (long long) attempted);
        return true;
}

static size_t json_samples(const json_t *metric, double *out, size_t max) {
        size_t n = 0, i;
        json_t *v;
        json_array_foreach(json_object_get(metric, "samples"), i, v)
                if (json_is_number(v) && n < max)
                        out[n++] = json_number_value(v);
        return n;
}

static unsigned contaminated_rounds(const json_t *probe, unsigned *ret_rounds) {
        unsigned n = 0, i;
        json_t *ri;
        json_array_foreach(json_object_get(probe, "round_info"), i, ri)
                n += json_is_true(json_object_get(ri, "contaminated"));
        *ret_rounds = (unsigned) json_array_size(json_object_get(probe, "round_info"));
        return n;
}

static const json_t *find_entry(const json_t *probes, const json_t *like) {
        const char *name = json_string_value(json_object_get(like, "name"));
        const char *url = json_string_value(json_object_get(like, "url"));
        size_t i;
        json_t *p;
        json_array_foreach(probes, i, p)
                if (strcmp(strempty(json_string_value(json_object_get(p, "name"))), strempty(name)) == 0 &&
                    strcmp(strempty(json_string_value(json_object_get(p, "url"))), strempty(url)) == 0)
                        return p;
        return NULL;
}

/* Every metric of every probe that ran now and in the baseline: its samples compared (baseline A,
 * now B), decided like apply --verify. */
static int compare_with_baseline(const json_t *base, const json_t *probes, VerifyResult **ret) {
        VerifyResult *res = calloc(1, sizeof(VerifyResult));
        size_t total = 0, i;
        json_t *p;
        json_array_foreach(probes, i, p)
                total += json_object_size(json_object_get(p, "metrics"));
        if (!res || !(res->metrics = calloc(total ? total : 1, sizeof(VerifyMetric)))) {
                verify_result_free(res);
                return log_error_errno(-ENOMEM, "out of memory");
        }
        CompareOptions co = { .seed = 1 };
        double a[1000], b[1000];
        json_array_foreach(probes, i, p) {
                const json_t *old = find_entry(json_object_get(base, "probes"), p);
                const ProbeBackend *pb = probe_find(strempty(json_string_value(json_object_get(p, "name"))));
                if (!old || !pb) {
                        log_warning("the baseline has no %s run to compare with", json_string_value(json_object_get(p, "name")));
                        continue;
                }
                res->rounds_a = MAX(res->rounds_a, (unsigned) json_integer_value(json_object_get(old, "rounds")));
                res->rounds_b = MAX(res->rounds_b, (unsigned) json_integer_value(json_object_get(p, "rounds")));
                for (size_t m = 0; m < pb->n_metrics; m++) {
                        const json_t *mo = json_object_get(json_object_get(old, "metrics"), pb->metrics[m].name);
                        const json_t *mn = json_object_get(json_object_get(p, "metrics"), pb->metrics[m].name);
                        if (!mo || !mn)
                                continue;
                        VerifyMetric *vm = &res->metrics[res->n_metrics++];
                        unsigned ra, rb;
                        *vm = (VerifyMetric) { .probe = pb, .metric = m, .primary = m == pb->primary,
                                               .contaminated_a = contaminated_rounds(old, &ra),
                                               .contaminated_b = contaminated_rounds(p, &rb) };
                        /* More than half of a side measured a shared machine: no verdict from it. */
                        vm->unreliable = 2 * vm->contaminated_a > ra || 2 * vm->contaminated_b > rb;
                        co.higher_is_better = pb->metrics[m].higher_is_better;
                        int r = stats_compare(a, json_samples(mo, a, ELEMENTSOF(a)), b, json_samples(mn, b, ELEMENTSOF(b)),
                                              &co, &vm->cmp);
                        if (r < 0) {
                                verify_result_free(res);
                                return log_error_errno(r, "cannot compare %s %s: %m", pb->name, pb->metrics[m].name);
                        }
                }
        }
        int r = verify_decide(&co, res);
        if (r < 0) {
                verify_result_free(res);
                return log_error_errno(r, "cannot compare: %m");
        }
        *ret = res;
        return 0;
}

int verb_probe(int argc, char **argv) {
        enum { OPT_OUT = 0x100, OPT_DIR, OPT_URL, OPT_USERS, OPT_RATE, OPT_ARRIVAL, OPT_METHOD, OPT_DATA,
               OPT_HEADER, OPT_CACERT, OPT_TIMEOUT, OPT_SEED, OPT_THREADS, OPT_BASELINE, OPT_FAIL_REGRESSION };
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
        ProbeConfig cfg = { .duration_s = 1, .rounds = 5, .stop = &stop_flag };
        bool json = false;
        const char *out = NULL, *baseline = NULL;
        bool fail_on_regression = false;
        _cleanup_free_ char **urls = NULL, **headers = NULL;
        size_t nurls = 0, nheaders = 0;
        char *end;
        int c;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "d:n:jh", options, NULL)) != -1)
                switch (c) {
                case 'd':
                        if (cli_parse_seconds(optarg, &cfg.duration_s) < 0 || cfg.duration_s < 0.01 || cfg.duration_s > 3600) {
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
                        cfg.rounds = (unsigned) v;
                        break;
                }
                case 'j':
                        json = true;
                        break;
                case OPT_OUT:
                        out = optarg;
                        break;
                case OPT_DIR:
                        cfg.dir = optarg;
                        break;
                case OPT_URL: {
                        _cleanup_free_ char *why = NULL;
                        if (http_url_check(optarg, &why) < 0) {
                                log_error("--url: %s", why ? why : "out of memory");
                                return EXIT_USAGE;
                        }
                        if (push(&urls, &nurls, optarg) < 0)
                                return EXIT_FAIL;
                        break;
                }
                case OPT_USERS: {
                        unsigned long v = strtoul(optarg, &end, 10);
                        if (*end || end == optarg || v < 1 || v > 10000) {
                                log_error("--users '%s' is not a number from 1 to 10000", optarg);
                                return EXIT_USAGE;
                        }
                        cfg.http.users = (unsigned) v;
                        break;
                }
                case OPT_BASELINE:
                        baseline = optarg;
                        break;
                case OPT_FAIL_REGRESSION:
                        fail_on_regression = true;
                        break;
                case OPT_THREADS: {
                        unsigned long v = strtoul(optarg, &end, 10);
                        if (*end || end == optarg || v < 1 || v > 256) {
                                log_error("--threads '%s' is not a number from 1 to 256", optarg);
                                return EXIT_USAGE;
                        }
                        cfg.http.threads = (unsigned) v;
                        break;
                }
                case OPT_RATE:
                        cfg.http.rate = strtod(optarg, &end);
                        if (*end || end == optarg || !(cfg.http.rate > 0) || cfg.http.rate > 1e7) {
                                log_error("--rate '%s' is not a positive number of requests per second", optarg);
                                return EXIT_USAGE;
                        }
                        cfg.http.model = HTTP_MODEL_OPEN;
                        break;
                case OPT_ARRIVAL:
                        if (strcmp(optarg, "constant") == 0)
                                cfg.http.arrival = HTTP_ARRIVAL_CONSTANT;
                        else if (strcmp(optarg, "poisson") == 0)
                                cfg.http.arrival = HTTP_ARRIVAL_POISSON;
                        else {
                                log_error("--arrival '%s': use constant or poisson", optarg);
                                return EXIT_USAGE;
                        }
                        break;
                case OPT_METHOD:
                        cfg.http.method = optarg;
                        break;
                case OPT_DATA:
                        cfg.http.body = optarg;
                        break;
                case OPT_HEADER: {
                        _cleanup_free_ char *why = NULL;
                        if (http_header_check(optarg, &why) < 0) {
                                log_error("%s", why ? why : "out of memory");
                                return EXIT_USAGE;
                        }
                        if (push(&headers, &nheaders, optarg) < 0)
                                return EXIT_FAIL;
                        break;
                }
                case OPT_CACERT:
                        if (access(optarg, R_OK) < 0) {
                                log_error("--cacert '%s': %m: give a readable PEM file of CA certificates", optarg);
                                return EXIT_USAGE;
                        }
                        cfg.http.cacert = optarg;
                        break;
                case OPT_TIMEOUT:
                        if (cli_parse_seconds(optarg, &cfg.http.timeout_s) < 0 || cfg.http.timeout_s < 0.001) {
                                log_error("--timeout '%s' is not a duration such as 5 or 500ms", optarg);
                                return EXIT_USAGE;
                        }
                        break;
                case OPT_SEED:
                        cfg.http.seed = strtoull(optarg, &end, 0);
                        if (*end || end == optarg) {
                                log_error("--seed '%s' is not a number", optarg);
                                return EXIT_USAGE;
                        }
                        break;
                case 'h':
                        probe_usage(stdout);
                        return EXIT_OK;
                default:
                        log_error("unknown or incomplete option '%s' (see 'skytune probe --help')", argv[optind - 1]);
                        return EXIT_USAGE;
                }
        cfg.http.headers = headers;
        if (fail_on_regression && !baseline)
                return cli_flag_needs("--fail-on-regression", "--baseline FILE",
                                      "a regression is judged against a saved run; add --baseline or drop it");
        if (cfg.http.arrival == HTTP_ARRIVAL_POISSON && cfg.http.model != HTTP_MODEL_OPEN) {
                log_error("--arrival needs --rate (the open model)");
                return EXIT_USAGE;
        }

        /* Names: positional, each may be a comma-separated list. */
        const ProbeBackend *sel[64];
        size_t nsel = 0;
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
                        if (nsel < ELEMENTSOF(sel))
                                sel[nsel++] = b;
                }
        }
        if (nsel == 0) {
                for (size_t i = 0; i < probe_table_size; i++)
                        if ((strcmp(probe_table[i]->name, "http") == 0) == (nurls > 0))
                                sel[nsel++] = probe_table[i];
        }
        bool want_http = false;
        for (size_t i = 0; i < nsel; i++)
                want_http |= strcmp(sel[i]->name, "http") == 0;
        if (want_http && nurls == 0) {
                log_error("the http probe needs a target: add --url URL (for example --url http://127.0.0.1:8080/)");
                return EXIT_USAGE;
        }

        json_t *base = NULL;
        if (baseline) {
                json_error_t jerr;
                base = json_load_file(baseline, 0, &jerr);
                if (!base || strcmp(strempty(json_string_value(json_object_get(base, "schema"))), PROBE_SCHEMA) != 0) {
                        log_error("--baseline %s: %s (give a file written by 'skytune probe --out FILE')", baseline,
                                  base ? "not a " PROBE_SCHEMA " document" : jerr.text);
                        json_decref(base);
                        return EXIT_USAGE;
                }
        }

        struct sigaction sa = { .sa_handler = on_stop };
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);

        json_t *doc = json_object(), *probes = json_array();
        if (!doc || !probes) {
                json_decref(doc);
                json_decref(probes);
                return EXIT_FAIL;
        }
        struct utsname un;
        json_object_set_new(doc, "schema", json_string(PROBE_SCHEMA));
        json_object_set_new(doc, "version", json_string(SKYTUNE_VERSION));
        json_object_set_new(doc, "host", json_pack("{s:s,s:i}", "kernel", uname(&un) == 0 ? un.release : "",
                                                   "cpus", (int) probe_ncpu()));
        json_object_set_new(doc, "config", json_pack("{s:f,s:i}", "duration_s", cfg.duration_s, "rounds", (int) cfg.rounds));
        int failed = 0;
        bool progress = cli_stderr_is_tty();
        json_t *not_run = json_array();
        for (size_t i = 0; i < nsel && !stop_flag; i++) {
                bool is_http = strcmp(sel[i]->name, "http") == 0;
                size_t runs = is_http ? nurls : 1;
                for (size_t u = 0; u < runs && !stop_flag; u++) {
                        ProbeConfig one = cfg;
                        one.http.url = is_http ? urls[u] : NULL;
                        if (progress)
                                fprintf(stderr, "\rskytune: probing %s (%u x %.3g s)...%s", sel[i]->name, cfg.rounds,
                                        cfg.duration_s, cli_erase_eol());
                        ProbeResult *res = NULL;
                        int r = probe_run(sel[i], &one, &res);
                        if (r < 0 && r != -ECANCELED) {
                                log_error("probe %s%s%s failed: %s", sel[i]->name, is_http ? " " : "",
                                          is_http ? one.http.url : "", res && res->error ? res->error : strerror(-r));
                                failed++;
                        }
                        if (res) {
                                json_t *pj = probe_result_json(res, &one);
                                if (pj && is_http)
                                        json_object_set_new(pj, "url", json_string(one.http.url));
                                json_array_append_new(probes, pj);
                                if (pj && r >= 0 && nothing_succeeded(pj))
                                        failed++;
                        }
                        probe_result_free(res);
                }
        }
        if (progress)
                cli_progress_clear();
        char names[256] = "";
        for (size_t i = 0; i < nsel && stop_flag; i++)
                if (!probe_was_run(probes, sel[i]->name)) {
                        json_array_append_new(not_run, json_string(sel[i]->name));
                        size_t l = strlen(names);
                        snprintf(names + l, sizeof(names) - l, "%s%s", l ? ", " : "; not started: ", sel[i]->name);
                }
        if (stop_flag)
                log_warning("interrupted (%s): reporting the rounds done so far, marked \"interrupted\"%s",
                            stop_flag == SIGTERM ? "SIGTERM" : "SIGINT", names);
        json_object_set_new(doc, "interrupted", json_boolean(stop_flag));
        json_object_set_new(doc, "not_run", not_run);
        json_object_set_new(doc, "probes", probes);

        VerifyResult *cmp = NULL;
        int r = 0;
        if (base) {
                r = compare_with_baseline(base, probes, &cmp);
                json_decref(base);
                if (r < 0) {
                        json_decref(doc);
                        return EXIT_FAIL;
                }
                json_object_set_new(doc, "comparison", verify_result_json(cmp));
        }
        if (out)
                r = cli_write_json(doc, out);
        if (r >= 0 && json)
                r = cli_write_json(doc, NULL);
        else if (r >= 0) {
                size_t i;
                json_t *p;
                json_array_foreach(probes, i, p)
                        render(stdout, p);
                if (cmp) {
                        printf("\nCompared with %s (%u baseline, %u current rounds):\n", baseline, cmp->rounds_a,
                               cmp->rounds_b);
                        probe_verify_render(stdout, cmp);
                }
        }
        bool regressed = cmp && cmp->primary_regressed;
        verify_result_free(cmp);
        json_decref(doc);
        if (r < 0 || failed || (fail_on_regression && regressed))
                return EXIT_FAIL;
        return stop_flag ? EXIT_INTERRUPTED : EXIT_OK;
}
