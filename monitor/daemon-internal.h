/* SPDX-License-Identifier: MIT */
/* The daemon's state, shared by its loop (daemon.c), the application metrics' part of it
 * (daemon-app.c) and the bodies of its HTTP routes (daemon-routes.c), which read it between two
 * ticks: one thread, no locks. */
#pragma once

#include <stdint.h>
#include <systemd/sd-event.h>

#include "alerting.h"
#include "app-socket.h"
#include "daemon.h"
#include "db-source.h"
#include "http-server.h"
#include "monitor-config.h"
#include "notifier.h"
#include "profiler.h"
#include "ring.h"
#include "sysroot.h"
#include "time-util.h"

/* A body rendered for the tick it was rendered at (ticks), served again until the next. */
typedef struct BodyCache {
        uint64_t ticks; /* the daemon's tick count when rendered; UINT64_MAX: never */
        char *body;
        size_t len;
} BodyCache;

/* One kind of store write (flush, seal): when its error was last logged; -1: it works. */
typedef struct StoreOp {
        const char *what;
        int64_t error_ms;
} StoreOp;

typedef struct Monitor {
        const MonitorOptions *opts;
        MonitorConfig cfg;
        sd_event *event;
        sd_event_source *tick;
        Sysroot *root;
        Profiler *profiler;
        struct tsdb *store;
        MonitorRing *ring;
        Alerting alerts;
        Notifier *notifier;
        AppMetrics *app;      /* application metrics; NULL: app_socket is off */
        AppSocket *app_sock;  /* NULL: off, or it could not be made */
        DbSource *db;         /* the database's worker; NULL: none sampled */
        int64_t app_stamp_ms; /* the slot of the last harvest of the application metrics; 0: none */
        HttpServer *http;
        ListenAddr listening;        /* where http serves ("off": not at all) */
        BodyCache metrics, current;  /* /metrics and /api/v1/current, rendered at most once a tick */
        json_t *txlist;              /* the helper's transactions as last read; NULL: none could be */
        char *tx_why;                /* why not */
        int64_t tx_read_ms;          /* when they were last asked for; 0: never */
        struct HelperAsync *tx_call; /* the last background call (client.h) */
        bool tx_busy;                /* it has not answered yet */
        int64_t start_ms;
        int64_t stamp_ms;   /* the slot being sampled (points are stamped with it) */
        uint64_t tick_mono; /* CLOCK_MONOTONIC of the last tick, usec */
        int64_t flushed_ms, sealed_hour, seal_retry_ms;
        bool trim_due; /* the code pages to be let go of at the next flush (text-trim.h) */
        StoreOp flush_op, seal_op;
        uint64_t ticks, missed, cpu_usec, long_names;
        int exit_status;
} Monitor;

static inline int64_t realtime_ms(void) {
        return (int64_t) (time_now_realtime_usec() / 1000u);
}

/* A series is stale (no data) when its last sample is older than this at a tick: 3 intervals, and
 * the costly sources are read every 5 s (profiler.h). */
static inline int64_t stale_ms(const Monitor *m) {
        return 3 * m->cfg.interval_ms + PROFILER_FULL_PERIOD_USEC / 1000 + 1000;
}

/* The routes' bodies (HttpRoute.get, userdata the Monitor). */
int daemon_get_metrics(void *userdata, HttpRequest *req, char **ret, size_t *ret_len);
int daemon_get_status(void *userdata, HttpRequest *req, char **ret, size_t *ret_len);
int daemon_get_series(void *userdata, HttpRequest *req, char **ret, size_t *ret_len);
int daemon_get_current(void *userdata, HttpRequest *req, char **ret, size_t *ret_len);
int daemon_get_query(void *userdata, HttpRequest *req, char **ret, size_t *ret_len);
int daemon_get_alerts(void *userdata, HttpRequest *req, char **ret, size_t *ret_len);
int daemon_get_transactions(void *userdata, HttpRequest *req, char **ret, size_t *ret_len);
int daemon_get_health(void *userdata, HttpRequest *req, char **ret, size_t *ret_len);
/* GET /dashboard (daemon-dashboard.c). */
int daemon_get_dashboard(void *userdata, HttpRequest *req, char **ret, size_t *ret_len);
/* The helper's transactions into m->txlist (or why not into m->tx_why), at most once in 10 s. */
void daemon_read_transactions(Monitor *m);
/* The caches' bodies freed (at stop). */
void daemon_routes_done(Monitor *m);

/* A point into the ring at the slot being sampled (app-metrics.h's AppEmit; the db source's too). */
int daemon_point(void *userdata, const char *name, const char *unit, double value);
/* The application socket and its metrics, when app_socket is set: 0, or -ENOMEM (a socket that
 * cannot be made is logged and leaves the metrics off). */
int daemon_app_start(Monitor *m);
/* At a tick, elapsed_usec after the last on the monotonic clock: the interval's points (unless r, the
 * tick's result so far, is an error), the drops' log line. Returns r, or the harvest's -ENOMEM. */
int daemon_app_tick(Monitor *m, uint64_t elapsed_usec, int r);
/* At stop: the records that came since the last tick (and those still queued) as one last, shorter
 * interval, so that a restart loses none of an application's requests. */
void daemon_app_last(Monitor *m);
