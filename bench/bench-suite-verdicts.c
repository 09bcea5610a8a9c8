/* SPDX-License-Identifier: MIT */
/* bench-suite-verdicts: what `skytune bench` calls on a real suite against a local nginx, through
 * this build's CLI (`bench run SUITE --against REF --json`: both sides in the same rounds).
 *  A/A:   `--aa N` comparisons of a load suite against a copy of itself (another name, the same
 *         server, no limit, the open model at R requests/s: the latencies are what varies; at
 *         capacity `skytune load` itself says it is client-bound on 2 cores), 5 metrics each (rps,
 *         ok_rps, p50_ms, p95_ms, p99_ms). Target: at most 1 comparison in 20 with any metric
 *         called improved or regressed after Holm.
 *  Power: `--power N` comparisons of a real 5 % throughput change: nginx's limit_req holds one
 *         server at R requests/s and another at 0.95 R (requests wait in its queue, none refused),
 *         the closed model asks for more. Target: ok_rps called regressed in at least 9 of 10 at the
 *         suite's default repetitions (10, one warm-up).
 * Prints every comparison's verdicts and ratios, and the totals.
 *   bench-suite-verdicts [--aa N] [--power N] [--duration S] [--rate R] [--users U] */
#define BENCH_NAME "bench-suite-verdicts"
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-child.h"
#include "macro.h"
#include "nginx-fixture.h"

#define METRICS "[ \"rps\", \"ok_rps\", \"p50_ms\", \"p95_ms\", \"p99_ms\" ]"

typedef struct Args {
        unsigned aa, power, users;
        double duration, rate;
} Args;

/* open: the open model at the rate (the server keeps up: latency is what varies); else closed. */
static int write_suite(const char *name, unsigned port, bool open, const Args *a) {
        char text[1024], model[64];
        if (open)
                snprintf(model, sizeof(model), "rate = %.0f", a->rate);
        else
                snprintf(model, sizeof(model), "users = %u", a->users);
        snprintf(text, sizeof(text),
                 "name = \"%s\";\nbenchmarks = ( { name = \"api\"; kind = \"load\"; url = \"http://127.0.0.1:%u/\";\n"
                 "  duration = %.3f; %s; metrics = " METRICS "; } );\n",
                 name, port, a->duration, model);
        _cleanup_free_ char *path = NULL;
        return asprintf(&path, "%s/%s.conf", tmpdir, name) < 0 ? -ENOMEM : write_text(path, text);
}

/* Three servers of one small static file: free (no limit), and at rate and 0.95 x rate through
 * limit_req's queue (a file, not `return`: return answers before limit_req's phase). */
static int start(const Args *a, unsigned port[3]) {
        char html[512];
        snprintf(html, sizeof(html), "%s/html", tmpdir);
        if (mkdir(html, 0755) < 0 || chmod(tmpdir, 0755) < 0)
                return -errno;
        strncat(html, "/index.html", sizeof(html) - strlen(html) - 1);
        if (write_text(html, "ok\n") < 0)
                return -errno;
        for (int i = 0; i < 3; i++)
                port[i] = free_port();
        char conf[4096];
        snprintf(conf, sizeof(conf),
                 "worker_processes 1;\npid %1$s/nginx.pid;\nerror_log %1$s/error.log;\n"
                 "events { worker_connections 1024; }\n"
                 "http { access_log off; keepalive_requests 1000000;\n"
                 "  client_body_temp_path %1$s/body; proxy_temp_path %1$s/proxy; fastcgi_temp_path %1$s/fcgi;\n"
                 "  uwsgi_temp_path %1$s/uwsgi; scgi_temp_path %1$s/scgi;\n"
                 "  limit_req_zone $server_port zone=full:1m rate=%5$ur/s;\n"
                 "  limit_req_zone $server_port zone=less:1m rate=%6$ur/s;\n"
                 "  root %1$s/html;\n"
                 "  server { listen 127.0.0.1:%2$u; }\n"
                 "  server { listen 127.0.0.1:%3$u; location / { limit_req zone=full burst=100000; } }\n"
                 "  server { listen 127.0.0.1:%4$u; location / { limit_req zone=less burst=100000; } } }\n",
                 tmpdir, port[0], port[1], port[2], (unsigned) a->rate, (unsigned) (a->rate * 0.95 + 0.5));
        int r = nginx_launch(conf, port[0]);
        if (r < 0)
                fprintf(stderr, BENCH_NAME ": cannot start nginx: %s (see %s/error.log)\n", strerror(-r), tmpdir);
        return r;
}

