/* SPDX-License-Identifier: MIT */
/* The monitor's loop (daemon.h). */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>
#include <time.h>

#include "alerting.h"
#include "daemon-internal.h"
#include "http-mhd.h"
#include "log.h"
#include "macro.h"
#include "profiler.h"
#include "sysroot.h"
#include "text-trim.h"
#include "time-util.h"

/* Store errors are logged at their first occurrence and then at most this often; a seal or a
 * retention that fails is tried again after SEAL_RETRY_MS, not at every tick. */
#define STORE_ERROR_LOG_MS (5 * TSDB_MINUTE_MS)
#define SEAL_RETRY_MS      TSDB_MINUTE_MS
/* A series (or an application's endpoint) with no sample for this long is let go, so that a host
 * whose cgroups, devices or endpoints come and go does not use up max_series; its history stays. */
#define FORGET_MS TSDB_HOUR_MS

static uint64_t process_cpu_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

static int on_point(void *userdata, const MetricPoint *p) {
        Monitor *m = userdata;
        char path[256];
        if (metric_point_path(p, path, sizeof(path)) < 0) {
                m->long_names++;
                return 0;
        }
        return ring_add(m->ring, path, p->unit, m->stamp_ms, p->value);
}

static void store_failed(Monitor *m, StoreOp *op, int r) {
        if (op->error_ms >= 0 && m->stamp_ms - op->error_ms < STORE_ERROR_LOG_MS)
                return;
        op->error_ms = m->stamp_ms;
        log_error_errno(r,
                        "%s: cannot %s: %m; samples are kept in memory (up to %zu a series) and written when "
                        "the store takes them again",
                        m->cfg.store, op->what, monitor_pending_cap(&m->cfg));
}

static void store_ok(Monitor *m, StoreOp *op) {
        if (op->error_ms < 0)
                return;
        op->error_ms = -1;
        log_notice("%s: can %s again", m->cfg.store, op->what);
}

static void notify_status(Monitor *m) {
        MonitorRingStats s;
        ring_stats(m->ring, &s);
        uint64_t dropped = s.dropped_overflow + s.dropped_series + s.dropped_order + s.dropped_value + m->long_names;
        sd_notifyf(false,
                   "STATUS=%zu series, %" PRIu64 " samples stored, %" PRIu64 " dropped, %" PRIu64 " ticks missed",
                   s.series, s.stored, dropped, m->missed);
}

/* At the start, and after a reload and a seal at the flush that follows (the first flush writes
 * the series rows, once): the code that ran once leaves the RSS, and so do the store's cached pages
 * and the heap's free memory (a seal's pages: up to the 512 KiB page cache, kept otherwise). */
static void trim(Monitor *m) {
        tsdb_release_memory(m->store);
        (void) malloc_trim(0);
        size_t bytes;
        text_trim(&bytes);
        log_debug("let go of the resident pages of %zu kB of code and read-only data", bytes / 1024);
        m->trim_due = false;
}

static void flush(Monitor *m) {
        int r = ring_flush(m->ring);
        if (r < 0)
                store_failed(m, &m->flush_op, r);
        else
                store_ok(m, &m->flush_op);
        /* Out of memory here only postpones the forgetting to the next flush. */
        if (m->app)
                (void) app_metrics_forget(m->app, (unsigned) (FORGET_MS / m->cfg.interval_ms));
        (void) ring_forget(m->ring, m->stamp_ms - FORGET_MS);
        m->flushed_ms = m->stamp_ms;
        notify_status(m);
        if (m->trim_due)
                trim(m);
}

