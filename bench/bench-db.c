/* SPDX-License-Identifier: MIT */
/* bench-db: skytune db load side by side with pgbench on the same server and tables, A B A B:
 * tpcb-like and select-only (pgbench's transactions, prepared protocol) at 1, 4 and 16 clients.
 * Per cell the median TPS of each, their ratio (skytune / pgbench; the target is >= 0.95) and the
 * client CPU per transaction (user + system of the client process, from wait4). Without --dsn it
 * starts its own PostgreSQL (initdb in a temporary directory, 127.0.0.1, trust; as nobody when run
 * as root) and removes it at exit. Figures, never pass/fail. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "stats.h"

#define MAX_ROUNDS 16

static char tmpdir[] = "/tmp/skytune-bench-db-XXXXXX";
static char pgbin[512], dsn[512], host_port[128];
static bool own_server;

typedef struct Sample {
        double tps, cpu_us_per_tx;
} Sample;

static int sh(const char *fmt, ...) _printf_(1, 2);
static int sh(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *cmd = NULL;
        int r = vasprintf(&cmd, fmt, ap);
        va_end(ap);
        return r < 0 ? -ENOMEM : system(cmd) == 0 ? 0 : -EIO;
}

static void stop_server(void) {
        if (own_server) {
                sh("%s %s/pg_ctl -D %s/data -m immediate stop >/dev/null 2>&1", getuid() == 0 ? "runuser -u nobody --" : "",
                   pgbin, tmpdir);
                sh("rm -rf %s", tmpdir);
        }
}

static int start_server(void) {
        FILE *p = popen("ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1", "r");
        if (!p || !fgets(pgbin, sizeof pgbin, p) || (pclose(p), false))
                return -ENOENT;
        pgbin[strcspn(pgbin, "\n")] = 0;
        if (!mkdtemp(tmpdir))
                return -errno;
        own_server = true;
        atexit(stop_server);
        const char *as = getuid() == 0 ? "runuser -u nobody --" : "";
        unsigned port = 20000 + (unsigned) (getpid() % 20000);
        if (sh("chmod 755 %1$s && mkdir -m 700 %1$s/data && %2$s chown nobody %1$s/data; "
               "%3$s %4$s/initdb -D %1$s/data -U bench --auth=trust --no-sync >/dev/null && "
               "%3$s %4$s/pg_ctl -D %1$s/data -l %1$s/data/log -w -o '-c listen_addresses=127.0.0.1 -p %5$u "
               "-c unix_socket_directories=%1$s/data -c fsync=off -c synchronous_commit=off -c max_connections=50' start >/dev/null",
               tmpdir, getuid() == 0 ? "" : "true", as, pgbin, port) < 0)
                return -EIO;
        snprintf(dsn, sizeof dsn, "host=127.0.0.1 port=%u user=bench dbname=postgres", port);
        snprintf(host_port, sizeof host_port, "-h 127.0.0.1 -p %u -U bench", port);
        return 0;
}

/* Run argv (stdout to out), with the client's CPU time. */
static int run(char *const *argv, const char *out, double *cpu_s) {
        fflush(stdout);         /* the child must not print our buffered lines again */
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                FILE *f = freopen(out, "w", stdout);
                if (!f || !freopen("/dev/null", "w", stderr))
                        _exit(127);
                execv(argv[0], argv);
                _exit(127);
        }
        int status;
        struct rusage ru;
        if (wait4(pid, &status, 0, &ru) < 0)
                return -errno;
        *cpu_s = (double) ru.ru_utime.tv_sec + (double) ru.ru_utime.tv_usec / 1e6 + (double) ru.ru_stime.tv_sec +
                 (double) ru.ru_stime.tv_usec / 1e6;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

static int run_skytune(const char *builtin, unsigned clients, double duration, Sample *s) {
        char c[16], d[32], out[600];
        snprintf(c, sizeof c, "%u", clients);
        snprintf(d, sizeof d, "%g", duration);
        snprintf(out, sizeof out, "%s/skytune.json", tmpdir);
        char *argv[] = { (char *) SKYTUNE_BIN, "db", "load", "--builtin", (char *) builtin, "--clients", c, "--duration", d,
                         "--prepared", "--progress", "0", "--json", "--dsn", dsn, NULL };
        double cpu;
        if (run(argv, out, &cpu) < 0)
                return -EIO;
        json_t *doc = json_load_file(out, 0, NULL);
        json_t *tx = json_object_get(doc, "transactions");
        double n = (double) json_integer_value(json_object_get(tx, "count"));
        s->tps = json_number_value(json_object_get(tx, "tps"));
        s->cpu_us_per_tx = n > 0 ? cpu * 1e6 / n : 0;
        json_decref(doc);
        return s->tps > 0 ? 0 : -EIO;
}

