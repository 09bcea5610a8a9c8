/* SPDX-License-Identifier: MIT */
/* bench-http: the http probe against wrk, both closed-model with 50 connections on one thread,
 * against a local nginx (127.0.0.1, started here with a generated configuration in a temporary
 * directory) serving a small static file. Runs alternate wrk, probe, wrk, probe ... (A B A B) so drift
 * and neighbours hit both; prints each run and the medians of requests per second and client CPU
 * per request, and the ratios probe/wrk (targets: rps >= 1.0x, CPU per request <= 1.2x): the ratio
 * of the two medians, and the median of each pair's ratio (a pair runs side by side, so it sees the
 * same neighbours; on a shared machine that is the steadier figure).
 * CPU per request is the client's own user+system CPU over the requests it completed: for wrk its
 * rusage as a child (the whole process) over the requests it reports, for the probe the rusage of
 * this process across the round (the probe's one thread) over the requests it completed.
 *   bench-http [--pairs N] [--duration S] [--bytes N]
 * Needs nginx and wrk on PATH (Debian: nginx, wrk); says so and exits 0 without them. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "nginx-fixture.h"
#include "probe-http.h"
#include "probe.h"
#include "stats.h"

typedef struct Run {
        double rps, cpu_s, nginx_s, p99_ms;
        double requests;                /* completed */
} Run;

static int run_wrk(const char *url, double duration, Run *ret) {
        int pipefd[2];
        if (pipe(pipefd) < 0)
                return -errno;
        char dur[32];
        snprintf(dur, sizeof(dur), "%.0fs", duration);
        double n0 = nginx_cpu_s();
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                dup2(pipefd[1], STDOUT_FILENO);
                close(pipefd[0]);
                close(pipefd[1]);
                execlp("wrk", "wrk", "-t1", "-c50", "-d", dur, "--latency", url, (char *) NULL);
                _exit(127);
        }
        close(pipefd[1]);
        char out[8192];
        size_t have = 0;
        ssize_t k;
        while ((k = read(pipefd[0], out + have, sizeof(out) - 1 - have)) > 0)
                have += (size_t) k;
        out[have] = '\0';
        close(pipefd[0]);
        int status;
        struct rusage ru;
        if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return -ECHILD;
        *ret = (Run) { .nginx_s = nginx_cpu_s() - n0, .p99_ms = NAN };
        ret->cpu_s = (double) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                     (double) (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
        const char *r = strstr(out, "Requests/sec:");
        if (!r)
                return -EBADMSG;
        ret->rps = strtod(r + strlen("Requests/sec:"), NULL);
        /* "  123456 requests in 5.00s, ..." */
        const char *q = strstr(out, " requests in ");
        if (!q)
                return -EBADMSG;
        while (q > out && q[-1] >= '0' && q[-1] <= '9')
                q--;
        ret->requests = strtod(q, NULL);
        const char *p = strstr(out, "99%");
        if (p) {
                char *end;
                double v = strtod(p + 3, &end);
                ret->p99_ms = strncmp(end, "us", 2) == 0 ? v / 1e3 : strncmp(end, "ms", 2) == 0 ? v : v * 1e3;
        }
        return 0;
}

static int run_probe(const char *url, double duration, Run *ret) {
        ProbeConfig cfg = { .duration_s = duration, .rounds = 1, .options = &(HttpOptions) { .url = url, .users = 50 } };
        const ProbeBackend *b = probe_find("http");
        ProbeResult *res = NULL;
        double n0 = nginx_cpu_s();
        int r = probe_run(b, &cfg, &res);
        if (r < 0) {
                fprintf(stderr, "bench-http: probe: %s\n", res && res->error ? res->error : strerror(-r));
                probe_result_free(res);
                return r;
        }
        *ret = (Run) { .nginx_s = nginx_cpu_s() - n0, .cpu_s = res->info[0].own_cpu_s };
        for (size_t m = 0; m < b->n_metrics; m++) {
                if (strcmp(b->metrics[m].name, "completed_rps") == 0)
                        ret->rps = res->values[m];
                if (strcmp(b->metrics[m].name, "latency_p99_ms") == 0)
                        ret->p99_ms = res->values[m];
        }
        json_t *completed = res->details && res->details[0] ? json_object_get(res->details[0], "completed") : NULL;
        ret->requests = completed ? (double) json_integer_value(completed) : ret->rps * res->info[0].wall_s;
        probe_result_free(res);
        return 0;
}