/* Once an hour (and at start): the log's rows of past hours into chunks and rollups, then retention. */
static void seal(Monitor *m) {
        int64_t hour = m->stamp_ms / TSDB_HOUR_MS;
        if (hour == m->sealed_hour || m->stamp_ms < m->seal_retry_ms)
                return;
        int64_t points = 0, deleted[TSDB_TIERS] = { 0 };
        int r = tsdb_seal(m->store, hour * TSDB_HOUR_MS, &points);
        if (r >= 0)
                r = tsdb_prune(m->store, m->stamp_ms, &m->cfg.limits, deleted);
        if (r >= 0)
                r = tsdb_event_prune(m->store, m->stamp_ms - ALERT_HISTORY_AGE_MS, ALERT_HISTORY_MAX, NULL);
        if (r < 0) {
                store_failed(m, &m->seal_op, r);
                m->seal_retry_ms = m->stamp_ms + SEAL_RETRY_MS;
                return;
        }
        store_ok(m, &m->seal_op);
        m->sealed_hour = hour;
        m->trim_due = true;
        log_debug("%s: sealed %" PRId64 " samples; retention removed %" PRId64 " chunks, %" PRId64
                  " minute and %" PRId64 " hour rows",
                  m->cfg.store, points, deleted[TSDB_TIER_CHUNK], deleted[TSDB_TIER_R1M], deleted[TSDB_TIER_R1H]);
}

/* The next tick at the next slot of the wall clock's grid after stamp, waited for on the monotonic
 * clock: a wall clock set back or forward moves the stamps, never the pace. */
static int schedule(Monitor *m, int64_t after_stamp) {
        int64_t now = realtime_ms(), next = after_stamp + m->cfg.interval_ms;
        int64_t wait = next - now;
        if (wait < 0 || wait > m->cfg.interval_ms)
                wait = m->cfg.interval_ms - (now % m->cfg.interval_ms);
        uint64_t mono;
        sd_event_now(m->event, CLOCK_MONOTONIC, &mono);
        return sd_event_source_set_time(m->tick, mono + (uint64_t) wait * 1000u)
                ?: sd_event_source_set_enabled(m->tick, SD_EVENT_ONESHOT);
}

/* The notifications' own figures, as series (once a flush: each costs a query of the queue). */
static int notify_series(Monitor *m) {
        if (!m->notifier || m->stamp_ms - m->flushed_ms < m->cfg.flush_ms)
                return 0;
        NotifierStats s;
        notifier_stats(m->notifier, &s);
        int r = ring_add(m->ring, "monitor.notify.waiting", "count", m->stamp_ms, (double) s.waiting);
        if (r >= 0)
                r = ring_add(m->ring, "monitor.notify.sent_total", "count", m->stamp_ms, (double) s.sent);
        if (r >= 0)
                r = ring_add(m->ring, "monitor.notify.failed_total", "count", m->stamp_ms,
                             (double) (s.refused + s.expired + s.dropped));
        return r;
}

static int stop_failed(Monitor *m, int r, const char *what) {
        log_error_errno(r, "%s: %m; stopping", what);
        m->exit_status = 1;
        return sd_event_exit(m->event, 1);
}

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata) {
        Monitor *m = userdata;
        uint64_t cpu0 = process_cpu_usec();
        int64_t iv = m->cfg.interval_ms;
        /* The slot nearest to now (a wake-up a little before or after it stamps the same slot); the
         * slots that passed without a tick (a busy host, a stopped process) are counted as missed,
         * on the monotonic clock, and not sampled late. */
        m->stamp_ms = (realtime_ms() + iv / 2) / iv * iv;
        uint64_t mono = profiler_now_usec(), elapsed = mono - m->tick_mono;
        if (m->ticks > 0 && elapsed > (uint64_t) iv * 1500u)
                m->missed += (elapsed + (uint64_t) iv * 500u) / ((uint64_t) iv * 1000u) - 1;
        m->tick_mono = mono;
        int r = profiler_sample(m->profiler, mono, false);
        m->ticks++;
        /* The monitor's own cost and misses, as series like any other. */
        if (r >= 0)
                r = ring_add(m->ring, "monitor.cpu_us", "us", m->stamp_ms, (double) m->cpu_usec);
        if (r >= 0)
                r = ring_add(m->ring, "monitor.missed_total", "count", m->stamp_ms, (double) m->missed);
        r = daemon_app_tick(m, elapsed, r);
        if (r >= 0)
                r = db_source_tick(m->db, m->stamp_ms, daemon_point, m);
        if (r >= 0)
                r = notify_series(m);
        if (r == -ENOMEM)
                return stop_failed(m, r, "out of memory while sampling");
        alerting_eval(&m->alerts, m->ring, m->stamp_ms, (int64_t) (mono / 1000u), stale_ms(m));
        if (m->stamp_ms - m->flushed_ms >= m->cfg.flush_ms || m->stamp_ms < m->flushed_ms)
                flush(m);
        seal(m);
        m->cpu_usec = process_cpu_usec() - cpu0;
        r = schedule(m, m->stamp_ms);
        return r < 0 ? stop_failed(m, r, "cannot schedule the next sample") : 0;
}

