/* SPDX-License-Identifier: MIT */
/* skytune-monitor's cost beside its peers, side by side in one run (docs/monitor.md, Figures):
 *
 *   bench-monitor [--duration S] [--window S] [--monitor PATH] [--stress S]
 *
 * starts this build's skytune-monitor at 1 Hz, prometheus-node-exporter scraped every second by
 * this program, and sadc at 1 s (each when installed), lets them warm up for one window, then per
 * window reads each one's CPU time (the sum of its threads' schedstat, in ns: ticks are too coarse
 * for 0.05 % of a core), and at the end its RSS and USS (smaps_rollup), skytune-monitor's memory by
 * mapping, and the bytes each wrote after the warm-up (/proc/PID/io). Prints per-window medians and
 * the ratios. USS counts clean pages of libraries no other process maps; "dirty" is private dirty.
 * --stress S then runs stress-ng on CPU, memory and I/O for S seconds beside a fresh monitor and
 * counts the samples the store got against the slots of that time. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
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

#include "macro.h"
#include "tsdb.h"

#define MAX_WINDOWS 256
#define NODE_PORT   19100

typedef struct Peer {
        const char *name;
        pid_t pid;
        double cpu_pct[MAX_WINDOWS];
        size_t n;
        double last_ns;
        double io0, io0_at; /* write_bytes at the end of the warm-up, and when */
} Peer;

static double now_s(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static pid_t start(char *const *argv) {
        fflush(stdout); /* the child must not print our buffered lines again */
        pid_t pid = fork();
        if (pid == 0) {
                if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
                        _exit(127);
                execv(argv[0], argv);
                _exit(127);
        }
        return pid;
}

/* The CPU time of every thread of pid, in ns (schedstat's first field). */
static double cpu_ns(pid_t pid) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/task", (int) pid);
        DIR *d = opendir(path);
        if (!d)
                return NAN;
        double sum = 0;
        for (struct dirent *e; (e = readdir(d));) {
                if (e->d_name[0] == '.')
                        continue;
                char p[400];
                snprintf(p, sizeof(p), "%s/%s/schedstat", path, e->d_name);
                FILE *f = fopen(p, "re");
                unsigned long long ns;
                if (f && fscanf(f, "%llu", &ns) == 1)
                        sum += (double) ns;
                if (f)
                        fclose(f);
        }
        closedir(d);
        return sum;
}

/* The kB value of the lines of /proc/pid/<file> that start with key, summed ("Private_": clean and dirty). */
static double kb(pid_t pid, const char *file, const char *key) {
        char path[64], line[512];
        snprintf(path, sizeof(path), "/proc/%d/%s", (int) pid, file);
        FILE *f = fopen(path, "re");
        double sum = NAN;
        size_t n = strlen(key);
        while (f && fgets(line, sizeof(line), f))
                if (strncmp(line, key, n) == 0)
                        sum = (isnan(sum) ? 0 : sum) + strtod(strchr(line, ':') + 1, NULL);
        if (f)
                fclose(f);
        return sum;
}

static double io_bytes(pid_t pid, const char *key) {
        char path[64], line[256];
        snprintf(path, sizeof(path), "/proc/%d/io", (int) pid);
        FILE *f = fopen(path, "re");
        double v = NAN;
        while (f && fgets(line, sizeof(line), f))
                if (strncmp(line, key, strlen(key)) == 0)
                        v = strtod(line + strlen(key), NULL);
        if (f)
                fclose(f);
        return v;
}

/* One scrape of node_exporter's /metrics (read to the end, as Prometheus does). */
static size_t scrape(void) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(NODE_PORT) };
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        size_t total = 0;
        static const char req[] = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        if (fd >= 0 && connect(fd, (struct sockaddr *) &a, sizeof(a)) == 0 && write(fd, req, sizeof(req) - 1) > 0) {
                char buf[65536];
                for (ssize_t k; (k = read(fd, buf, sizeof(buf))) > 0;)
                        total += (size_t) k;
        }
        if (fd >= 0)
                close(fd);
        return total;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

