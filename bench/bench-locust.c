/* SPDX-License-Identifier: MIT */
/* bench-locust: Locust (Debian's python3-locust: one process, FastHttpUser) beside `skytune load`
 * (this build's binary) on one local nginx (127.0.0.1, nginx-fixture.h) and the same location, its
 * in-memory answer (NGINX_RETURN_PATH). Per round, back to back so they share the neighbours
 * (A B A B), these runs:
 *   idle    1 user at 1 request/s for 2 s: the tool's start-up and shut-down (Python, gevent and
 *           Locust's imports), subtracted below so a short run does not charge it to the requests.
 *   rate    the same fixed rate (each of --rates, 2 000/s and 3 500/s, near the most one Locust
 *           process holds here) for --duration (10 s). Locust: --users users,
 *           each paced by constant_throughput(rate / users) (a closed loop whose pace fixes the
 *           rate while an answer takes less than the pace); skytune: the open model, --rate R
 *           (a send schedule kept to the microsecond, which costs CPU per request: it wakes early
 *           and polls), and "sky-thk", Locust's model: --users N --think users/rate.
 *   closed  the most each does closed-loop with --users connections and no wait: Locust's users
 *           with no wait_time; skytune --users N --threads 1 (Locust has one core in one process).
 * Per run: requests per second (Locust's own Requests/s, its count over the span of its stats,
 * which leaves out the second or so its -t spends starting; skytune's completed over the
 * duration), client CPU per request (user + system of the whole process, wait4; "net": less the
 * round's idle run), nginx's CPU per request (the same server work for both),
 * and p50 / p99 as each tool reports them: Locust in whole milliseconds below 100 ms and two
 * significant digits above (its stats keep response times rounded so), skytune in microseconds.
 * Medians over --rounds (3). Figures, never pass/fail (exit 0 unless a run could not be made).
 *   bench-locust [--rounds N (3)] [--duration S (10)] [--rates R,... (2000,3500)] [--users N (20)] */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "stats.h"

#define BENCH_NAME "bench-locust"
#include "bench-child.h"
#include "bench-skytune.h"
#include "nginx-fixture.h"

#define MAX_ROUNDS 16
#define MAX_FIELDS 32

typedef struct Mode {
        const char *name;
        double rate;                    /* requests/s over all users; 0: closed loop, no wait */
        unsigned users;
        double duration;
} Mode;

typedef struct Run {
        double requests, failed, cpu_s, nginx_s;
        double p50_ms, p99_ms;          /* as the tool reports them */
        double own_rps;                 /* Locust's Requests/s: from its start to its last request */
        bool cpu_warning;               /* Locust said its CPU was above 90 % */
} Run;

typedef struct Tool {
        const char *name;
        int (*run)(const Mode *m, Run *ret);
        bool rate_only;                 /* runs only in the rate parts */
} Tool;

static char url[128], host[64], open_url[160];

/* The locustfile: one user class, one task GETting the in-memory answer. */
static int write_locustfile(const char *path, const Mode *m) {
        char wait[64], text[512];
        if (m->rate > 0)
                snprintf(wait, sizeof(wait), "constant_throughput(%.6g)", m->rate / m->users);
        else
                snprintf(wait, sizeof(wait), "constant(0)");
        snprintf(text, sizeof(text),
                 "from locust import FastHttpUser, task, constant, constant_throughput\n\n\n"
                 "class Bench(FastHttpUser):\n"
                 "    wait_time = %s\n\n"
                 "    @task\n"
                 "    def get(self):\n"
                 "        self.client.get(\"%s\")\n",
                 wait, NGINX_RETURN_PATH);
        return write_text(path, text);
}

/* Splits one CSV line (no quoted commas in Locust's stats) into at most MAX_FIELDS fields. */
static size_t csv_fields(char *line, char **fields) {
        size_t n = 0;
        for (char *p = line; n < MAX_FIELDS;) {
                fields[n++] = p;
                p = strpbrk(p, ",\n");
                if (!p || *p == '\n') {
                        if (p)
                                *p = '\0';
                        break;
                }
                *p++ = '\0';
        }
        for (size_t i = 0; i < n; i++)  /* strip the quotes Python's csv may put around a name */
                if (fields[i][0] == '"') {
                        fields[i]++;
                        fields[i][strcspn(fields[i], "\"")] = '\0';
                }
        return n;
}

