/* SPDX-License-Identifier: MIT */
/* bench-load: `skytune load` (this build's binary, as users run it) against the HTTP load tools
 * people use, on one local nginx (127.0.0.1, nginx-fixture.h), in four parts:
 *   closed     the closed model at the same connections and threads, A B A B: wrk, skytune, and hey
 *              and k6 when they are installed (said and skipped otherwise). Per cell the medians of
 *              requests per second and of client CPU per request (user + system of the whole client
 *              process, from wait4), the ratio of the medians skytune/wrk and the median of the
 *              rounds' ratios (a round's tools run back to back, so they share the neighbours: on a
 *              shared machine that is the steadier figure).
 *   open       the open model at --rate (20 000/s) for --open-duration (10 s), --open-runs times:
 *              achieved rate (sent over the hold), send lateness p50/p99/max, client-bound, CPU per
 *              request, against nginx's in-memory answer (NGINX_RETURN_PATH); when that rate is not
 *              kept (median lateness over 50 us or under 99.5 % of it sent), a short search for the
 *              highest rate that is, and the same figures there.
 *   endurance  `skytune load URL --rate R --duration S` (2000/s, 120 s) with VmRSS sampled every 5 s
 *              from /proc: the series and its least-squares slope, over the run and after the first
 *              minute (docs/load.md: memory independent of the run's length).
 * Figures, never pass/fail (exit 0 unless a run could not be made). Needs nginx and wrk on PATH.
 *   bench-load [--part closed|open|endurance|all] [--rounds N] [--duration S] [--cells T:C,...]
 *              [--rate R] [--open-duration S] [--open-runs N] [--endurance-rate R]
 *              [--endurance-duration S] [--endurance-no-system] [--bytes N] */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#define BENCH_NAME "bench-load"
#include "bench-child.h"
#include "bench-skytune.h"
#include "nginx-fixture.h"
#include "stats.h"

#define MAX_ROUNDS 16
#define MAX_CELLS 8
#define MAX_SAMPLES 1024

typedef struct Cell {
        unsigned threads, conns;
} Cell;

typedef struct Run {
        double rps, requests, cpu_s, nginx_s;
        double failed;                  /* requests that were not 2xx/3xx or broke off */
} Run;

typedef struct Tool {
        const char *name, *prog;        /* prog: needed on PATH; NULL: this build's skytune */
        const char *threads_note;       /* how it uses threads when it has no option for them */
        int (*run)(const char *url, const Cell *c, double duration, Run *ret);
} Tool;

static char url[128], open_url[160];   /* the static file; the open model's in-memory answer */

static int run_wrk(const char *u, const Cell *c, double duration, Run *ret) {
        char t[16], n[16], d[32];
        snprintf(t, sizeof t, "-t%u", c->threads);
        snprintf(n, sizeof n, "-c%u", c->conns);
        snprintf(d, sizeof d, "%.0fs", duration);
        _cleanup_free_ char *out = tmp_path("wrk.out");
        char *argv[] = { "wrk", t, n, "-d", d, (char *) u, NULL };
        int code = -1;
        if (!out || run_child(argv, out, &ret->cpu_s, &code) < 0 || code != 0) {
                bench_tell_failure("wrk", out, code);
                return -EIO;
        }
        _cleanup_free_ char *text = slurp(out);
        ret->rps = after(text, "Requests/sec:");
        /* "  123456 requests in 5.00s, ..." */
        const char *q = text ? strstr(text, " requests in ") : NULL;
        while (q && q > text && q[-1] >= '0' && q[-1] <= '9')
                q--;
        ret->requests = q ? strtod(q, NULL) : NAN;
        double non2xx = after(text, "Non-2xx or 3xx responses:");
        ret->failed = isnan(non2xx) ? 0 : non2xx;
        if (text && strstr(text, "Socket errors:"))
                ret->failed += after(text, "connect ") + after(text, "read ") + after(text, "write ") + after(text, "timeout ");
        return isnan(ret->rps) || isnan(ret->requests) ? -EBADMSG : 0;
}