static double median(const double *v, size_t n) {
        if (n == 0)
                return NAN;
        double *c = malloc(n * sizeof(double));
        memcpy(c, v, n * sizeof(double));
        qsort(c, n, sizeof(double), cmp_double);
        double m = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
        free(c);
        return m;
}

/* skytune-monitor's resident memory by mapping (smaps): what each library costs. */
static void mappings(pid_t pid) {
        char path[64], line[512], name[256] = "";
        snprintf(path, sizeof(path), "/proc/%d/smaps", (int) pid);
        FILE *f = fopen(path, "re");
        struct {
                char name[256];
                double rss, priv;
        } m[128];
        size_t n = 0, cur = SIZE_MAX;
        while (f && fgets(line, sizeof(line), f)) {
                unsigned long lo, hi;
                if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && strchr(line, ' ')) {
                        char *p = strrchr(line, ' ');
                        snprintf(name, sizeof(name), "%s", p && p[1] != '\n' ? p + 1 : "[anon]");
                        name[strcspn(name, "\n")] = '\0';
                        if (name[0] == '\0')
                                snprintf(name, sizeof(name), "[anon]");
                        cur = SIZE_MAX;
                        for (size_t i = 0; i < n && cur == SIZE_MAX; i++)
                                if (strcmp(m[i].name, name) == 0)
                                        cur = i;
                        if (cur == SIZE_MAX && n < ELEMENTSOF(m)) {
                                cur = n++;
                                snprintf(m[cur].name, sizeof(m[cur].name), "%s", name);
                                m[cur].rss = m[cur].priv = 0;
                        }
                } else if (cur != SIZE_MAX && strncmp(line, "Rss:", 4) == 0)
                        m[cur].rss += strtod(line + 4, NULL);
                else if (cur != SIZE_MAX && strncmp(line, "Private_", 8) == 0)
                        m[cur].priv += strtod(strchr(line, ':') + 1, NULL);
        }
        if (f)
                fclose(f);
        printf("  skytune-monitor's resident memory by mapping (kB, RSS / private):\n");
        for (size_t i = 0; i < n; i++)
                if (m[i].rss >= 16)
                        printf("    %6.0f / %6.0f  %s\n", m[i].rss, m[i].priv, m[i].name);
}

static const char *find_tool(const char *const *candidates) {
        for (; *candidates; candidates++)
                if (access(*candidates, X_OK) == 0)
                        return *candidates;
        return NULL;
}

static int64_t realtime_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Samples of name in the store within [from, to). */
static int64_t samples(const char *store, const char *name, int64_t from, int64_t to) {
        struct tsdb *t;
        int64_t id, n = -1;
        int scale;
        struct tsdb_bucket *b = NULL;
        size_t nb = 0;
        if (tsdb_open_reader(store, &t) < 0)
                return -1;
        if (tsdb_series_find(t, name, &id, &scale) == 0 &&
            tsdb_query_array(t, id, from, to, to - from, 0, &b, &nb) == 0)
                n = nb ? b[0].count : 0;
        free(b);
        tsdb_close(t);
        return n;
}