static int on_stop(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Monitor *m = userdata;
        m->exit_status = si->ssi_signo == SIGINT ? 130 : 0;
        log_info("%s: writing the pending samples and stopping", strsignal((int) si->ssi_signo));
        return sd_event_exit(m->event, 0);
}

static int on_duration(sd_event_source *s, uint64_t usec, void *userdata) {
        Monitor *m = userdata;
        return sd_event_exit(m->event, 0);
}

static int alerts_load(Monitor *m, bool first) {
        size_t n = m->opts->n_alert_dirs;
        const char *const *dirs = m->opts->alert_dirs ? m->opts->alert_dirs : alert_rule_dirs(&n);
        return alerting_load(&m->alerts, dirs, n, m->opts->alert_dirs != NULL, first);
}

/* The configuration with the command line's overrides. */
static int read_config(Monitor *m, MonitorConfig *c) {
        _cleanup_(error_done) Error e = ERROR_NULL;
        int r = monitor_config_load(m->opts->config, m->opts->config_given, c, &e);
        if (r < 0) {
                _cleanup_free_ char *msg = error_format(&e);
                log_error("%s", msg ? msg : error_message(&e));
                return r;
        }
        if (m->opts->interval_ms > 0)
                c->interval_ms = m->opts->interval_ms;
        if (m->opts->store) {
                free(c->store);
                if (!(c->store = strdup(m->opts->store)))
                        return log_error_errno(-ENOMEM, "%m");
        }
        return 0;
}

/* The paths of the HTTP API (docs/api.md); their bodies are daemon-routes.c's. */
static const HttpRoute routes[] = {
        { "/metrics", "text/plain; version=0.0.4; charset=utf-8", daemon_get_metrics },
        { "/api/v1/status", "application/json", daemon_get_status },
        { "/api/v1/series", "application/json", daemon_get_series },
        { "/api/v1/current", "application/json", daemon_get_current },
        { "/api/v1/query", "application/json", daemon_get_query },
        { "/api/v1/alerts", "application/json", daemon_get_alerts },
        { "/api/v1/transactions", "application/json", daemon_get_transactions },
        { "/api/v1/health", "application/json", daemon_get_health },
        { "/dashboard", "text/html; charset=utf-8", daemon_get_dashboard },
};

static int http_failed(const Monitor *m, const ListenAddr *a, int r) {
        static const struct {
                int error;
                const char *hint;
        } hints[] = {
                { -EADDRINUSE,
                  "another program (or another skytune-monitor) listens there (ss -ltnp names it): stop "
                  "it, or give another port or \"off\" in 'listen'" },
                { -EACCES, "a port below 1024 takes privilege: give a port from 1024 up in 'listen'" },
                { -EPERM, "the unit's RestrictAddressFamilies= or IPAddressAllow= forbids it" },
                { -EADDRNOTAVAIL, "this host has no such address (IPv6 off?): give 127.0.0.1:PORT in 'listen'" },
        };
        const char *hint = "correct 'listen', or set it to \"off\"";
        for (size_t i = 0; i < ELEMENTSOF(hints); i++)
                if (hints[i].error == r)
                        hint = hints[i].hint;
        return log_error_errno(r, "%s: cannot serve the HTTP API on %s: %m; %s (docs/monitor.md, The HTTP API)",
                               m->opts->config, a->text, hint);
}