static int run_skytune(const char *u, const Cell *c, double duration, Run *ret) {
        (void) u;
        char users[16], threads[16], d[32];
        snprintf(users, sizeof users, "%u", c->conns);
        snprintf(threads, sizeof threads, "%u", c->threads);
        snprintf(d, sizeof d, "%g", duration);
        char *args[] = { "--users", users, "--threads", threads, "--duration", d };
        int code = -1;
        json_t *doc = skytune_json(url, args, ELEMENTSOF(args), &ret->cpu_s, &code);
        if (!doc || (code != 0 && code != 5)) {
                json_decref(doc);
                return -EIO;
        }
        ret->requests = num(doc, "total", "completed", NULL);
        ret->rps = num(doc, "total", "completed_per_s", NULL);
        ret->failed = ret->requests - num(doc, "total", "ok", NULL);
        json_decref(doc);
        return ret->requests > 0 ? 0 : -EBADMSG;
}

/* hey has no thread option: Go runs its workers on every core. */
static int run_hey(const char *u, const Cell *c, double duration, Run *ret) {
        char n[16], d[32];
        snprintf(n, sizeof n, "%u", c->conns);
        snprintf(d, sizeof d, "%.0fs", duration);
        _cleanup_free_ char *out = tmp_path("hey.out");
        char *argv[] = { "hey", "-z", d, "-c", n, (char *) u, NULL };
        int code = -1;
        if (!out || run_child(argv, out, &ret->cpu_s, &code) < 0 || code != 0) {
                bench_tell_failure("hey", out, code);
                return -EIO;
        }
        _cleanup_free_ char *text = slurp(out);
        ret->rps = after(text, "Requests/sec:");
        ret->requests = 0;
        ret->failed = 0;
        /* "Status code distribution:" then "  [200]\t123456 responses" a line */
        const char *p = text ? strstr(text, "Status code distribution:") : NULL;
        for (p = p ? strchr(p, '\n') : NULL; p; p = strchr(p + 1, '\n')) {
                unsigned status;
                double count;
                if (sscanf(p + 1, " [%u] %lf responses", &status, &count) != 2)
                        break;
                ret->requests += count;
                ret->failed += status >= 400 ? count : 0;
        }
        return isnan(ret->rps) || ret->requests <= 0 ? -EBADMSG : 0;
}

/* k6: one virtual user per connection, each GETs the URL in a loop (closed model). */
static int run_k6(const char *u, const Cell *c, double duration, Run *ret) {
        _cleanup_free_ char *script = tmp_path("k6.js"), *summary = tmp_path("k6-summary.json"), *out = tmp_path("k6.out");
        char vus[16], d[32], env[200];
        if (!script || !summary || !out ||
            write_text(script, "import http from 'k6/http';\nexport default function () { http.get(__ENV.URL); }\n") < 0)
                return -EIO;
        snprintf(vus, sizeof vus, "%u", c->conns);
        snprintf(d, sizeof d, "%.0fs", duration);
        snprintf(env, sizeof env, "URL=%s", u);
        char *argv[] = { "k6", "run", "--quiet", "--vus", vus, "--duration", d, "-e", env, "--summary-export", summary,
                         script, NULL };
        int code = -1;
        if (run_child(argv, out, &ret->cpu_s, &code) < 0 || code != 0) {
                bench_tell_failure("k6", out, code);
                return -EIO;
        }
        json_t *doc = json_load_file(summary, 0, NULL);
        ret->requests = num(doc, "metrics", "http_reqs", "count");
        ret->rps = num(doc, "metrics", "http_reqs", "rate");
        ret->failed = ret->requests * num(doc, "metrics", "http_req_failed", "value");
        json_decref(doc);
        return ret->requests > 0 ? 0 : -EBADMSG;
}

