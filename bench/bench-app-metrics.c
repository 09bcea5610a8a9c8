/* SPDX-License-Identifier: MIT */
/* skytune-monitor's application metrics under load (docs/monitor.md, Application metrics, Figures):
 *
 *   bench-app-metrics [--rate N] [--duration S] [--idle S] [--window S] [--per-datagram K]
 *                     [--monitor PATH]
 *
 * starts this build's skytune-monitor (1 s ticks, the real /proc, a store and app socket in a
 * temporary directory), measures its CPU time while idle for --idle seconds, then sends N request
 * records a second (K to a datagram, paced every millisecond, from a non-blocking socket) for
 * --duration seconds, and measures it again. CPU % of a core comes from /proc/PID/stat (utime +
 * stime, in clock ticks) per window; the medians are printed. At the end the daemon is stopped and
 * the records it counted (monitor.app_records_total in its store) are compared with those sent;
 * "refused" are sends the kernel turned down (EAGAIN: the daemon's queue was full). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "stats.h"
#include "tsdb.h"

#define MAX_WINDOWS 512

typedef struct Options {
        double rate, duration, idle, window;
        int per_datagram;
        const char *monitor;
} Options;

static double now_s(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* utime + stime of pid, in seconds (/proc/PID/stat fields 14 and 15). */
static double cpu_s(pid_t pid) {
        char path[64], buf[1024];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return NAN;
        size_t n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = '\0';
        const char *p = strrchr(buf, ')'); /* the command may hold spaces */
        unsigned long long ut, st;
        if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
                return NAN;
        return (double) (ut + st) / (double) sysconf(_SC_CLK_TCK);
}

typedef struct Windows {
        double pct[MAX_WINDOWS];
        size_t n;
        double t0, cpu0;
} Windows;

/* Closes a window when it is due. */
static void window_step(Windows *w, pid_t pid, double window) {
        double t = now_s();
        if (t - w->t0 < window)
                return;
        double c = cpu_s(pid);
        if (w->n < MAX_WINDOWS)
                w->pct[w->n++] = (c - w->cpu0) / (t - w->t0) * 100;
        w->t0 = t;
        w->cpu0 = c;
}

static void window_start(Windows *w, pid_t pid) {
        w->n = 0;
        w->t0 = now_s();
        w->cpu0 = cpu_s(pid);
}

static pid_t start_monitor(const char *monitor, const char *conf, const char *store) {
        pid_t pid = fork();
        if (pid == 0) {
                if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
                        _exit(127);
                execl(monitor, monitor, "--config", conf, "--store", store, (char *) NULL);
                _exit(127);
        }
        return pid;
}

typedef struct Load {
        uint64_t sent, refused, failed;
} Load;

/* rate records a second for duration seconds, paced every millisecond. */
static void send_load(int fd, const Options *o, pid_t pid, Windows *w, Load *ret) {
        static const char rec[] = "{\"endpoint\": \"/api/v1/dashboard\", \"method\": \"GET\", \"response_time\": "
                                  "12.5, \"status_code\": 200, \"request_size\": 100, \"response_size\": 500}\n";
        char buf[65536];
        size_t len = 0;
        for (int i = 0; i < o->per_datagram && len + sizeof(rec) < sizeof(buf); i++) {
                memcpy(buf + len, rec, sizeof(rec) - 1);
                len += sizeof(rec) - 1;
        }
        double t0 = now_s();
        uint64_t datagrams = 0;
        for (double t = t0; t - t0 < o->duration; t = now_s()) {
                uint64_t due = (uint64_t) ((t - t0) * o->rate / o->per_datagram);
                for (; datagrams < due; datagrams++) {
                        if (send(fd, buf, len, MSG_DONTWAIT) == (ssize_t) len)
                                ret->sent += (uint64_t) o->per_datagram;
                        else if (errno == EAGAIN)
                                ret->refused += (uint64_t) o->per_datagram;
                        else
                                ret->failed += (uint64_t) o->per_datagram;
                }
                window_step(w, pid, o->window);
                usleep(1000);
        }
}

/* The last value of monitor.app_records_total in the store: the records the daemon counted. */
static int64_t records_counted(const char *store) {
        struct tsdb *t;
        int64_t id, n = -1, now = (int64_t) time(NULL) * 1000;
        int scale;
        struct tsdb_bucket *b = NULL;
        size_t nb = 0;
        if (tsdb_open_reader(store, &t) < 0)
                return -1;
        if (tsdb_series_find(t, "monitor.app_records_total", &id, &scale) == 0 &&
            tsdb_query_array(t, id, now - 3600000, now + 60000, 3660000, 0, &b, &nb) == 0)
                n = nb ? b[0].max : 0;
        free(b);
        tsdb_close(t);
        return n;
}

