/* SPDX-License-Identifier: MIT */
/* What skytune-monitor's JSON API costs (docs/api.md, Figures):
 *  1. GET /api/v1/query of 10 series over 24 h at 1 min steps, from a store of the last 24 h of 1 s
 *     samples (24 sealed hours: chunks and rollups, as the daemon's seal writes them), through the
 *     route's function (api_query); alternated with 1 h at 1 s of the same series (the chunks),
 *     A B A B, medians and 90th percentiles of R rounds each; then the 24 h query over HTTP from the
 *     daemon started on that store (the client's wall time, the body read); and the costliest query
 *     the read bound (API_READ_MAX) lets through, 13 h at 59 s (the samples: 468000 of them);
 *  2. the daemon's CPU for one GET /api/v1/current: this build's skytune-monitor on a fixture
 *     sysroot, polled N times over one keep-alive connection (as a page's fetch() does) and N times
 *     with a new connection each, against as long idle, A B A B; its CPU from the kernel's schedstat
 *     (ns), the idle rate subtracted. A page polls once a second, so a poll's cost in us is its share
 *     of a core in units of 1e-4 % (200 us: 0.02 %);
 *  3. an open live dashboard page (docs/dashboard.md, Figures): a store of the last hour of 1 s samples
 *     of every panel's series (a pattern's star four ways), the page of 5 min and 15 min as GET
 *     /dashboard builds it (the route's function without HTTP: document, served marks, renderer),
 *     A B A B, the thread's CPU; the page fetches itself again every refresh_ms and polls once a
 *     second, so its share of a core is that CPU over the interval plus a keep-alive poll of 2.
 *
 *   bench-api [--rounds R] [--polls N] [--sysroot DIR] [--monitor PATH]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "dashboard-doc.h"
#include "render-dashboard.h"
#include "ring.h"
#include "stats.h"
#include "tsdb.h"

#define SERIES     10
#define HOURS      24
#define PER_STAR   4 /* the dashboard's store: each star of a panel's pattern four ways */
#define MAX_SERIES 128

/* The first hour filled: the last 24 whole hours, so that the daemon's retention keeps them. */
static int64_t T0;
static char query_24[96], query_1h[96], query_bound[96];

static double now_us(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e6 + (double) ts.tv_nsec / 1e3;
}

/* 24 h of 1 s samples of SERIES series, an hour a chunk (and its rollups), shaped like the
 * collectors' (a percentage with noise, a byte gauge, a rate with bursts). */
static void fill(struct tsdb *t) {
        static struct store_point p[SERIES][3600];
        struct tsdb_chunk_in in[SERIES];
        int64_t id[SERIES];
        for (int s = 0; s < SERIES; s++) {
                char name[32];
                snprintf(name, sizeof(name), "bench.series%d", s);
                if (tsdb_series(t, name, 2, &id[s]) < 0)
                        exit(1);
        }
        unsigned seed = 1;
        for (int h = 0; h < HOURS; h++) {
                for (int s = 0; s < SERIES; s++) {
                        for (int i = 0; i < 3600; i++) {
                                int64_t v = s % 3 == 0 ? 2500 + (int64_t) (rand_r(&seed) % 100)
                                        : s % 3 == 1   ? INT64_C(400000000) + 4096 * (i / 60)
                                                       : 100000 + (rand_r(&seed) % 100 == 0 ? 400000 : 0);
                                p[s][i] = (struct store_point) { T0 + ((int64_t) h * 3600 + i) * 1000, v };
                        }
                        in[s] = (struct tsdb_chunk_in) { id[s], p[s], 3600 };
                }
                if (tsdb_append_chunks(t, in, SERIES) < 0)
                        exit(1);
        }
}

static double cpu_us(void) {
        struct timespec ts;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return (double) ts.tv_sec * 1e6 + (double) ts.tv_nsec / 1e3;
}