/* --stress: a fresh monitor beside stress-ng; the store's samples against the slots. */
static void stress_part(const char *monitor, const char *dir, double seconds) {
        static const char *const ng[] = { "/usr/bin/stress-ng", NULL };
        const char *stress = find_tool(ng);
        if (!stress) {
                printf("stress: stress-ng is not installed (apt-get install stress-ng): skipped\n");
                return;
        }
        char store[512], dur[32], t[32], conf[512];
        snprintf(store, sizeof(store), "%s/stress.db", dir);
        snprintf(conf, sizeof(conf), "%s/empty.conf", dir);
        snprintf(dur, sizeof(dur), "%.0f", seconds + 4);
        snprintf(t, sizeof(t), "%.0fs", seconds);
        char *margv[] = { (char *) monitor, "--config", conf, "--store", store, "--duration", dur, NULL };
        pid_t m = start(margv);
        sleep(2);
        char *sargv[] = { (char *) stress, "--cpu",       "2",          "--vm",      "1", "--vm-bytes",
                          "25%",           "--io",        "1",          "--hdd",     "1", "--hdd-bytes",
                          "256M",          "--temp-path", (char *) dir, "--timeout", t,   NULL };
        int64_t from = (realtime_ms() / 1000 + 1) * 1000;
        pid_t s = start(sargv);
        waitpid(s, NULL, 0);
        int64_t to = realtime_ms() / 1000 * 1000;
        waitpid(m, NULL, 0);
        int64_t got = samples(store, "cpu.utilization_pct", from, to), slots = (to - from) / 1000;
        printf("stress: stress-ng --cpu 2 --vm 1 --io 1 --hdd 1 for %" PRId64 " s beside skytune-monitor at 1 s "
               "(nice 0, no CPUWeight: the unit's Nice=-5 and CPUWeight=200 not applied here)\n",
               slots);
        printf("  cpu.utilization_pct: %" PRId64 " samples in %" PRId64 " slots: %.2f %% missed\n", got, slots,
               slots > 0 && got >= 0 ? 100.0 * (double) (slots - got) / (double) slots : NAN);
}

