/* SPDX-License-Identifier: MIT */
/* skytune-monitor: the host's metrics every second into a local store (docs/monitor.md). Runs as
 * any user; the packaged unit runs it with DynamicUser= and StateDirectory=. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>

#include "daemon.h"
#include "db.h"
#include "log.h"
#include "monitor-config.h"
#include "notify-kind.h"
#include "time-util.h"

static void usage(FILE *f) {
        fputs("Usage: skytune-monitor [OPTIONS]\n"
              "\n"
              "Samples the host's CPU, memory, disk, network and pressure every second and\n"
              "keeps them in a local store that 'skytune monitor query' reads: 1 s samples\n"
              "for 2 days, 1-minute rollups for 30 days, 1-hour rollups for 2 years.\n"
              "systemd starts it as skytune-monitor.service; it never needs root.\n"
              "Local processes may send request and custom metrics, JSON lines, to a UNIX\n"
              "datagram socket (app_socket: " MONITOR_APP_SOCKET_PATH ").\n"
              "It serves /metrics (Prometheus) and /api/v1/status (JSON) on\n"
              "127.0.0.1:9677: the configuration's 'listen', loopback only, or \"off\".\n"
              "\n"
              "  --config FILE      the configuration (default " MONITOR_CONFIG_PATH ";\n"
              "                     that one may be missing: then the defaults)\n"
              "  --check            read the configuration, say what it sets, and exit\n"
              "  --store PATH       the store (default: the configuration's, else\n"
              "                     " TSDB_DEFAULT_PATH ")\n"
              "  --interval SECS    between samples: 0.1 .. 3600 (\"500ms\", \"1s\")\n"
              "  --duration SECS    stop after this long (default: run until stopped)\n"
              "  --sysroot DIR      read /proc and /sys below DIR (fixture trees)\n"
              "  --alerts DIR       read the alert rules of DIR (repeatable; default: the\n"
              "                     shipped ones and /etc/skytune/alerts.d)\n"
              "  --log-target auto|console|journal\n"
              "                     auto: the journal when stderr is connected to it\n"
              "  --version, --help\n"
              "\n"
              "Signals: SIGHUP re-reads the configuration (a bad file keeps the one in use\n"
              "and says why); SIGTERM writes the pending samples and exits 0, SIGINT\n"
              "the same with 130.\n"
              "Exit codes: 0 stopped, 1 cannot start, 2 usage error, 130 interrupted.\n",
              f);
}

static void journal_sink(LogLevel level, const char *msg, void *userdata) {
        sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%i", (int) level, "SYSLOG_IDENTIFIER=skytune-monitor", NULL);
}

/* systemd's way to tell that stderr is the journal: JOURNAL_STREAM holds its device and inode. */
static bool stderr_is_journal(void) {
        const char *e = getenv("JOURNAL_STREAM");
        struct stat st;
        unsigned long long dev, ino;
        if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st) < 0)
                return false;
        return (unsigned long long) st.st_dev == dev && (unsigned long long) st.st_ino == ino;
}

typedef enum {
        OPT_CONFIG = 256,
        OPT_CHECK,
        OPT_STORE,
        OPT_INTERVAL,
        OPT_DURATION,
        OPT_SYSROOT,
        OPT_LOG,
        OPT_ALERTS,
        OPT_VERSION
} Opt;

#define ALERT_DIRS_MAX 8

static int fail_usage(const char *msg) {
        fprintf(stderr, "skytune-monitor: %s\nTry 'skytune-monitor --help'.\n", msg);
        return 2;
}

static int check(const MonitorOptions *o) {
        MonitorConfig c = {};
        _cleanup_(error_done) Error e = ERROR_NULL;
        if (monitor_config_load(o->config, o->config_given, &c, &e) < 0) {
                _cleanup_free_ char *msg = error_format(&e);
                log_error("%s", msg ? msg : error_message(&e));
                return 1;
        }
        printf("%s: a sample every %g s, written every %g s, into %s; at most %zu series\n", o->config,
               (double) c.interval_ms / 1000, (double) c.flush_ms / 1000, c.store, c.max_series);
        printf("  the HTTP API (/metrics, /api/v1/status): %s\n", c.listen.off ? "off" : c.listen.text);
        static const char *const tiers[] = { "1 s samples", "1-minute rollups", "1-hour rollups" };
        for (int i = 0; i < TSDB_TIERS; i++)
                printf("  %-17s kept %g days, at most %g MiB (0: no limit)\n", tiers[i],
                       (double) c.limits.age_ms[i] / TSDB_DAY_MS, (double) c.limits.bytes[i] / (1 << 20));
        for (size_t i = 0; i < c.notify.n; i++) {
                const NotifierConf *n = &c.notify.notifiers[i];
                const NotifyKind *k = &notify_kinds[n->kind];
                /* URLs from files carry their token: not shown. */
                printf("  notifier %s: %s%s%s; firing alerts told again every %g min%s\n", n->name, k->name,
                       n->url && !n->url_secret ? " to " : "", n->url && !n->url_secret ? n->url : "",
                       (double) n->repeat_ms / 60000, n->send_resolved ? "" : "; resolved ones not told");
        }
        if (c.notify.n == 0)
                printf("  no notifiers: alert events go to the journal only\n");
        if (c.app_socket)
                printf("  application metrics on %s, at most %zu endpoints and metrics\n", c.app_socket,
                       c.app_max_series);
        else
                printf("  application metrics off\n");
        _cleanup_free_ char *shown = c.db.dsn ? db_dsn_redact(c.db.dsn) : NULL;
        if (c.db.dsn)
                printf("  database %s sampled every %g s%s\n", shown ? shown : "(redacted)",
                       (double) c.db.interval_ms / 1000,
                       db_available() ? "" : " (not by this build: it has no libpq)");
        else
                printf("  no database sampled\n");
        monitor_config_done(&c);
        return 0;
}