/* One query: its wall time, and in *ret_cpu its CPU time (the figure a loaded host does not move). */
static double one_query(const ApiSource *src, const char *range, size_t *ret_bytes, double *ret_cpu) {
        char q[512] = "";
        for (int s = 0; s < SERIES; s++)
                snprintf(q + strlen(q), sizeof(q) - strlen(q), "series=bench.series%d&", s);
        strncat(q, range, sizeof(q) - strlen(q) - 1);
        HttpRequest *r;
        if (http_request_new(false, &r) < 0 || http_request_parse_query(r, q) < 0)
                exit(1);
        char *body = NULL;
        size_t len = 0;
        double t = now_us(), c = cpu_us();
        int k = api_query(src, r, &body, &len);
        t = now_us() - t;
        *ret_cpu = cpu_us() - c;
        if (k < 0) {
                fprintf(stderr, "bench-api: query failed: %s (%s)\n", strerror(-k),
                        http_request_refusal(r, NULL, NULL));
                exit(1);
        }
        *ret_bytes = len;
        free(body);
        http_request_free(r);
        return t;
}

static void bench_query(const char *path, int rounds) {
        struct tsdb *t;
        MonitorRing *ring;
        double t0 = now_us();
        if (tsdb_open(path, &t, NULL) < 0 || ring_new(t, 100, 600, &ring) < 0)
                exit(1);
        fill(t);
        printf("store: %d series x %d h of 1 s samples, filled in %.1f s\n", SERIES, HOURS, (now_us() - t0) / 1e6);
        ApiSource src = { .ring = ring, .store = t, .now_ms = T0 + HOURS * TSDB_HOUR_MS, .stale_ms = 7000 };
        size_t n = (size_t) rounds;
        double *a = calloc(n, sizeof(double)), *b = calloc(n, sizeof(double)), *ac = calloc(n, sizeof(double)),
               *bc = calloc(n, sizeof(double));
        size_t bytes_a = 0, bytes_b = 0;
        one_query(&src, query_24, &bytes_a, &ac[0]); /* warm the page cache */
        for (size_t i = 0; i < n; i++) {
                a[i] = one_query(&src, query_24, &bytes_a, &ac[i]);
                b[i] = one_query(&src, query_1h, &bytes_b, &bc[i]);
        }
        printf("\nGET /api/v1/query, %d series (A B A B, %d rounds)   wall median (MAD)   CPU median   body\n", SERIES,
               rounds);
        printf("  A: 24 h at 1 min (r1m rollups, 14400 points)      %6.2f ms (%5.2f)     %6.2f ms %6zu KB\n",
               stats_median(a, n) / 1e3, stats_mad(a, n) / 1e3, stats_median(ac, n) / 1e3, bytes_a / 1024);
        printf("  B: 1 h at 1 s (chunks, 36000 points)              %6.2f ms (%5.2f)     %6.2f ms %6zu KB\n",
               stats_median(b, n) / 1e3, stats_mad(b, n) / 1e3, stats_median(bc, n) / 1e3, bytes_b / 1024);
        for (size_t i = 0; i < n; i++)
                a[i] = one_query(&src, query_bound, &bytes_a, &ac[i]);
        printf("  the read bound: 13 h at 59 s (468000 samples)     %6.2f ms (%5.2f)     %6.2f ms %6zu KB\n",
               stats_median(a, n) / 1e3, stats_mad(a, n) / 1e3, stats_median(ac, n) / 1e3, bytes_a / 1024);
        free(a);
        free(b);
        free(ac);
        free(bc);
        ring_free(ring);
        tsdb_close(t);
}

/* The CPU time of every thread of pid, in ns (schedstat: exact, not in clock ticks). */
static double cpu_ns(pid_t pid) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/schedstat", (int) pid);
        FILE *f = fopen(path, "re");
        double ns = 0;
        if (!f || fscanf(f, "%lf", &ns) != 1)
                exit(1);
        fclose(f);
        return ns;
}

static int connect_to(int port) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port) };
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                if (fd >= 0)
                        close(fd);
                return -1;
        }
        return fd;
}

/* One GET of target on fd, read to the end of its body: the body's length, -1 on error. */
static ssize_t get_once(int fd, const char *target, bool close_after) {
        char req[1024];
        snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n", target,
                 close_after ? "Connection: close\r\n" : "");
        if (write(fd, req, strlen(req)) != (ssize_t) strlen(req))
                return -1;
        static char buf[4 << 20];
        size_t got = 0;
        long want = -1;
        for (;;) {
                ssize_t n = read(fd, buf + got, sizeof(buf) - 1 - got);
                if (n <= 0)
                        return -1;
                got += (size_t) n;
                buf[got] = '\0';
                char *end = strstr(buf, "\r\n\r\n"), *cl = strcasestr(buf, "Content-Length:");
                if (end && cl && want < 0)
                        want = strtol(cl + 15, NULL, 10) + (end + 4 - buf);
                if (want >= 0 && (long) got >= want)
                        return want - (end + 4 - buf);
        }
}