/* Serves the API at a, or stops serving it ("off"); the server in use stays until the new one
 * listens, so that a reload to a busy port keeps the old one. */
static int http_listen(Monitor *m, const ListenAddr *a, const char *token) {
        HttpServer *s = NULL;
        if (!a->off) {
                int r = http_server_start(m->event, a, token, routes, ELEMENTSOF(routes), m, &s);
                if (r < 0)
                        return http_failed(m, a, r);
                log_info("serving /metrics and /api/v1/status on http://%s%s", a->text,
                         token ? " (every request must send the token)" : "");
        } else if (m->http)
                log_info("the HTTP API on %s is off", m->listening.text);
        http_server_stop(m->http);
        m->http = s;
        m->listening = *a;
        return 0;
}

static bool same_path(const char *a, const char *b) {
        return a && b ? strcmp(a, b) == 0 : a == b;
}

static int on_reload(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Monitor *m = userdata;
        MonitorConfig c = {};
        sd_notifyf(false, "RELOADING=1\nMONOTONIC_USEC=%" PRIu64, profiler_now_usec());
        /* The rules and the configuration are separate files: each is reloaded or kept on its own. */
        (void) alerts_load(m, false);
        if (read_config(m, &c) < 0) {
                log_error("%s: keeping the configuration in use; correct the file and reload again", m->opts->config);
                monitor_config_done(&c);
                sd_notify(false, "READY=1");
                return 0;
        }
        if (strcmp(c.store, m->cfg.store) != 0) {
                log_warning("%s: 'store' changed to %s: that takes a restart; until then samples go to %s",
                            m->opts->config, c.store, m->cfg.store);
                free(c.store);
                c.store = TAKE_PTR(m->cfg.store);
        }
        if (!same_path(c.app_socket, m->cfg.app_socket)) {
                log_warning("%s: 'app_socket' changed to %s: that takes a restart; until then it stays %s",
                            m->opts->config, c.app_socket ?: "off", m->cfg.app_socket ?: "off");
                free(c.app_socket);
                c.app_socket = TAKE_PTR(m->cfg.app_socket);
        }
        if ((c.db.dsn || m->cfg.db.dsn) &&
            (!same_path(c.db.dsn, m->cfg.db.dsn) || c.db.interval_ms != m->cfg.db.interval_ms)) {
                log_warning("%s: 'database' changed: that takes a restart; until then the database in use is sampled "
                            "as before",
                            m->opts->config);
                monitor_config_done(&(MonitorConfig) { .db = c.db });
                c.db = m->cfg.db;
                m->cfg.db = (MonitorDbConfig) {};
        }
        if (m->app)
                app_metrics_set_max_series(m->app, c.app_max_series);
        /* A server that gave up at its first connection starts again: the library may be there now. */
        bool retry = http_server_gave_up(m->http);
        if (retry)
                http_mhd_try_again();
        if ((retry || !listen_addr_equal(&c.listen, &m->listening)) && http_listen(m, &c.listen, c.api_token) < 0) {
                if (retry)
                        log_warning("%s: the HTTP API on %s stays down; reload again once 'listen' can be served",
                                    m->opts->config, m->listening.text);
                else
                        log_warning("%s: keeping the HTTP API %s%s; reload again once 'listen' can be served",
                                    m->opts->config, m->listening.off ? "off" : "on ",
                                    m->listening.off ? "" : m->listening.text);
                c.listen = m->listening;
        }
        /* A listener kept on another address after a failed rebind keeps its token too. */
        if (m->http && (c.api_token || m->listening.loopback) && http_server_set_token(m->http, c.api_token) < 0)
                log_warning("%s: out of memory: the HTTP API keeps its token", m->opts->config);
        bool new_interval = c.interval_ms != m->cfg.interval_ms;
        notifier_configure(m->notifier, &c.notify);
        monitor_config_done(&m->cfg);
        m->cfg = c;
        ring_set_limits(m->ring, c.max_series, monitor_pending_cap(&c));
        if (new_interval) {
                int r = schedule(m, realtime_ms() / c.interval_ms * c.interval_ms);
                if (r < 0)
                        return stop_failed(m, r, "cannot schedule the next sample");
        }
        log_info("%s: configuration reloaded: a sample every %g s, written every %g s", m->opts->config,
                 (double) c.interval_ms / 1000, (double) c.flush_ms / 1000);
        m->trim_due = true;
        sd_notify(false, "READY=1");
        return 0;
}