static const Tool tools[] = {
        { "wrk", "wrk", NULL, run_wrk },
        { "skytune", NULL, NULL, run_skytune },
        { "hey", "hey", "no thread option: Go uses every core", run_hey },
        { "k6", "k6", "no thread option: Go uses every core", run_k6 },
};
#define WRK 0
#define SKYTUNE 1

static double us_per_request(const Run *r) {
        return r->requests > 0 ? 1e6 * r->cpu_s / r->requests : NAN;
}

static bool present[ELEMENTSOF(tools)];

static void print_run(const char *who, unsigned round, const Run *r) {
        printf("  %-8s %u: %8.0f req/s  client %6.2f us/req  nginx %5.2f us/req", who, round, r->rps,
               us_per_request(r), r->requests > 0 ? 1e6 * r->nginx_s / r->requests : NAN);
        if (r->failed > 0)
                printf("  %.0f failed", r->failed);
        printf("\n");
        fflush(stdout);
}

/* One cell of the closed model: every present tool per round, A B A B; the medians and ratios. */
static int closed_cell(const Cell *c, unsigned rounds, double duration) {
        double rps[ELEMENTSOF(tools)][MAX_ROUNDS] = { 0 }, cpu[ELEMENTSOF(tools)][MAX_ROUNDS] = { 0 };
        double ratio_rps[MAX_ROUNDS], ratio_cpu[MAX_ROUNDS];
        printf("closed model: %u thread%s, %u connections, %u rounds of %.0f s\n", c->threads, c->threads == 1 ? "" : "s",
               c->conns, rounds, duration);
        for (unsigned r = 0; r < rounds; r++) {
                for (size_t t = 0; t < ELEMENTSOF(tools); t++) {
                        if (!present[t])
                                continue;
                        Run run = { 0 };
                        double n0 = nginx_cpu_s();
                        if (tools[t].run(url, c, duration, &run) < 0) {
                                fprintf(stderr, "bench-load: %s at %u connections failed\n", tools[t].name, c->conns);
                                return -EIO;
                        }
                        run.nginx_s = nginx_cpu_s() - n0;
                        print_run(tools[t].name, r + 1, &run);
                        rps[t][r] = run.rps;
                        cpu[t][r] = us_per_request(&run);
                }
                ratio_rps[r] = rps[SKYTUNE][r] / rps[WRK][r];
                ratio_cpu[r] = cpu[SKYTUNE][r] / cpu[WRK][r];
        }
        for (size_t t = 0; t < ELEMENTSOF(tools); t++)
                if (present[t])
                        printf("  median %-8s %8.0f req/s  client %6.2f us/req%s%s\n", tools[t].name,
                               stats_median(rps[t], rounds), stats_median(cpu[t], rounds),
                               c->threads > 1 && tools[t].threads_note ? "  " : "",
                               c->threads > 1 && tools[t].threads_note ? tools[t].threads_note : "");
        double mr = stats_median(rps[SKYTUNE], rounds) / stats_median(rps[WRK], rounds);
        double mc = stats_median(cpu[SKYTUNE], rounds) / stats_median(cpu[WRK], rounds);
        printf("  skytune/wrk: req/s %.3f (median of rounds' ratios %.3f), CPU per request %.3f (%.3f)\n", mr,
               stats_median(ratio_rps, rounds), mc, stats_median(ratio_cpu, rounds));
        return 0;
}

typedef struct Open {
        double target, achieved;        /* requests/s: asked, and sent over the hold */
        double late_p50, late_p99, late_max;    /* send lateness, us */
        double cpu_us, engine_us;       /* per completed request: the process (wait4), the engine's threads */
        double failed, not_sent;
        bool client_bound;
} Open;

