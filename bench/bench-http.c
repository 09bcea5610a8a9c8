/* SPDX-License-Identifier: MIT */
/* bench-http: the http probe against wrk, both closed-model with 50 connections on one thread,
 * against a local nginx (127.0.0.1, started here with a generated configuration in a temporary
 * directory) serving a small static file. Runs alternate wrk, probe, wrk, probe ... (A B A B) so drift
 * and neighbours hit both; prints each run and the medians of requests per second and client CPU
 * per request, and the ratios probe/wrk (targets: rps >= 1.0x, CPU per request <= 1.2x).
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
#include "probes/probe.h"
#include "stats.h"

static char tmpdir[] = "/tmp/skytune-bench-http-XXXXXX";
static pid_t nginx_pid = -1;

static bool on_path(const char *prog) {
        _cleanup_free_ char *cmd = NULL;
        if (asprintf(&cmd, "command -v %s >/dev/null 2>&1", prog) < 0)
                return false;
        return system(cmd) == 0;
}

static unsigned free_port(void) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof(a);
        if (fd < 0 || bind(fd, (struct sockaddr *) &a, sizeof(a)) < 0 || getsockname(fd, (struct sockaddr *) &a, &len) < 0)
                return 0;
        close(fd);
        return ntohs(a.sin_port);
}

static int write_text(const char *path, const char *text) {
        _cleanup_fclose_ FILE *f = fopen(path, "we");
        if (!f || fputs(text, f) < 0)
                return -errno;
        return 0;
}

static void cleanup(void) {
        if (nginx_pid > 0) {
                kill(nginx_pid, SIGQUIT);
                waitpid(nginx_pid, NULL, 0);
        }
        _cleanup_free_ char *cmd = NULL;
        if (asprintf(&cmd, "rm -rf '%s'", tmpdir) >= 0 && system(cmd) != 0)
                fprintf(stderr, "bench-http: could not remove %s\n", tmpdir);
}

static int start_nginx(unsigned port, size_t bytes) {
        char path[512], conf[2048];
        snprintf(path, sizeof(path), "%s/html", tmpdir);
        if (mkdir(path, 0755) < 0 || chmod(tmpdir, 0755) < 0)
                return -errno;
        _cleanup_free_ char *body = malloc(bytes + 1);
        if (!body)
                return -ENOMEM;
        memset(body, 'x', bytes);
        body[bytes] = '\0';
        snprintf(path, sizeof(path), "%s/html/index.html", tmpdir);
        if (write_text(path, body) < 0)
                return -errno;
        snprintf(conf, sizeof(conf),
                 "worker_processes 1;\npid %1$s/nginx.pid;\nerror_log %1$s/error.log;\n"
                 "events { worker_connections 1024; }\n"
                 "http { access_log off; default_type text/html; sendfile on;\n"
                 "  client_body_temp_path %1$s/body; proxy_temp_path %1$s/proxy; fastcgi_temp_path %1$s/fcgi;\n"
                 "  uwsgi_temp_path %1$s/uwsgi; scgi_temp_path %1$s/scgi;\n"
                 "  server { listen 127.0.0.1:%2$u; root %1$s/html; } }\n",
                 tmpdir, port);
        snprintf(path, sizeof(path), "%s/nginx.conf", tmpdir);
        if (write_text(path, conf) < 0)
                return -errno;
        nginx_pid = fork();
        if (nginx_pid < 0)
                return -errno;
        if (nginx_pid == 0) {
                execlp("nginx", "nginx", "-c", path, "-p", tmpdir, "-g", "daemon off;", (char *) NULL);
                _exit(127);
        }
        for (int i = 0; i < 100; i++) {         /* until it answers a connect */
                int fd = socket(AF_INET, SOCK_STREAM, 0);
                struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
                                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
                int r = connect(fd, (struct sockaddr *) &a, sizeof(a));
                close(fd);
                if (r == 0)
                        return 0;
                usleep(50000);
        }
        return -ETIMEDOUT;
}