static double us_per_request(const Run *r) {
        return r->requests > 0 ? 1e6 * r->cpu_s / r->requests : NAN;
}

static void print_run(const char *who, unsigned i, const Run *r) {
        printf("%-6s run %u: %8.0f req/s  p99 %6.2f ms  client CPU %5.2f s (%5.2f us/req)  nginx CPU %5.2f s (%5.2f us/req)\n",
               who, i, r->rps, r->p99_ms, r->cpu_s, us_per_request(r), r->nginx_s,
               r->requests > 0 ? 1e6 * r->nginx_s / r->requests : NAN);
        fflush(stdout);
}

int main(int argc, char **argv) {
        unsigned pairs = 3;
        double duration = 5;
        size_t bytes = 615;
        static const struct option options[] = {
                { "pairs", required_argument, NULL, 'p' },
                { "duration", required_argument, NULL, 'd' },
                { "bytes", required_argument, NULL, 'b' },
                {},
        };
        int c;
        while ((c = getopt_long(argc, argv, "p:d:b:", options, NULL)) != -1)
                switch (c) {
                case 'p':
                        pairs = (unsigned) atoi(optarg);
                        break;
                case 'd':
                        duration = atof(optarg);
                        break;
                case 'b':
                        bytes = (size_t) atol(optarg);
                        break;
                default:
                        fprintf(stderr, "usage: bench-http [--pairs N] [--duration S] [--bytes N]\n");
                        return 2;
                }
        if (pairs < 1 || pairs > 50 || !(duration >= 1 && duration <= 60) || bytes < 1 || bytes > (1u << 20)) {
                fprintf(stderr, "bench-http: --pairs 1..50, --duration 1..60 s, --bytes 1..1048576\n");
                return 2;
        }
        char url[128];
        int r = nginx_fixture_start("bench-http", "wrk", bytes, url, sizeof(url));
        if (r != 0)
                return r > 0 ? 0 : 1;
        printf("bench-http: %s (%zu B), 50 connections, %u pairs of %.0f s runs, wrk -t1 -c50 vs skytune http probe\n",
               url, bytes, pairs, duration);

        _cleanup_free_ double *wrps = calloc(pairs, sizeof(double)), *prps = calloc(pairs, sizeof(double));
        _cleanup_free_ double *wcpu = calloc(pairs, sizeof(double)), *pcpu = calloc(pairs, sizeof(double));
        _cleanup_free_ double *rrps = calloc(pairs, sizeof(double)), *rcpu = calloc(pairs, sizeof(double));
        if (!wrps || !prps || !wcpu || !pcpu || !rrps || !rcpu)
                return 1;
        for (unsigned i = 0; i < pairs; i++) {
                Run w, p;
                r = run_wrk(url, duration, &w);
                if (r < 0) {
                        fprintf(stderr, "bench-http: wrk failed: %s\n", strerror(-r));
                        return 1;
                }
                print_run("wrk", i + 1, &w);
                r = run_probe(url, duration, &p);
                if (r < 0)
                        return 1;
                print_run("probe", i + 1, &p);
                wrps[i] = w.rps;
                prps[i] = p.rps;
                wcpu[i] = us_per_request(&w);
                pcpu[i] = us_per_request(&p);
                rrps[i] = prps[i] / wrps[i];
                rcpu[i] = pcpu[i] / wcpu[i];
        }
        double mw = stats_median(wrps, pairs), mp = stats_median(prps, pairs);
        double cw = stats_median(wcpu, pairs), cp = stats_median(pcpu, pairs);
        printf("median req/s:          wrk %8.0f  probe %8.0f  ratio probe/wrk %.3f (target >= 1.0)\n", mw, mp, mp / mw);
        printf("median CPU us/request: wrk %8.2f  probe %8.2f  ratio probe/wrk %.3f (target <= 1.2)\n", cw, cp, cp / cw);
        printf("median of the %u pairs' ratios: req/s %.3f (target >= 1.0), CPU per request %.3f (target <= 1.2)\n", pairs,
               stats_median(rrps, pairs), stats_median(rcpu, pairs));
        return 0;
}