static int run_open(double rate, double duration, unsigned threads, Open *o) {
        char r[32], d[32], t[16];
        snprintf(r, sizeof r, "%.0f", rate);
        snprintf(d, sizeof d, "%g", duration);
        snprintf(t, sizeof t, "%u", threads);
        char *args[] = { "--rate", r, "--duration", d, "--threads", t };
        double cpu_s = 0;
        int code = -1;
        json_t *doc = skytune_json(open_url, args, ELEMENTSOF(args), &cpu_s, &code);
        if (!doc || (code != 0 && code != 5)) {
                json_decref(doc);
                return -EIO;
        }
        double completed = num(doc, "total", "completed", NULL);
        *o = (Open) {
                .target = rate,
                .achieved = num(doc, "total", "sent", NULL) / duration,
                .late_p50 = num(doc, "total", "lateness_us", "p50"),
                .late_p99 = num(doc, "total", "lateness_us", "p99"),
                .late_max = num(doc, "total", "lateness_us", "max"),
                .cpu_us = completed > 0 ? 1e6 * cpu_s / completed : NAN,
                .engine_us = num(doc, "client", "cpu_per_request_us", NULL),
                .failed = completed - num(doc, "total", "ok", NULL),
                .not_sent = json_number_value(json_object_get(json_object_get(json_object_get(doc, "total"), "errors"), "not_sent")),
                .client_bound = json_is_true(json_object_get(json_object_get(doc, "client"), "client_bound")),
        };
        json_decref(doc);
        return completed > 0 ? 0 : -EBADMSG;
}

/* Kept (issue 14): at least 99.5 % of the arrivals sent and the median send lateness <= 50 us. */
static bool kept(const Open *o) {
        return o->late_p50 <= 50 && o->achieved >= 0.995 * o->target;
}

static void print_open(const char *label, const Open *o) {
        printf("  %-9s %6.0f/s: sent %8.1f/s (%6.2f %%)  lateness p50 %4.0f p99 %5.0f max %6.0f us  "
               "%5.2f us/req (engine %5.2f)%s%s\n",
               label, o->target, o->achieved, 100 * o->achieved / o->target, o->late_p50, o->late_p99, o->late_max,
               o->cpu_us, o->engine_us, o->client_bound ? "  CLIENT-BOUND" : "", kept(o) ? "" : "  not kept");
        if (o->failed > 0 || o->not_sent > 0)
                printf("            %.0f failed, %.0f not sent (every slot busy)\n", o->failed, o->not_sent);
        fflush(stdout);
}

/* runs runs at rate: each printed, then the medians; *median_out gets them. */
static int open_series(double rate, double duration, unsigned threads, unsigned runs, Open *median_out) {
        double v[7][MAX_ROUNDS];
        Open o = { 0 }, m = { .target = rate };
        for (unsigned i = 0; i < runs; i++) {
                if (run_open(rate, duration, threads, &o) < 0)
                        return -EIO;
                char label[16];
                snprintf(label, sizeof label, "run %u", i + 1);
                print_open(label, &o);
                double f[7] = { o.achieved, o.late_p50, o.late_p99, o.late_max, o.cpu_us, o.engine_us, o.client_bound };
                for (size_t k = 0; k < 7; k++)
                        v[k][i] = f[k];
        }
        m.achieved = stats_median(v[0], runs);
        m.late_p50 = stats_median(v[1], runs);
        m.late_p99 = stats_median(v[2], runs);
        m.late_max = stats_median(v[3], runs);
        m.cpu_us = stats_median(v[4], runs);
        m.engine_us = stats_median(v[5], runs);
        m.client_bound = stats_median(v[6], runs) > 0.5;
        print_open("median", &m);
        *median_out = m;
        return 0;
}

/* The highest rate below top that is kept, in 5 s runs: down by 30 % until one is kept, then
 * three halvings of the gap, rounded to 100/s. 0 when none down to 500/s is. */