typedef struct Args {
        MonitorOptions o;
        const char *alert_dirs[ALERT_DIRS_MAX];
        const char *target;
        bool check;
} Args;

/* -1: go on; otherwise the exit status (--help, --version, a usage error). */
static int parse_args(int argc, char **argv, Args *a) {
        static const struct option opts[] = {
                { "config", required_argument, NULL, OPT_CONFIG },
                { "check", no_argument, NULL, OPT_CHECK },
                { "store", required_argument, NULL, OPT_STORE },
                { "interval", required_argument, NULL, OPT_INTERVAL },
                { "duration", required_argument, NULL, OPT_DURATION },
                { "sysroot", required_argument, NULL, OPT_SYSROOT },
                { "log-target", required_argument, NULL, OPT_LOG },
                { "version", no_argument, NULL, OPT_VERSION },
                { "alerts", required_argument, NULL, OPT_ALERTS },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        MonitorOptions *o = &a->o;
        double v;
        for (int c; (c = getopt_long(argc, argv, "h", opts, NULL)) >= 0;) {
                switch (c) {
                case OPT_CONFIG:
                        o->config = optarg;
                        o->config_given = true;
                        break;
                case OPT_CHECK: a->check = true; break;
                case OPT_STORE:
                        if (optarg[0] == '\0')
                                return fail_usage("--store: give a file path");
                        o->store = optarg;
                        break;
                case OPT_INTERVAL:
                        if (time_parse_seconds(optarg, &v) < 0 || v * 1000 < MONITOR_INTERVAL_MIN_MS - 0.5 ||
                            v * 1000 > MONITOR_INTERVAL_MAX_MS)
                                return fail_usage("--interval: give 0.1 .. 3600 seconds (\"500ms\", \"1s\")");
                        o->interval_ms = (int64_t) (v * 1000 + 0.5);
                        break;
                case OPT_DURATION:
                        if (time_parse_seconds(optarg, &v) < 0 || !(v > 0))
                                return fail_usage(
                                        "--duration: give seconds, more than 0, at most a day (\"90s\", \"10m\")");
                        o->duration_s = v;
                        break;
                case OPT_SYSROOT: o->sysroot = optarg; break;
                case OPT_LOG:
                        if (strcmp(optarg, "auto") && strcmp(optarg, "console") && strcmp(optarg, "journal"))
                                return fail_usage("--log-target: give auto, console or journal");
                        a->target = optarg;
                        break;
                case OPT_ALERTS:
                        if (o->n_alert_dirs == ALERT_DIRS_MAX)
                                return fail_usage("--alerts: at most 8 directories");
                        a->alert_dirs[o->n_alert_dirs++] = optarg;
                        o->alert_dirs = a->alert_dirs;
                        break;
                case OPT_VERSION: printf("skytune-monitor %s\n", SKYTUNE_VERSION); return 0;
                case 'h': usage(stdout); return 0;
                default: return 2;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "skytune-monitor: unexpected argument '%s'\nTry 'skytune-monitor --help'.\n",
                        argv[optind]);
                return 2;
        }
        return -1;
}

int main(int argc, char **argv) {
        Args a = { .o = { .config = MONITOR_CONFIG_PATH, .sysroot = "/" }, .target = "auto" };
        log_set_program("skytune-monitor");
        int code = parse_args(argc, argv, &a);
        if (code >= 0)
                return code;
        log_set_level(LOG_LEVEL_INFO);
        if (strcmp(a.target, "journal") == 0 || (strcmp(a.target, "auto") == 0 && stderr_is_journal())) {
                log_set_sink(journal_sink, NULL);
                a.o.journal = true;
        }
        if (a.check)
                return check(&a.o);
        return monitor_run(&a.o);
}