/* CPU seconds of nginx's worker (the master's child), from /proc. */
static double nginx_cpu_s(void) {
        char path[128], buf[4096];
        snprintf(path, sizeof(path), "/proc/%d/task/%d/children", nginx_pid, nginx_pid);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        int worker;
        if (!f || fscanf(f, "%d", &worker) != 1)
                return NAN;
        snprintf(path, sizeof(path), "/proc/%d/stat", worker);
        _cleanup_fclose_ FILE *s = fopen(path, "re");
        if (!s || !fgets(buf, sizeof(buf), s))
                return NAN;
        char *p = strrchr(buf, ')');
        unsigned long ut, st;
        if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
                return NAN;
        return (double) (ut + st) / (double) sysconf(_SC_CLK_TCK);
}

typedef struct Run {
        double rps, cpu_s, nginx_s, p99_ms;
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
        const char *p = strstr(out, "99%");
        if (p) {
                char *end;
                double v = strtod(p + 3, &end);
                ret->p99_ms = strncmp(end, "us", 2) == 0 ? v / 1e3 : strncmp(end, "ms", 2) == 0 ? v : v * 1e3;
        }
        return 0;
}

static int run_probe(const char *url, double duration, Run *ret) {
        ProbeConfig cfg = { .duration_s = duration, .rounds = 1, .http = { .url = url, .users = 50 } };
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
        probe_result_free(res);
        return 0;
}

static void print_run(const char *who, unsigned i, const Run *r, double duration) {
        printf("%-6s run %u: %8.0f req/s  p99 %6.2f ms  client CPU %5.2f s (%5.2f us/req)  nginx CPU %5.2f s\n", who, i,
               r->rps, r->p99_ms, r->cpu_s, 1e6 * r->cpu_s / (r->rps * duration), r->nginx_s);
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
        if (!on_path("nginx") || !on_path("wrk")) {
                printf("bench-http: skipped: needs nginx and wrk on PATH (apt-get install nginx wrk)\n");
                return 0;
        }
        if (!mkdtemp(tmpdir)) {
                perror("mkdtemp");
                return 1;
        }
        atexit(cleanup);
        unsigned port = free_port();
        int r = start_nginx(port, bytes);
        if (r < 0) {
                fprintf(stderr, "bench-http: cannot start nginx: %s (see %s/error.log)\n", strerror(-r), tmpdir);
                return 1;
        }
        char url[128];
        snprintf(url, sizeof(url), "http://127.0.0.1:%u/index.html", port);
        printf("bench-http: %s (%zu B), 50 connections, %u pairs of %.0f s runs, wrk -t1 -c50 vs skytune http probe\n",
               url, bytes, pairs, duration);

        _cleanup_free_ double *wrps = calloc(pairs, sizeof(double)), *prps = calloc(pairs, sizeof(double));
        _cleanup_free_ double *wcpu = calloc(pairs, sizeof(double)), *pcpu = calloc(pairs, sizeof(double));
        if (!wrps || !prps || !wcpu || !pcpu)
                return 1;
        for (unsigned i = 0; i < pairs; i++) {
                Run w, p;
                r = run_wrk(url, duration, &w);
                if (r < 0) {
                        fprintf(stderr, "bench-http: wrk failed: %s\n", strerror(-r));
                        return 1;
                }
                print_run("wrk", i + 1, &w, duration);
                r = run_probe(url, duration, &p);
                if (r < 0)
                        return 1;
                print_run("probe", i + 1, &p, duration);
                wrps[i] = w.rps;
                prps[i] = p.rps;
                wcpu[i] = 1e6 * w.cpu_s / (w.rps * duration);
                pcpu[i] = 1e6 * p.cpu_s / (p.rps * duration);
        }
        double mw = stats_median(wrps, pairs), mp = stats_median(prps, pairs);
        double cw = stats_median(wcpu, pairs), cp = stats_median(pcpu, pairs);
        printf("median req/s:          wrk %8.0f  probe %8.0f  ratio probe/wrk %.3f (target >= 1.0)\n", mw, mp, mp / mw);
        printf("median CPU us/request: wrk %8.2f  probe %8.2f  ratio probe/wrk %.3f (target <= 1.2)\n", cw, cp, cp / cw);
        return 0;
}