static double search_rate(double top, unsigned threads) {
        Open o;
        double lo = top, hi = top;
        do {
                hi = lo;
                lo = round(lo * 0.7 / 100) * 100;
                if (lo < 500 || run_open(lo, 5, threads, &o) < 0)
                        return 0;
                print_open("search", &o);
        } while (!kept(&o));
        for (int i = 0; i < 3 && hi - lo > 100; i++) {
                double mid = round((lo + hi) / 200) * 100;
                if (run_open(mid, 5, threads, &o) < 0)
                        return 0;
                print_open("search", &o);
                *(kept(&o) ? &lo : &hi) = mid;
        }
        return lo;
}

static int open_part(double rate, double duration, unsigned threads, unsigned runs) {
        printf("open model: %.0f requests/s for %.0f s, %u thread%s, %u runs (uniform arrivals), %s\n", rate, duration,
               threads, threads == 1 ? "" : "s", runs, open_url);
        Open m;
        if (open_series(rate, duration, threads, runs, &m) < 0)
                return -EIO;
        if (kept(&m))
                return 0;
        printf("  %.0f/s is not kept here (p50 lateness <= 50 us and >= 99.5 %% sent): searching lower\n", rate);
        double best = search_rate(rate, threads);
        if (best <= 0) {
                printf("  no rate down to 500/s was kept\n");
                return 0;
        }
        printf("open model at the highest rate kept, %.0f/s, %u runs of %.0f s:\n", best, runs, duration);
        return open_series(best, duration, threads, runs, &m);
}

static long vmrss_kb(pid_t pid) {
        char path[64], line[256];
        snprintf(path, sizeof path, "/proc/%d/status", pid);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        long kb = -1;
        while (f && fgets(line, sizeof line, f))
                if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
                        break;
        return kb;
}

/* Least-squares slope of y over x (per unit of x), using the points with x >= from. */
static double slope(const double *x, const double *y, size_t n, double from) {
        double sx = 0, sy = 0, sxx = 0, sxy = 0, k = 0;
        for (size_t i = 0; i < n; i++)
                if (x[i] >= from) {
                        sx += x[i];
                        sy += y[i];
                        sxx += x[i] * x[i];
                        sxy += x[i] * y[i];
                        k++;
                }
        double den = k * sxx - sx * sx;
        return k >= 2 && den > 0 ? (k * sxy - sx * sy) / den : NAN;
}