/* The "Aggregated" row of Locust's PREFIX_stats.csv, read by its header's column names. */
static int read_locust_csv(const char *path, Run *ret) {
        _cleanup_free_ char *text = slurp(path);
        char *row = text ? strstr(text, ",Aggregated,") : NULL;
        char *head[MAX_FIELDS], *val[MAX_FIELDS];
        if (!row)
                return -EBADMSG;
        while (row > text && row[-1] != '\n')
                row--;
        size_t nh = csv_fields(text, head), nv = csv_fields(row, val);
        ret->requests = ret->failed = ret->p50_ms = ret->p99_ms = NAN;
        for (size_t i = 0; i < nh && i < nv; i++) {
                double v = strcmp(val[i], "N/A") ? strtod(val[i], NULL) : NAN;
                if (!strcmp(head[i], "Request Count"))
                        ret->requests = v;
                else if (!strcmp(head[i], "Failure Count"))
                        ret->failed = v;
                else if (!strcmp(head[i], "Requests/s"))
                        ret->own_rps = v;
                else if (!strcmp(head[i], "50%"))
                        ret->p50_ms = v;
                else if (!strcmp(head[i], "99%"))
                        ret->p99_ms = v;
        }
        return isnan(ret->requests) || ret->requests <= 0 ? -EBADMSG : 0;
}

static int run_locust(const Mode *m, Run *ret) {
        _cleanup_free_ char *file = tmp_path("locustfile.py"), *csv = tmp_path("locust"), *out = tmp_path("locust.out");
        _cleanup_free_ char *stats = tmp_path("locust_stats.csv");
        if (!file || !csv || !out || !stats || write_locustfile(file, m) < 0)
                return -EIO;
        char users[16], spawn_rate[16], d[32];
        snprintf(users, sizeof(users), "%u", m->users);
        snprintf(spawn_rate, sizeof(spawn_rate), "%u", MIN(10 * m->users, 100u));     /* all in 0.1 s (a warning over 100) */
        snprintf(d, sizeof(d), "%.0fs", m->duration);
        char *argv[] = { "locust", "-f", file, "--headless", "-u", users, "-r", spawn_rate, "-t", d, "--host", host,
                         "--only-summary", "--csv", csv, "--stop-timeout", "0", "--loglevel", "WARNING", NULL };
        int code = -1;
        unlink(stats);
        /* 1: some requests failed (counted and printed), the run is still a run */
        if (run_child(argv, out, &ret->cpu_s, &code) < 0 || (code != 0 && code != 1) || read_locust_csv(stats, ret) < 0) {
                bench_tell_failure("locust", out, code);
                return -EIO;
        }
        _cleanup_free_ char *err = NULL;
        _cleanup_free_ char *log = asprintf(&err, "%s.err", out) < 0 ? NULL : slurp(err);
        ret->cpu_warning = log && strstr(log, "CPU usage above 90%");
        return 0;
}

static int skytune_run(char **args, size_t n_args, Run *ret) {
        int code = -1;
        json_t *doc = skytune_json(open_url, args, n_args, &ret->cpu_s, &code);
        if (!doc || (code != 0 && code != 5)) {
                json_decref(doc);
                return -EIO;
        }
        ret->requests = num(doc, "total", "completed", NULL);
        ret->failed = ret->requests - num(doc, "total", "ok", NULL);
        ret->p50_ms = num(doc, "total", "latency_us", "p50") / 1000;
        ret->p99_ms = num(doc, "total", "latency_us", "p99") / 1000;
        ret->cpu_warning = false;
        json_decref(doc);
        return ret->requests > 0 ? 0 : -EBADMSG;
}

/* The open model at the rate; closed: --users. One thread, as Locust's one process. */
static int run_skytune(const Mode *m, Run *ret) {
        char n[32], d[32];
        snprintf(n, sizeof(n), "%.0f", m->rate > 0 ? m->rate : (double) m->users);
        snprintf(d, sizeof(d), "%g", m->duration);
        char *args[] = { m->rate > 0 ? "--rate" : "--users", n, "--duration", d, "--threads", "1" };
        return skytune_run(args, ELEMENTSOF(args), ret);
}

/* Locust's model: the same users, each pausing users/rate after an answer (--think), so the rate
 * is a little under the target by the answers' time; no send schedule to keep. */
static int run_skytune_think(const Mode *m, Run *ret) {
        char n[32], think[32], d[32];
        snprintf(n, sizeof(n), "%u", m->users);
        snprintf(think, sizeof(think), "%.6gms", 1e3 * m->users / m->rate);
        snprintf(d, sizeof(d), "%g", m->duration);
        char *args[] = { "--users", n, "--think", think, "--duration", d, "--threads", "1" };
        return skytune_run(args, ELEMENTSOF(args), ret);
}

static const Tool tools[] = {
        { "locust", run_locust, false },
        { "skytune", run_skytune, false },
        { "sky-thk", run_skytune_think, true },
};
#define N_TOOLS ELEMENTSOF(tools)
#define LOCUST 0
#define SKYTUNE 1
#define SKYTUNE_THINK 2

/* The figures kept per run, by index, for the medians. */
enum { F_RPS, F_CPU, F_NET, F_NGINX, F_P50, F_P99, N_FIGURES };