static pid_t start_monitor(const char *bin, const char *sysroot, const char *dir, const char *store, int port) {
        char conf[4096], listen[64];
        snprintf(conf, sizeof(conf), "%s/bench-api.conf", dir);
        snprintf(listen, sizeof(listen), "listen = \"127.0.0.1:%d\";\napp_socket = \"off\";\n", port);
        FILE *f = fopen(conf, "we");
        if (!f || fputs(listen, f) < 0 || fclose(f) != 0)
                exit(1);
        pid_t pid = fork();
        if (pid == 0) {
                if (!freopen("/dev/null", "w", stderr))
                        _exit(127);
                execl(bin, bin, "--config", conf, "--sysroot", sysroot, "--store", store, (char *) NULL);
                _exit(127);
        }
        for (int i = 0; i < 100; i++) {
                int fd = connect_to(port);
                if (fd >= 0) {
                        close(fd);
                        return pid;
                }
                usleep(50000);
        }
        fprintf(stderr, "bench-api: %s does not listen on port %d\n", bin, port);
        exit(1);
}

/* The daemon's CPU per poll of one burst of n polls (keep-alive or not), its idle rate taken off. */
static double burst(pid_t pid, int port, int n, bool fresh, double idle_ns_per_us, size_t *ret_bytes) {
        double c0 = cpu_ns(pid), t0 = now_us();
        int fd = fresh ? -1 : connect_to(port);
        for (int i = 0; i < n; i++) {
                if (fresh)
                        fd = connect_to(port);
                ssize_t len = fd < 0 ? -1 : get_once(fd, "/api/v1/current", fresh);
                if (len < 0)
                        exit(1);
                *ret_bytes = (size_t) len;
                if (fresh)
                        close(fd);
        }
        if (!fresh)
                close(fd);
        double spent = cpu_ns(pid) - c0, wall = now_us() - t0;
        return (spent - idle_ns_per_us * wall) / 1e3 / n;
}

/* The 24 h query through the daemon: the client's wall time of each GET, the body read. */
static void http_query(int port, int rounds) {
        char target[512] = "/api/v1/query?";
        for (int s = 0; s < SERIES; s++)
                snprintf(target + strlen(target), sizeof(target) - strlen(target), "series=bench.series%d&", s);
        strncat(target, query_24, sizeof(target) - strlen(target) - 1);
        double *v = calloc((size_t) rounds, sizeof(double));
        int fd = connect_to(port);
        ssize_t len = 0;
        for (int i = 0; i < rounds; i++) {
                double t = now_us();
                if (fd < 0 || (len = get_once(fd, target, false)) < 0)
                        exit(1);
                v[i] = now_us() - t;
        }
        close(fd);
        printf("  the 24 h query over HTTP (keep-alive)             %6.2f ms (%5.2f)                %6zd KB\n",
               stats_median(v, (size_t) rounds) / 1e3, stats_mad(v, (size_t) rounds) / 1e3, len / 1024);
        free(v);
}

