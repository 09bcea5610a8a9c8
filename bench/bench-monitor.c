/* SPDX-License-Identifier: MIT */
/* skytune-monitor's cost beside its peers, side by side in one run (docs/monitor.md, Figures):
 *
 *   bench-monitor [--duration S] [--window S] [--monitor PATH] [--stress S]
 *
 * starts this build's skytune-monitor at 1 Hz, prometheus-node-exporter scraped every second by
 * this program, and sadc at 1 s (each when installed), lets them warm up for one window, then per
 * window reads each one's CPU time (the sum of its threads' schedstat, in ns: ticks are too coarse
 * for 0.05 % of a core), every second its RSS, USS and private dirty (smaps_rollup) and
 * skytune-monitor's by mapping (smaps), and at the end the bytes each wrote after the warm-up
 * (/proc/PID/io). Prints per-window CPU medians, memory medians (and USS's maximum) and the ratios. USS counts clean pages of libraries no other process maps; "dirty" is private dirty.
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

#include "bench-mem.h"
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
        double wrote;       /* bytes/s after the warm-up */
        MemSeries mem;      /* every second after the warm-up */
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

/* The end of a CPU window: each peer's CPU time since the last (none for the warm-up), and at the
 * warm-up's end the bytes written so far. */
static void end_window(Peer *peers, double t, double *wstart, bool *warm) {
        for (size_t i = 0; i < 3; i++) {
                if (peers[i].pid <= 0)
                        continue;
                double ns = cpu_ns(peers[i].pid);
                if (!*warm) {
                        peers[i].io0 = io_bytes(peers[i].pid, "write_bytes:");
                        peers[i].io0_at = t;
                }
                if (*warm && peers[i].n < MAX_WINDOWS)
                        peers[i].cpu_pct[peers[i].n++] = (ns - peers[i].last_ns) / 1e9 / (t - *wstart) * 100;
                peers[i].last_ns = ns;
        }
        *warm = true;
        *wstart = t;
}

static void report(const Peer *peers, bool node, bool sadc, size_t scrapes, size_t scraped) {
        printf("  %-16s %10s %7s %8s %7s %8s %13s\n", "process", "CPU % core", "RSS MB", "USS MB", "USS max",
               "dirty MB", "writes MB/day");
        double cpu[3], rss[3];
        for (size_t i = 0; i < 3; i++) {
                const Peer *p = &peers[i];
                if (p->pid <= 0)
                        continue;
                cpu[i] = mem_median(p->cpu_pct, p->n);
                rss[i] = mem_median(p->mem.rss, p->mem.n);
                printf("  %-16s %10.4f %7.2f %8.2f %7.2f %8.2f %13.1f\n", p->name, cpu[i], rss[i] / 1024,
                       mem_median(p->mem.uss, p->mem.n) / 1024, mem_max(p->mem.uss, p->mem.n) / 1024,
                       mem_median(p->mem.dirty, p->mem.n) / 1024, p->wrote * 86400 / 1e6);
        }
        printf("  (CPU: median of %zu windows; memory: medians of %zu samples, 1 s apart, from smaps_rollup)\n",
               peers[0].n, peers[0].mem.n);
        if (node)
                printf("  node_exporter: %zu scrapes, %.0f KB each\n", scrapes,
                       scrapes ? (double) scraped / (double) scrapes / 1024 : 0);
        if (node && peers[1].n > 0)
                printf("  skytune-monitor / node_exporter: CPU %.3f, RSS %.3f\n", cpu[0] / cpu[1], rss[0] / rss[1]);
        if (sadc && peers[2].n > 0)
                printf("  skytune-monitor / sadc: CPU %.3f, RSS %.3f\n", cpu[0] / cpu[2], rss[0] / rss[2]);
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
        if (!(window > 0) || duration < 2 * window || duration - window > MEM_SAMPLES_MAX ||
            access(monitor, X_OK) < 0) {
                fprintf(stderr,
                        "bench-monitor: need --duration >= 2 windows (and at most %d s after the first) and an "
                        "executable --monitor (%s)\n",
                        MEM_SAMPLES_MAX, monitor);
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
        MemMaps maps;
        if (mem_maps_init(&maps) < 0)
                return 1;
        double t0 = now_s(), next_window = t0 + window, scrape_at = t0 + 1, mem_at = t0 + window;
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
                if (t >= next_window)
                        end_window(peers, t, &wstart, &warm);
                if (t >= next_window)
                        next_window += window;
                if (t >= mem_at) {
                        for (size_t i = 0; i < 3; i++)
                                if (peers[i].pid > 0)
                                        (void) mem_sample(peers[i].pid, &peers[i].mem);
                        (void) mem_maps_sample(peers[0].pid, &maps);
                        mem_at += 1;
                }
                usleep(20000);
        }
        double t_end = now_s();
        for (size_t i = 0; i < 3; i++)
                peers[i].wrote = peers[i].pid > 0
                        ? (io_bytes(peers[i].pid, "write_bytes:") - peers[i].io0) / (t_end - peers[i].io0_at)
                        : NAN;
        for (size_t i = 0; i < 3; i++)
                if (peers[i].pid > 0)
                        kill(peers[i].pid, SIGTERM);
        for (size_t i = 0; i < 3; i++)
                if (peers[i].pid > 0)
                        waitpid(peers[i].pid, NULL, 0);
        mem_maps_print(&maps, stdout);
        mem_maps_done(&maps);
        report(peers, node != NULL, sadc != NULL, scrapes, scraped);
        if (stress_s > 0)
                stress_part(monitor, dir, stress_s);
        char cmd[600];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        return system(cmd) == 0 ? 0 : 1;
}