static int store_open(Monitor *m) {
        _cleanup_free_ char *moved = NULL;
        int r = tsdb_open(m->cfg.store, &m->store, &moved);
        if (r == -EBUSY)
                return log_error_errno(r,
                                       "%s: another skytune-monitor writes this store: stop it (systemctl stop "
                                       "skytune-monitor) or give this one --store PATH",
                                       m->cfg.store);
        if (r == -EPROTO)
                return log_error_errno(r, "%s: written by a newer skytune: upgrade skytune, or give --store PATH",
                                       m->cfg.store);
        bool place = r == -EACCES || r == -ENOENT || r == -EROFS || r == -EPERM;
        if (r < 0)
                return log_error_errno(r, "%s: cannot open the store: %m%s", m->cfg.store,
                                       place ? " (the service's StateDirectory= makes its directory; by hand, give "
                                               "--store PATH in a directory you may write)"
                                             : "");
        if (moved)
                log_warning("%s: not a usable skytune store: kept as %s (nothing deleted); a new store starts here",
                            m->cfg.store, moved);
        return 0;
}

/* The application socket: a missing directory or a socket another process reads is a warning, and
 * the daemon runs without it. */
static int monitor_start(Monitor *m) {
        int r = read_config(m, &m->cfg);
        if (r < 0)
                return r;
        if ((r = sysroot_open(m->opts->sysroot, &m->root)) < 0)
                return log_error_errno(r, "--sysroot %s: cannot open it: %m", m->opts->sysroot);
        if ((r = store_open(m)) < 0)
                return r;
        if ((r = ring_new(m->store, m->cfg.max_series, monitor_pending_cap(&m->cfg), &m->ring)) < 0 ||
            (r = profiler_new(m->root, &m->profiler)) < 0)
                return log_error_errno(r, "cannot start the collectors: %m");
        profiler_set_summaries(m->profiler, false);
        profiler_set_repeats(m->profiler, false); /* a late point is a stale series (stale_ms) */
        if ((r = sd_event_default(&m->event)) < 0 || (r = notifier_new(m->event, m->store, &m->notifier)) < 0)
                return log_error_errno(r, "cannot set up the event loop: %m");
        m->alerts.notifier = m->notifier;
        m->alerts.journal = m->opts->journal;
        m->alerts.store = m->store;
        m->alerts.store_error_ms = -1;
        if (silence_dir_of_store(m->cfg.store, m->alerts.silence_dir, sizeof(m->alerts.silence_dir)) < 0)
                return log_error_errno(-ENAMETOOLONG, "%s: the path is too long", m->cfg.store);
        if ((r = alerts_load(m, true)) < 0)
                return r;
        alerting_restore(&m->alerts, realtime_ms(), (int64_t) (profiler_now_usec() / 1000u));
        if ((r = profiler_add_sink(m->profiler, &(MetricSink) { .emit = on_point, .userdata = m })) < 0)
                return log_error_errno(r, "cannot start the collectors: %m");
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigaddset(&mask, SIGCHLD); /* the exec notifier's commands, reaped by sd-event */
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(-errno, "cannot block signals: %m");
        /* A receiver that closes its connection mid-write (TLS writes do not all pass MSG_NOSIGNAL). */
        (void) signal(SIGPIPE, SIG_IGN);
        int64_t now_ms = realtime_ms();
        m->flushed_ms = now_ms;
        if ((r = sd_event_add_signal(m->event, NULL, SIGTERM, on_stop, m)) < 0 ||
            (r = sd_event_add_signal(m->event, NULL, SIGINT, on_stop, m)) < 0 ||
            (r = sd_event_add_signal(m->event, NULL, SIGHUP, on_reload, m)) < 0 ||
            (r = sd_event_add_time(m->event, &m->tick, CLOCK_MONOTONIC, UINT64_MAX, 1000, on_tick, m)) < 0 ||
            (r = sd_event_set_watchdog(m->event, true)) < 0)
                return log_error_errno(r, "cannot set up the event loop: %m");
        if (m->opts->duration_s > 0) {
                uint64_t now;
                sd_event_now(m->event, CLOCK_MONOTONIC, &now);
                r = sd_event_add_time(m->event, NULL, CLOCK_MONOTONIC, now + (uint64_t) (m->opts->duration_s * 1e6),
                                      1000, on_duration, m);
                if (r < 0)
                        return log_error_errno(r, "cannot set up the event loop: %m");
        }
        m->start_ms = now_ms;
        if ((r = http_listen(m, &m->cfg.listen, m->cfg.api_token)) < 0)
                return r;
        if ((r = daemon_app_start(m)) < 0 || (r = db_source_start(&m->cfg.db, &m->db)) < 0)
                return r;
        /* The first sample, in the slot that began last: every rate needs a sample before it. */
        m->stamp_ms = now_ms / m->cfg.interval_ms * m->cfg.interval_ms;
        if ((r = profiler_sample(m->profiler, profiler_now_usec(), false)) < 0)
                return log_error_errno(r, "cannot sample: %m");
        if ((r = schedule(m, m->stamp_ms)) < 0)
                return log_error_errno(r, "cannot schedule the next sample: %m");
        notifier_configure(m->notifier, &m->cfg.notify);
        trim(m); /* the start-up's code now; the first flush's (the series rows) after it */
        m->trim_due = true;
        log_info("sampling every %g s into %s (written every %g s)", (double) m->cfg.interval_ms / 1000, m->cfg.store,
                 (double) m->cfg.flush_ms / 1000);
        sd_notifyf(false, "READY=1\nSTATUS=sampling every %g s into %s", (double) m->cfg.interval_ms / 1000,
                   m->cfg.store);
        return 0;
}