static int run_pgbench(const char *builtin, unsigned clients, double duration, Sample *s) {
        char c[16], d[32], out[600], prog[600];
        snprintf(c, sizeof c, "%u", clients);
        snprintf(d, sizeof d, "%.0f", duration < 1 ? 1 : duration);
        snprintf(out, sizeof out, "%s/pgbench.txt", tmpdir);
        snprintf(prog, sizeof prog, "%s/pgbench", pgbin);
        bool select_only = strcmp(builtin, "select-only") == 0;
        char *argv[] = { prog, "-n", "-M", "prepared", "-c", c, "-j", c, "-T", d, "-d", dsn,
                         select_only ? "-S" : NULL, NULL };
        double cpu;
        if (run(argv, out, &cpu) < 0)
                return -EIO;
        _cleanup_fclose_ FILE *f = fopen(out, "re");
        char line[256];
        double n = 0;
        s->tps = 0;
        while (f && fgets(line, sizeof line, f)) {
                sscanf(line, "number of transactions actually processed: %lf", &n);
                sscanf(line, "tps = %lf", &s->tps);
        }
        s->cpu_us_per_tx = n > 0 ? cpu * 1e6 / n : 0;
        return s->tps > 0 ? 0 : -EIO;
}

static double median_of(const Sample *s, unsigned n, bool cpu) {
        double v[MAX_ROUNDS] = { 0 };
        for (unsigned i = 0; i < n; i++)
                v[i] = cpu ? s[i].cpu_us_per_tx : s[i].tps;
        return stats_median(v, n);
}

static int cell(const char *builtin, unsigned clients, unsigned rounds, double duration) {
        Sample a[MAX_ROUNDS], b[MAX_ROUNDS];
        for (unsigned r = 0; r < rounds; r++)     /* A B A B: drift hits both alike */
                if (run_pgbench(builtin, clients, duration, &a[r]) < 0 || run_skytune(builtin, clients, duration, &b[r]) < 0) {
                        fprintf(stderr, "bench-db: %s at %u clients failed (is the server up, the tables there?)\n",
                                builtin, clients);
                        return -EIO;
                }
        double ta = median_of(a, rounds, false), tb = median_of(b, rounds, false);
        printf("%-12s %7u %10.0f %10.0f %7.3f %12.1f %12.1f\n", builtin, clients, ta, tb, tb / ta,
               median_of(a, rounds, true), median_of(b, rounds, true));
        fflush(stdout);
        return 0;
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "dsn", required_argument, NULL, 'd' }, { "rounds", required_argument, NULL, 'r' },
                { "duration", required_argument, NULL, 't' }, { "help", no_argument, NULL, 'h' }, {},
        };
        unsigned rounds = 2;
        double duration = 5;
        for (int c; (c = getopt_long(argc, argv, "d:r:t:h", options, NULL)) != -1;)
                switch (c) {
                case 'd':
                        snprintf(dsn, sizeof dsn, "%s", optarg);
                        break;
                case 'r':
                        rounds = (unsigned) MAX(1, MIN(MAX_ROUNDS, atoi(optarg)));
                        break;
                case 't':
                        duration = MAX(1.0, atof(optarg));
                        break;
                default:
                        printf("Usage: bench-db [--dsn DSN] [--rounds N (2)] [--duration S (5)]\n"
                               "Without --dsn: its own PostgreSQL in a temporary directory.\n");
                        return c == 'h' ? 0 : 2;
                }
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
        fprintf(stderr, "bench-db: this build has sanitizers: its figures are not skytune's (build Release)\n");
#endif
        if (!*dsn && start_server() < 0) {
                fprintf(stderr, "bench-db: cannot start a PostgreSQL (apt-get install postgresql)\n");
                return 1;
        }
        if (!*pgbin)
                snprintf(pgbin, sizeof pgbin, "/usr/lib/postgresql/15/bin");
        if (sh("%s db init --scale 1 --dsn '%s' >/dev/null", SKYTUNE_BIN, dsn) < 0) {
                fprintf(stderr, "bench-db: skytune db init failed\n");
                return 1;
        }
        printf("skytune db load vs pgbench -M prepared -j C, %u rounds of %.0f s A B A B, medians\n", rounds, duration);
        printf("%-12s %7s %10s %10s %7s %12s %12s\n", "workload", "clients", "pgbench", "skytune", "ratio", "pgb us/tx",
               "sky us/tx");
        static const char *const builtins[] = { "tpcb-like", "select-only" };
        static const unsigned clients[] = { 1, 4, 16 };
        for (size_t w = 0; w < ELEMENTSOF(builtins); w++)
                for (size_t c = 0; c < ELEMENTSOF(clients); c++)
                        if (cell(builtins[w], clients[c], rounds, duration) < 0)
                                return 1;
        printf("tps: transactions per second; us/tx: client CPU (user + system) per transaction\n");
        return 0;
}