typedef struct Series {
        double v[N_TOOLS][N_FIGURES][MAX_ROUNDS];
} Series;

static double idle_cpu_s[N_TOOLS][MAX_ROUNDS];  /* per tool and round: the idle run's CPU */

static void print_run(const char *tool, unsigned round, const double *f, const Run *r) {
        printf("  %-7s %u: %7.0f req/s  %6.1f us/req (net %6.1f)  nginx %5.1f  p50 %6.3g p99 %6.3g ms", tool, round,
               f[F_RPS], f[F_CPU], f[F_NET], f[F_NGINX], f[F_P50], f[F_P99]);
        if (r->failed > 0)
                printf("  %.0f failed", r->failed);
        if (r->cpu_warning)
                printf("  (CPU > 90 %%)");
        printf("\n");
        fflush(stdout);
}

/* One run of tool t in mode m, its figures into s at round; "net" less idle_s, the round's idle run
 * of that program. idle_s < 0: this is the idle run (its CPU kept for the others, not printed). */
static int measure(size_t t, const Mode *m, unsigned round, Series *s, double idle_s) {
        Run run = { 0 };
        double n0 = nginx_cpu_s();
        if (tools[t].run(m, &run) < 0) {
                fprintf(stderr, BENCH_NAME ": %s, %s run %u failed\n", tools[t].name, m->name, round + 1);
                return -EIO;
        }
        run.nginx_s = nginx_cpu_s() - n0;
        double f[N_FIGURES] = {
                [F_RPS] = run.own_rps > 0 ? run.own_rps : run.requests / m->duration,
                [F_CPU] = 1e6 * run.cpu_s / run.requests,
                [F_NET] = 1e6 * (run.cpu_s - idle_s) / run.requests,
                [F_NGINX] = 1e6 * run.nginx_s / run.requests,
                [F_P50] = run.p50_ms,
                [F_P99] = run.p99_ms,
        };
        for (size_t k = 0; k < N_FIGURES; k++)
                s->v[t][k][round] = f[k];
        if (idle_s >= 0)
                print_run(tools[t].name, round + 1, f, &run);
        else
                idle_cpu_s[t][round] = run.cpu_s;
        return 0;
}

static void print_medians(const Mode *m, const Series *s, unsigned rounds) {
        double med[N_TOOLS][N_FIGURES];
        for (size_t t = 0; t < N_TOOLS; t++)
                for (size_t k = 0; k < N_FIGURES; k++)
                        med[t][k] = stats_median(s->v[t][k], rounds);
        for (size_t t = 0; t < N_TOOLS; t++)
                if (m->rate > 0 || !tools[t].rate_only)
                        printf("  median  %-7s %7.0f req/s  %6.1f us/req (net %6.1f)  nginx %5.1f  p50 %6.3g p99 %6.3g ms\n",
                               tools[t].name, med[t][F_RPS], med[t][F_CPU], med[t][F_NET], med[t][F_NGINX],
                               med[t][F_P50], med[t][F_P99]);
        printf("  %s: locust/skytune CPU per request %.2f (net %.2f)", m->name,
               med[LOCUST][F_CPU] / med[SKYTUNE][F_CPU], med[LOCUST][F_NET] / med[SKYTUNE][F_NET]);
        if (m->rate > 0)
                printf(", against sky-thk %.2f (net %.2f)\n  achieved %.1f %% / %.1f %% / %.1f %% of %.0f/s",
                       med[LOCUST][F_CPU] / med[SKYTUNE_THINK][F_CPU], med[LOCUST][F_NET] / med[SKYTUNE_THINK][F_NET],
                       100 * med[LOCUST][F_RPS] / m->rate, 100 * med[SKYTUNE][F_RPS] / m->rate,
                       100 * med[SKYTUNE_THINK][F_RPS] / m->rate, m->rate);
        printf("\n");
}

#define MAX_RATES 4

typedef struct Options {
        unsigned rounds, users;
        double duration, rates[MAX_RATES];
        size_t n_rates;
} Options;