static void monitor_done(Monitor *m) {
        sd_notify(false, "STOPPING=1");
        m->db = db_source_stop(m->db); /* first: its thread may be in a query that stop cancels */
        m->http = http_server_stop(m->http);
        daemon_routes_done(m);
        if (m->ring && m->store) {
                daemon_app_last(m);
                int r = ring_flush(m->ring);
                if (r < 0) {
                        log_error_errno(r, "%s: cannot write the last samples: %m", m->cfg.store);
                        m->exit_status = m->exit_status ?: 1;
                }
        }
        app_socket_close(m->app_sock);
        app_metrics_free(m->app);
        profiler_free(m->profiler);
        ring_free(m->ring);
        alerting_done(&m->alerts);
        notifier_free(m->notifier);
        tsdb_close(m->store);
        sd_event_source_unref(m->tick);
        sd_event_unref(m->event);
        sysroot_free(m->root);
        monitor_config_done(&m->cfg);
}

int monitor_run(const MonitorOptions *o) {
        Monitor m = { .opts = o,
                      .listening = { .off = true, .text = "off" },
                      .sealed_hour = -1,
                      .flush_op = { "write the samples", -1 },
                      .seal_op = { "seal the last hour's samples and apply the retention", -1 } };
        int r = monitor_start(&m);
        if (r >= 0) {
                r = sd_event_loop(m.event);
                if (r < 0 && m.exit_status == 0) {
                        log_error_errno(r, "the event loop failed: %m");
                        m.exit_status = 1;
                }
        } else
                m.exit_status = 1;
        monitor_done(&m);
        return m.exit_status;
}