/* One `bench run SUITE --against REF --json`: the comparison, or NULL. */
static json_t *compare(const char *suite, const char *ref) {
        _cleanup_free_ char *s = NULL, *r = NULL, *h = NULL, *out = NULL;
        if (asprintf(&s, "%s/%s.conf", tmpdir, suite) < 0 || asprintf(&r, "%s/%s.conf", tmpdir, ref) < 0 ||
            asprintf(&h, "%s/history.db", tmpdir) < 0 || asprintf(&out, "%s/compare.json", tmpdir) < 0)
                return NULL;
        char *argv[] = { SKYTUNE_BIN, "bench", "run", s, "--against", r, "--json", "--history", h, NULL };
        double cpu = 0;
        int code = -1;
        if (run_child(argv, out, &cpu, &code) < 0 || (code != 0 && code != 4 && code != 5)) {
                bench_tell_failure("skytune bench run --against", out, code);
                return NULL;
        }
        return json_load_file(out, 0, NULL);
}

/* Prints the comparison's metrics; counts those called improved or regressed, and whether metric
 * `want` was called `verdict`. */
static unsigned show(const json_t *cmp, const char *want, const char *verdict, bool *hit) {
        unsigned calls = 0;
        size_t i;
        const json_t *m;
        json_array_foreach(json_object_get(cmp, "metrics"), i, m) {
                const char *name = json_string_value(json_object_get(m, "metric"));
                const char *v = json_string_value(json_object_get(m, "verdict"));
                printf(" %s %.3fx %s;", name ? name : "?", json_number_value(json_object_get(m, "ratio")), v ? v : "?");
                calls += v && (strcmp(v, "improved") == 0 || strcmp(v, "regressed") == 0);
                if (name && v && strcmp(name, want) == 0 && strcmp(v, verdict) == 0)
                        *hit = true;
        }
        printf("\n");
        return calls;
}

static int series(const char *what, unsigned n, const char *suite, const char *ref, bool aa) {
        unsigned called = 0, found = 0, failed = 0;
        for (unsigned k = 1; k <= n; k++) {
                json_t *cmp = compare(suite, ref);
                /* A run with a failed repetition (e.g. client-bound on a busy host) is not recorded: again. */
                if (!cmp && ++failed <= 5 && k--)
                        continue;
                if (!cmp)
                        return -EIO;
                bool hit = false;
                printf("%s %u/%u:", what, k, n);
                unsigned calls = show(cmp, "ok_rps", "regressed", &hit);
                called += calls > 0;
                found += hit;
                json_decref(cmp);
        }
        if (failed)
                printf("%s: %u runs failed (their errors above) and were run again\n", what, failed);
        if (aa)
                printf("A/A: %u of %u comparisons called any metric improved or regressed (target <= 1 in 20)\n",
                       called, n);
        else
                printf("power: ok_rps called regressed in %u of %u comparisons of a 5 %% change (target >= 9 of 10)\n",
                       found, n);
        return 0;
}

int main(int argc, char **argv) {
        Args a = { .aa = 20, .power = 10, .users = 16, .duration = 1.0, .rate = 2000 };
        static const struct option options[] = {
                { "aa", required_argument, NULL, 'a' },       { "power", required_argument, NULL, 'p' },
                { "duration", required_argument, NULL, 'd' }, { "rate", required_argument, NULL, 'r' },
                { "users", required_argument, NULL, 'u' },    {}
        };
        for (int c; (c = getopt_long(argc, argv, "", options, NULL)) != -1;) {
                switch (c) {
                case 'a': a.aa = (unsigned) atoi(optarg); break;
                case 'p': a.power = (unsigned) atoi(optarg); break;
                case 'd': a.duration = atof(optarg); break;
                case 'r': a.rate = atof(optarg); break;
                case 'u': a.users = (unsigned) atoi(optarg); break;
                default:
                        fprintf(stderr,
                                "usage: " BENCH_NAME " [--aa N] [--power N] [--duration S] [--rate R] [--users U]\n");
                        return 2;
                }
        }
        if (!on_path("nginx")) {
                printf(BENCH_NAME ": skipped: needs nginx on PATH (apt-get install nginx)\n");
                return 0;
        }
        if (!mkdtemp(tmpdir)) {
                perror("mkdtemp");
                return 1;
        }
        atexit(cleanup);
        unsigned port[3];
        if (start(&a, port) < 0 || write_suite("aa", port[0], true, &a) < 0 ||
            write_suite("aa-ref", port[0], true, &a) < 0 || write_suite("limited", port[2], false, &a) < 0 ||
            write_suite("full", port[1], false, &a) < 0)
                return 1;
        printf(BENCH_NAME ": nginx (1 worker, access_log off), load suites of %.1f s x 10 repetitions + 1 warm-up, "
                          "A/A open model at %.0f requests/s; power %u users, limit_req %.0f vs %.0f requests/s\n",
               a.duration, a.rate, a.users, a.rate, a.rate * 0.95);
        if (a.aa && series("A/A", a.aa, "aa", "aa-ref", true) < 0)
                return 1;
        if (a.power && series("power", a.power, "limited", "full", false) < 0)
                return 1;
        return 0;
}