static int run_rounds(const Options *o) {
        const Mode idle = { "idle", 1, 1, 2 };
        Mode modes[MAX_RATES + 1];
        size_t n_modes = 0;
        for (size_t i = 0; i < o->n_rates; i++)
                modes[n_modes++] = (Mode) { "rate", o->rates[i], o->users, o->duration };
        modes[n_modes++] = (Mode) { "closed", 0, o->users, o->duration };
        static Series idle_s, series[MAX_RATES + 1];
        for (unsigned r = 0; r < o->rounds; r++) {
                printf("round %u of %u\n", r + 1, o->rounds);
                for (size_t t = LOCUST; t <= SKYTUNE; t++)      /* sky-thk is the same program */
                        if (measure(t, &idle, r, &idle_s, -1) < 0)
                                return -EIO;
                for (size_t i = 0; i < n_modes; i++) {
                        if (modes[i].rate > 0)
                                printf(" rate %.0f/s\n", modes[i].rate);
                        else
                                printf(" closed\n");
                        for (size_t t = 0; t < N_TOOLS; t++)
                                if ((modes[i].rate > 0 || !tools[t].rate_only) &&
                                    measure(t, &modes[i], r, &series[i], idle_cpu_s[t == LOCUST ? LOCUST : SKYTUNE][r]) < 0)
                                        return -EIO;
                }
        }
        printf("idle run (1 user, 1/s, 2 s), median CPU: locust %.0f ms, skytune %.0f ms\n",
               1e3 * stats_median(idle_cpu_s[LOCUST], o->rounds), 1e3 * stats_median(idle_cpu_s[SKYTUNE], o->rounds));
        for (size_t i = 0; i < n_modes; i++) {
                if (modes[i].rate > 0)
                        printf("rate: %.0f/s for %.0f s (locust: %u users, constant_throughput(%.6g); skytune: --rate;\n"
                               "  sky-thk: skytune --users %u --think %.6gms)\n",
                               modes[i].rate, modes[i].duration, modes[i].users, modes[i].rate / modes[i].users,
                               modes[i].users, 1e3 * modes[i].users / modes[i].rate);
                else
                        printf("closed: %u users, no wait, %.0f s (skytune: --users %u --threads 1)\n", modes[i].users,
                               modes[i].duration, modes[i].users);
                print_medians(&modes[i], &series[i], o->rounds);
        }
        return 0;
}

static const char usage[] =
        "Usage: bench-locust [--rounds N (3)] [--duration S (10)] [--rates R,... (2000,3500)] [--users N (20)]\n";

static int parse_rates(const char *s, Options *o) {
        o->n_rates = 0;
        for (const char *p = s; *p && o->n_rates < MAX_RATES;) {
                char *end;
                double r = strtod(p, &end);
                if (end == p || r < 10 || r > 50000 || (*end && *end != ','))
                        return -EINVAL;
                o->rates[o->n_rates++] = r;
                p = *end ? end + 1 : end;
        }
        return o->n_rates > 0 ? 0 : -EINVAL;
}

static int parse_options(int argc, char **argv, Options *o) {
        static const struct option options[] = {
                { "rounds", required_argument, NULL, 'r' }, { "duration", required_argument, NULL, 'd' },
                { "rates", required_argument, NULL, 'R' }, { "users", required_argument, NULL, 'u' },
                { "help", no_argument, NULL, 'h' }, {},
        };
        for (int c; (c = getopt_long(argc, argv, "h", options, NULL)) != -1;)
                switch (c) {
                case 'r': o->rounds = (unsigned) atoi(optarg); break;
                case 'd': o->duration = atof(optarg); break;
                case 'R': if (parse_rates(optarg, o) < 0) return -EINVAL; break;
                case 'u': o->users = (unsigned) atoi(optarg); break;
                default: return -EINVAL;
                }
        return optind == argc && o->rounds >= 1 && o->rounds <= MAX_ROUNDS && o->duration >= 3 && o->duration <= 60 &&
                       o->users >= 1 && o->users <= 1000
               ? 0 : -EINVAL;
}

int main(int argc, char **argv) {
        Options o = { .rounds = 3, .duration = 10, .rates = { 2000, 3500 }, .n_rates = 2, .users = 20 };
        if (parse_options(argc, argv, &o) < 0) {
                fputs(usage, stderr);
                return 2;
        }
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
        fprintf(stderr, BENCH_NAME ": this build has sanitizers: its figures are not skytune's (build Release)\n");
#endif
        int r = nginx_fixture_start(BENCH_NAME, "locust", 615, url, sizeof(url));
        if (r != 0)
                return r > 0 ? 0 : 1;
        const char *path = strrchr(url, '/');
        snprintf(host, sizeof(host), "%.*s", (int) (path - url), url);
        snprintf(open_url, sizeof(open_url), "%s%s", host, NGINX_RETURN_PATH);
        printf(BENCH_NAME ": %s (615 B), %ld CPUs, %s\n  nginx: %s\n", open_url, sysconf(_SC_NPROCESSORS_ONLN),
               SKYTUNE_BIN, NGINX_FIXTURE_CONFIG);
        if (run_rounds(&o) < 0)
                return 1;
        printf("client CPU: user + system of the whole process (wait4) per completed request; net: less the\n"
               "round's idle run. p50/p99 as reported: Locust rounds to whole ms below 100 ms (2 significant\n"
               "digits above), so loopback latencies read 0 or 1 ms; skytune's are in us.\n");
        return 0;
}