static double bench_daemon(const char *bin, const char *sysroot, const char *dir, const char *store, int polls,
                           int rounds, int query_rounds) {
        int port = 20000 + (int) (getpid() % 20000);
        pid_t pid = start_monitor(bin, sysroot, dir, store, port);
        sleep(3); /* a few ticks: every collector's series in the ring */
        http_query(port, query_rounds);
        double *keep = calloc((size_t) rounds, sizeof(double)), *fresh = calloc((size_t) rounds, sizeof(double)),
               *idle = calloc((size_t) rounds, sizeof(double));
        size_t bytes = 0;
        for (int i = 0; i < rounds; i++) {
                double c0 = cpu_ns(pid), t0 = now_us();
                usleep(2000000);
                double rate = (cpu_ns(pid) - c0) / (now_us() - t0); /* ns of CPU per us idle */
                idle[i] = rate * 1e3;                               /* us per s */
                keep[i] = burst(pid, port, polls, false, rate, &bytes);
                fresh[i] = burst(pid, port, polls, true, rate, &bytes);
        }
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        printf("\nGET /api/v1/current, skytune-monitor's CPU (%d rounds of %d polls, idle between)\n", rounds, polls);
        printf("  idle (ticks only)                  %7.1f us of CPU a second\n", stats_median(idle, (size_t) rounds));
        printf("  a poll, keep-alive connection      %7.1f us  (%.4f %% of a core at 1 poll/s)\n",
               stats_median(keep, (size_t) rounds), stats_median(keep, (size_t) rounds) / 1e4);
        printf("  a poll, a new connection each      %7.1f us  (%.4f %% of a core at 1 poll/s)\n",
               stats_median(fresh, (size_t) rounds), stats_median(fresh, (size_t) rounds) / 1e4);
        printf("  body                               %7zu bytes\n", bytes);
        double poll = stats_median(keep, (size_t) rounds);
        free(keep);
        free(fresh);
        free(idle);
        return poll;
}

/* The names the panels draw: each pattern, its star replaced PER_STAR ways. */
static size_t dash_names(char out[][96]) {
        size_t n = 0;
        for (size_t p = 0; p < dashboard_n_panels; p++)
                for (const char *const *pat = dashboard_panels[p].patterns; *pat; pat++) {
                        const char *star = strchr(*pat, '*');
                        for (int k = 0; k < (star ? PER_STAR : 1) && n < MAX_SERIES; k++, n++)
                                if (star)
                                        snprintf(out[n], 96, "%.*s%s%d%s", (int) (star - *pat), *pat,
                                                 strstr(*pat, "per_cpu") ? "" : "bench", k, star + 1);
                                else
                                        snprintf(out[n], 96, "%s", *pat);
                }
        return n;
}

/* The hour before t0_ms at 1 s, a value with some noise per series. */
static size_t dash_fill(struct tsdb *t, int64_t t0_ms) {
        static char name[MAX_SERIES][96];
        static struct store_point p[MAX_SERIES][3600];
        struct tsdb_chunk_in in[MAX_SERIES];
        size_t n = dash_names(name);
        unsigned seed = 1;
        for (size_t s = 0; s < n; s++) {
                int64_t id;
                if (tsdb_series(t, name[s], 2, &id) < 0)
                        exit(1);
                for (int i = 0; i < 3600; i++)
                        p[s][i] = (struct store_point) { t0_ms - TSDB_HOUR_MS + (int64_t) i * 1000,
                                                         (int64_t) (1000 * (s + 1)) + rand_r(&seed) % 500 };
                in[s] = (struct tsdb_chunk_in) { id, p[s], 3600 };
        }
        if (tsdb_append_chunks(t, in, n) < 0)
                exit(1);
        return n;
}

/* One page of span at now: its CPU time; its size and refresh interval in *ret_bytes, *ret_refresh. */
static double dash_page(struct tsdb *t, int64_t span, int64_t now, size_t *ret_bytes, int64_t *ret_refresh) {
        double c = cpu_us();
        DashboardRange r;
        json_t *doc = NULL;
        char *html = NULL;
        size_t len = 0;
        FILE *f = NULL;
        Error e = ERROR_NULL;
        if (dashboard_range_served(span, now, &r) < 0 || dashboard_doc_build(t, &r, "bench", &doc) < 0 ||
            dashboard_doc_transactions(doc, NULL, "none") < 0 || dashboard_doc_served(doc, "http://127.0.0.1:1") < 0 ||
            !(f = open_memstream(&html, &len)) || render_dashboard_html(f, doc, &e) < 0 || fclose(f) != 0)
                exit(1);
        c = cpu_us() - c;
        *ret_bytes = len;
        *ret_refresh = json_integer_value(json_object_get(doc, "refresh_ms"));
        free(html);
        json_decref(doc);
        error_done(&e);
        return c;
}

/* 3. A live /dashboard page: the page as the route builds it, per live range, A B A B; its share of
 * a core is that CPU over the page's refresh interval plus a poll a second (poll_us, from 2). */