int main(int argc, char **argv) {
        double duration = 70, window = 10, stress_s = 0;
        const char *monitor = "monitor/skytune-monitor";
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--duration") == 0 && i + 1 < argc)
                        duration = atof(argv[++i]);
                else if (strcmp(argv[i], "--window") == 0 && i + 1 < argc)
                        window = atof(argv[++i]);
                else if (strcmp(argv[i], "--monitor") == 0 && i + 1 < argc)
                        monitor = argv[++i];
                else if (strcmp(argv[i], "--stress") == 0 && i + 1 < argc)
                        stress_s = atof(argv[++i]);
                else {
                        fprintf(stderr,
                                "usage: bench-monitor [--duration S] [--window S] [--monitor PATH] [--stress S]\n");
                        return 2;
                }
        }
        if (!(window > 0) || duration < 2 * window || access(monitor, X_OK) < 0) {
                fprintf(stderr, "bench-monitor: need --duration >= 2 windows and an executable --monitor (%s)\n",
                        monitor);
                return 2;
        }
        char dir[] = "/tmp/bench-monitor.XXXXXX";
        if (!mkdtemp(dir))
                return 1;
        char store[512], conf[512], sa[512];
        snprintf(store, sizeof(store), "%s/store.db", dir);
        snprintf(conf, sizeof(conf), "%s/empty.conf", dir);
        snprintf(sa, sizeof(sa), "%s/sa", dir);
        fclose(fopen(conf, "w"));
        Peer peers[3] = { { .name = "skytune-monitor" }, { .name = "node_exporter" }, { .name = "sadc" } };
        char *margv[] = { (char *) monitor, "--config", conf, "--store", store, NULL };
        peers[0].pid = start(margv);
        static const char *const ne[] = { "/usr/bin/prometheus-node-exporter", "/usr/bin/node_exporter", NULL };
        static const char *const sd[] = { "/usr/lib/sysstat/sadc", "/usr/lib64/sa/sadc", NULL };
        const char *node = find_tool(ne), *sadc = find_tool(sd);
        char listen[64];
        snprintf(listen, sizeof(listen), "--web.listen-address=127.0.0.1:%d", NODE_PORT);
        char *nargv[] = { (char *) node, listen, NULL };
        char count[32];
        snprintf(count, sizeof(count), "%.0f", duration + 5);
        char *sargv[] = { (char *) sadc, "-S", "XALL", "1", count, sa, NULL };
        peers[1].pid = node ? start(nargv) : -1;
        peers[2].pid = sadc ? start(sargv) : -1;
        printf("bench-monitor: %s, %s, %s at 1 s for %.0f s (windows of %.0f s after one of warm-up)\n", monitor,
               node ? node : "no node_exporter (apt-get install prometheus-node-exporter)",
               sadc ? sadc : "no sadc (apt-get install sysstat)", duration, window);
        double t0 = now_s(), next_window = t0 + window, scrape_at = t0 + 1;
        size_t scraped = 0, scrapes = 0;
        bool warm = false;
        double wstart = t0;
        while (now_s() - t0 < duration) {
                double t = now_s();
                if (node && t >= scrape_at) {
                        scraped += scrape();
                        scrapes++;
                        scrape_at += 1;
                }
                if (t >= next_window) {
                        for (size_t i = 0; i < 3; i++) {
                                if (peers[i].pid <= 0)
                                        continue;
                                double ns = cpu_ns(peers[i].pid);
                                if (!warm) {
                                        peers[i].io0 = io_bytes(peers[i].pid, "write_bytes:");
                                        peers[i].io0_at = t;
                                }
                                if (warm && peers[i].n < MAX_WINDOWS)
                                        peers[i].cpu_pct[peers[i].n++] =
                                                (ns - peers[i].last_ns) / 1e9 / (t - wstart) * 100;
                                peers[i].last_ns = ns;
                        }
                        warm = true;
                        wstart = t;
                        next_window += window;
                }
                usleep(20000);
        }
        double rss[3], uss[3], dirty[3], wrote[3], t_end = now_s();
        for (size_t i = 0; i < 3; i++) {
                rss[i] = peers[i].pid > 0 ? kb(peers[i].pid, "smaps_rollup", "Rss:") : NAN;
                uss[i] = peers[i].pid > 0 ? kb(peers[i].pid, "smaps_rollup", "Private_") : NAN;
                dirty[i] = peers[i].pid > 0 ? kb(peers[i].pid, "smaps_rollup", "Private_Dirty:") : NAN;
                wrote[i] = peers[i].pid > 0
                        ? (io_bytes(peers[i].pid, "write_bytes:") - peers[i].io0) / (t_end - peers[i].io0_at)
                        : NAN;
        }
        mappings(peers[0].pid);
        for (size_t i = 0; i < 3; i++)
                if (peers[i].pid > 0)
                        kill(peers[i].pid, SIGTERM);
        for (size_t i = 0; i < 3; i++)
                if (peers[i].pid > 0)
                        waitpid(peers[i].pid, NULL, 0);
        printf("  %-16s %12s %9s %9s %9s %14s\n", "process", "CPU % core", "RSS MB", "USS MB", "dirty MB",
               "writes MB/day");
        for (size_t i = 0; i < 3; i++) {
                if (peers[i].pid <= 0)
                        continue;
                printf("  %-16s %12.4f %9.2f %9.2f %9.2f %14.1f   (median of %zu windows)\n", peers[i].name,
                       median(peers[i].cpu_pct, peers[i].n), rss[i] / 1024, uss[i] / 1024, dirty[i] / 1024,
                       wrote[i] * 86400 / 1e6, peers[i].n);
        }
        if (node)
                printf("  node_exporter: %zu scrapes, %.0f KB each\n", scrapes,
                       scrapes ? (double) scraped / scrapes / 1024 : 0);
        if (node && peers[1].n > 0)
                printf("  skytune-monitor / node_exporter: CPU %.3f, RSS %.3f\n",
                       median(peers[0].cpu_pct, peers[0].n) / median(peers[1].cpu_pct, peers[1].n), rss[0] / rss[1]);
        if (sadc && peers[2].n > 0)
                printf("  skytune-monitor / sadc: CPU %.3f, RSS %.3f\n",
                       median(peers[0].cpu_pct, peers[0].n) / median(peers[2].cpu_pct, peers[2].n), rss[0] / rss[2]);
        if (stress_s > 0)
                stress_part(monitor, dir, stress_s);
        char cmd[600];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        return system(cmd) == 0 ? 0 : 1;
}