static int parse(int argc, char **argv, Options *o) {
        static const struct option opts[] = {
                { "rate", required_argument, NULL, 'r' },
                { "duration", required_argument, NULL, 'd' },
                { "idle", required_argument, NULL, 'i' },
                { "window", required_argument, NULL, 'w' },
                { "per-datagram", required_argument, NULL, 'k' },
                { "monitor", required_argument, NULL, 'm' },
                {},
        };
        for (int c; (c = getopt_long(argc, argv, "", opts, NULL)) >= 0;) {
                switch (c) {
                case 'r': o->rate = atof(optarg); break;
                case 'd': o->duration = atof(optarg); break;
                case 'i': o->idle = atof(optarg); break;
                case 'w': o->window = atof(optarg); break;
                case 'k': o->per_datagram = atoi(optarg); break;
                case 'm': o->monitor = optarg; break;
                default: return -1;
                }
        }
        if (!(o->rate > 0) || !(o->duration > 0) || !(o->idle >= 0) || !(o->window > 0) || o->per_datagram < 1) {
                fprintf(stderr, "bench-app-metrics: --rate, --duration, --window, --per-datagram must be > 0\n");
                return -1;
        }
        return 0;
}

/* Connects to path once the daemon made it (up to 10 s). */
static int connect_socket(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof(sa.sun_path))
                return -1;
        memcpy(sa.sun_path, path, strlen(path) + 1);
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        for (int i = 0; fd >= 0 && i < 100; i++) {
                if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0)
                        return fd;
                usleep(100000);
        }
        if (fd >= 0)
                close(fd);
        return -1;
}

int main(int argc, char **argv) {
        Options o = { .rate = 10000,
                      .duration = 30,
                      .idle = 15,
                      .window = 5,
                      .per_datagram = 1,
                      .monitor = SKYTUNE_MONITOR_BIN };
        if (parse(argc, argv, &o) < 0)
                return 2;
        char dir[] = "/tmp/bench-app-metrics-XXXXXX", conf[128], store[128], sock[128];
        if (!mkdtemp(dir))
                return 1;
        snprintf(conf, sizeof(conf), "%s/monitor.conf", dir);
        snprintf(store, sizeof(store), "%s/store.db", dir);
        snprintf(sock, sizeof(sock), "%s/app.sock", dir);
        FILE *f = fopen(conf, "we");
        if (!f || fprintf(f, "app_socket = \"%s\";\n", sock) < 0 || fclose(f) != 0)
                return 1;
        pid_t pid = start_monitor(o.monitor, conf, store);
        int fd = connect_socket(sock);
        if (fd < 0) {
                fprintf(stderr, "bench-app-metrics: %s made no socket at %s\n", o.monitor, sock);
                kill(pid, SIGTERM);
                return 1;
        }
        printf("bench-app-metrics: %s, %.0f records/s (%d a datagram) for %.0f s, idle %.0f s, windows of %.0f s\n",
               o.monitor, o.rate, o.per_datagram, o.duration, o.idle, o.window);
        Windows idle, busy;
        window_start(&idle, pid);
        for (double t0 = now_s(); now_s() - t0 < o.idle;) {
                usleep(100000);
                window_step(&idle, pid, o.window);
        }
        Load load = {};
        window_start(&busy, pid);
        send_load(fd, &o, pid, &busy, &load);
        sleep(3); /* the last records' tick, then their flush at stop */
        kill(pid, SIGTERM);
        int status;
        waitpid(pid, &status, 0);
        close(fd);
        int64_t got = records_counted(store);
        printf("  records sent %" PRIu64 ", received %" PRId64 ", lost %" PRId64 ", refused by the kernel %" PRIu64
               ", other send errors %" PRIu64 "\n",
               load.sent, got, (int64_t) load.sent - got, load.refused, load.failed);
        printf("  skytune-monitor CPU %% of a core: idle %.3f (median of %zu windows), under load %.3f (median of "
               "%zu)\n",
               stats_median(idle.pct, idle.n), idle.n, stats_median(busy.pct, busy.n), busy.n);
        char cmd[200];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        return system(cmd) == 0 && got == (int64_t) load.sent ? 0 : 1;
}