static double mono_s(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* Samples pid's VmRSS every 5 s until it ends: t (s since start) and KB. */
static size_t sample_rss(pid_t pid, double *t, double *kb) {
        size_t n = 0;
        double t0 = mono_s();
        for (double next = t0 + 5; n < MAX_SAMPLES; next += 5) {
                while (mono_s() < next) {
                        siginfo_t si = { 0 };   /* ended? (left to reap for its rusage) */
                        if (waitid(P_PID, (id_t) pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid)
                                return n;
                        usleep(100000);
                }
                long v = vmrss_kb(pid);
                if (v < 0)
                        return n;
                t[n] = next - t0;
                kb[n++] = (double) v;
        }
        return n;
}

static int endurance_part(double rate, double duration, bool no_system) {
        char r[32], d[32];
        snprintf(r, sizeof r, "%.0f", rate);
        snprintf(d, sizeof d, "%g", duration);
        _cleanup_free_ char *out = tmp_path("endurance.txt"), *doc_path = tmp_path("endurance.json");
        if (!out || !doc_path)
                return -ENOMEM;
        char *argv[] = { (char *) SKYTUNE_BIN, "load", url, "--rate", r, "--duration", d, "--out", doc_path,
                         no_system ? "--no-system" : NULL, NULL };
        printf("endurance: skytune load URL --rate %s --duration %s%s, VmRSS every 5 s (KB):\n", r, d,
               no_system ? " --no-system" : "");
        fflush(stdout);
        pid_t pid = spawn(argv, out);
        if (pid < 0)
                return -errno;
        static double t[MAX_SAMPLES], kb[MAX_SAMPLES];
        size_t n = sample_rss(pid, t, kb);
        double cpu_s = 0;
        int code = -1;
        if (reap(pid, &cpu_s, &code) < 0 || (code != 0 && code != 5)) {
                bench_tell_failure("skytune load", out, code);
                return -EIO;
        }
        for (size_t i = 0; i < n; i++)
                printf("%s%4.0fs %6.0f%s", i % 6 == 0 ? " " : "", t[i], kb[i], i % 6 == 5 || i + 1 == n ? "\n" : "  ");
        json_t *doc = json_load_file(doc_path, 0, NULL);
        double sent = num(doc, "total", "sent", NULL), completed = num(doc, "total", "completed", NULL);
        bool bound = json_is_true(json_object_get(json_object_get(doc, "client"), "client_bound"));
        json_decref(doc);
        printf("  sent %.1f/s, %.2f us CPU per request%s\n", sent / duration, completed > 0 ? 1e6 * cpu_s / completed : NAN,
               bound ? ", CLIENT-BOUND" : "");
        if (n < 2)
                return 0;
        size_t first = 0;
        while (first + 1 < n && t[first] < 60)
                first++;
        size_t half = n / 2;
        printf("  slope: %.1f KB/min over the run, %.1f KB/min after the first minute,\n"
               "         %.1f KB/min over the second half (from %.0f s: %+.0f KB)\n"
               "  growth after the first minute: %+.0f KB (%.0f -> %.0f KB)\n",
               60 * slope(t, kb, n, 0), 60 * slope(t, kb, n, 60), 60 * slope(t, kb, n, t[half]), t[half],
               kb[n - 1] - kb[half], kb[n - 1] - kb[first], kb[first], kb[n - 1]);
        return 0;
}

static int parse_cells(const char *s, Cell *cells, size_t *n) {
        *n = 0;
        for (const char *p = s; *p && *n < MAX_CELLS;) {
                int used = 0;
                Cell c;
                if (sscanf(p, "%u:%u%n", &c.threads, &c.conns, &used) != 2 || c.threads < 1 || c.threads > 16 ||
                    c.conns < c.threads || c.conns > 1000)
                        return -EINVAL;
                cells[(*n)++] = c;
                p += used;
                if (*p == ',')
                        p++;
                else if (*p)
                        return -EINVAL;
        }
        return *n > 0 ? 0 : -EINVAL;
}

typedef struct Options {
        const char *part;
        unsigned rounds, open_runs, open_threads;
        double duration, rate, open_duration, endurance_rate, endurance_duration;
        size_t bytes;
        bool endurance_no_system;
        Cell cells[MAX_CELLS];
        size_t n_cells;
} Options;

static const char usage[] =
        "Usage: bench-load [--part closed|open|endurance|all] [--rounds N (4)] [--duration S (5)]\n"
        "       [--cells T:C,... (1:20,1:50,1:100,2:100)] [--rate R (20000)] [--open-duration S (10)]\n"
        "       [--open-runs N (3)] [--open-threads N (1)] [--endurance-rate R (2000)]\n"
        "       [--endurance-duration S (120)] [--endurance-no-system] [--bytes N (615)]\n";

static int parse_options(int argc, char **argv, Options *o) {
        static const struct option options[] = {
                { "part", required_argument, NULL, 'p' }, { "rounds", required_argument, NULL, 'r' },
                { "duration", required_argument, NULL, 'd' }, { "cells", required_argument, NULL, 'c' },
                { "rate", required_argument, NULL, 'R' }, { "open-duration", required_argument, NULL, 'D' },
                { "open-runs", required_argument, NULL, 'n' }, { "open-threads", required_argument, NULL, 't' },
                { "endurance-rate", required_argument, NULL, 'e' }, { "endurance-duration", required_argument, NULL, 'E' },
                { "endurance-no-system", no_argument, NULL, 'N' },
                { "bytes", required_argument, NULL, 'b' }, { "help", no_argument, NULL, 'h' }, {},
        };
        for (int c; (c = getopt_long(argc, argv, "h", options, NULL)) != -1;)
                switch (c) {
                case 'p': o->part = optarg; break;
                case 'r': o->rounds = (unsigned) atoi(optarg); break;
                case 'd': o->duration = atof(optarg); break;
                case 'c': if (parse_cells(optarg, o->cells, &o->n_cells) < 0) return -EINVAL; break;
                case 'R': o->rate = atof(optarg); break;
                case 'D': o->open_duration = atof(optarg); break;
                case 'n': o->open_runs = (unsigned) atoi(optarg); break;
                case 't': o->open_threads = (unsigned) atoi(optarg); break;
                case 'e': o->endurance_rate = atof(optarg); break;
                case 'E': o->endurance_duration = atof(optarg); break;
                case 'N': o->endurance_no_system = true; break;
                case 'b': o->bytes = (size_t) atol(optarg); break;
                default: return -EINVAL;
                }
        bool part_ok = !strcmp(o->part, "all") || !strcmp(o->part, "closed") || !strcmp(o->part, "open") ||
                       !strcmp(o->part, "endurance");
        return part_ok && o->rounds >= 1 && o->rounds <= MAX_ROUNDS && o->duration >= 1 && o->duration <= 60 &&
                       o->rate >= 100 && o->rate <= 200000 && o->open_duration >= 1 && o->open_duration <= 60 &&
                       o->open_runs >= 1 && o->open_runs <= MAX_ROUNDS && o->open_threads >= 1 && o->open_threads <= 16 &&
                       o->endurance_rate >= 1 && o->endurance_rate <= 50000 && o->endurance_duration >= 10 &&
                       o->endurance_duration <= 3600 && o->bytes >= 1 && o->bytes <= (1u << 20)
               ? 0 : -EINVAL;
}

static void print_tools(void) {
        for (size_t t = 0; t < ELEMENTSOF(tools); t++) {
                present[t] = !tools[t].prog || on_path(tools[t].prog);
                if (!present[t])
                        printf("%s: not installed, skipped (Debian: apt-get install %s)\n", tools[t].name, tools[t].prog);
        }
}

int main(int argc, char **argv) {
        Options o = {
                .part = "all", .rounds = 4, .duration = 5, .rate = 20000, .open_duration = 10, .open_runs = 3,
                .open_threads = 1, .endurance_rate = 2000, .endurance_duration = 120, .bytes = 615,
                .cells = { { 1, 20 }, { 1, 50 }, { 1, 100 }, { 2, 100 } }, .n_cells = 4,
        };
        if (parse_options(argc, argv, &o) < 0) {
                fputs(usage, stderr);
                return 2;
        }
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
        fprintf(stderr, "bench-load: this build has sanitizers: its figures are not skytune's (build Release)\n");
#endif
        int r = nginx_fixture_start("bench-load", "wrk", o.bytes, url, sizeof(url));
        if (r != 0)
                return r > 0 ? 0 : 1;
        snprintf(open_url, sizeof(open_url), "%.*s%s", (int) (strrchr(url, '/') - url), url, NGINX_RETURN_PATH);
        printf("bench-load: %s (%zu B), %ld CPUs, %s\n  nginx: %s\n", url, o.bytes, sysconf(_SC_NPROCESSORS_ONLN),
               SKYTUNE_BIN, NGINX_FIXTURE_CONFIG);
        bool all = !strcmp(o.part, "all");
        if (all || !strcmp(o.part, "closed")) {
                print_tools();
                for (size_t i = 0; i < o.n_cells; i++)
                        if (closed_cell(&o.cells[i], o.rounds, o.duration) < 0)
                                return 1;
                printf("client CPU: user + system of the whole client process (wait4) per completed request\n");
        }
        if ((all || !strcmp(o.part, "open")) && open_part(o.rate, o.open_duration, o.open_threads, o.open_runs) < 0)
                return 1;
        if ((all || !strcmp(o.part, "endurance")) && endurance_part(o.endurance_rate, o.endurance_duration, o.endurance_no_system) < 0)
                return 1;
        return 0;
}