static void bench_dashboard(const char *dir, int rounds, double poll_us) {
        char path[96];
        snprintf(path, sizeof(path), "%s/dashboard.db", dir);
        struct tsdb *t;
        if (tsdb_open(path, &t, NULL) < 0)
                exit(1);
        /* Now at the end of the filled hour: every range reads only filled seconds. */
        int64_t now = ((int64_t) time(NULL) * 1000 / TSDB_HOUR_MS) * TSDB_HOUR_MS;
        size_t n = dash_fill(t, now), r = (size_t) rounds;
        static const int64_t spans[] = { 5 * TSDB_MINUTE_MS, 15 * TSDB_MINUTE_MS };
        static const char *const label[] = { "5m", "15m" };
        double *v[2] = { calloc(r, sizeof(double)), calloc(r, sizeof(double)) };
        size_t bytes[2];
        int64_t refresh[2];
        for (int k = 0; k < 2; k++)
                dash_page(t, spans[k], now, &bytes[k], &refresh[k]); /* warm */
        for (size_t i = 0; i < r; i++)
                for (int k = 0; k < 2; k++)
                        v[k][i] = dash_page(t, spans[k], now, &bytes[k], &refresh[k]);
        printf("\nGET /dashboard, a live page (%zu series of the last hour at 1 s; A B A B, %d rounds, CPU medians)\n",
               n, rounds);
        printf("  range  a page (CPU)   size     fetched again   + a poll a second = share of a core\n");
        for (int k = 0; k < 2; k++) {
                double cpu = stats_median(v[k], r), per_s = cpu / ((double) refresh[k] / 1000);
                printf("  %-5s  %8.2f ms  %5zu KB  every %5.0f s    %5.1f + %4.1f us/s = %.4f %%\n", label[k],
                       cpu / 1e3, bytes[k] / 1024, (double) refresh[k] / 1000, per_s, poll_us, (per_s + poll_us) / 1e4);
                free(v[k]);
        }
        tsdb_close(t);
}

int main(int argc, char **argv) {
        int rounds = 20, polls = 2000;
        const char *sysroot = SKYTUNE_SOURCE_DIR "/tests/fixtures/captured-vm", *bin = SKYTUNE_MONITOR_BIN;
        static const struct option opts[] = { { "rounds", required_argument, NULL, 'r' },
                                              { "polls", required_argument, NULL, 'p' },
                                              { "sysroot", required_argument, NULL, 's' },
                                              { "monitor", required_argument, NULL, 'm' },
                                              {} };
        for (int c; (c = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
                if (c == 'r')
                        rounds = atoi(optarg);
                else if (c == 'p')
                        polls = atoi(optarg);
                else if (c == 's')
                        sysroot = optarg;
                else if (c == 'm')
                        bin = optarg;
                else {
                        fprintf(stderr, "usage: bench-api [--rounds R] [--polls N] [--sysroot DIR] [--monitor PATH]\n");
                        return 2;
                }
        }
        if (rounds < 1 || polls < 1) {
                fprintf(stderr, "bench-api: --rounds and --polls take a number from 1 up\n");
                return 2;
        }
        char dir[] = "/tmp/bench-api.XXXXXX", store[64];
        if (!mkdtemp(dir))
                return 1;
        snprintf(store, sizeof(store), "%s/bench-api.db", dir);
        T0 = ((int64_t) time(NULL) * 1000 / TSDB_HOUR_MS - HOURS) * TSDB_HOUR_MS;
        int64_t end = T0 + HOURS * TSDB_HOUR_MS;
        snprintf(query_24, sizeof(query_24), "from=%lld&to=%lld&step=1m", (long long) T0, (long long) end);
        snprintf(query_1h, sizeof(query_1h), "from=%lld&to=%lld&step=1s", (long long) (end - TSDB_HOUR_MS),
                 (long long) end);
        snprintf(query_bound, sizeof(query_bound), "from=%lld&to=%lld&step=59s", (long long) (end - 13 * TSDB_HOUR_MS),
                 (long long) end);
        bench_query(store, rounds);
        double poll = bench_daemon(bin, sysroot, dir, store, polls, rounds < 5 ? rounds : 5, rounds);
        bench_dashboard(dir, rounds, poll);
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        return system(cmd) == 0 ? 0 : 1;
}
