/* SPDX-License-Identifier: MIT */
/* The monitor's state, shared by the files of its loop: daemon.c (ticks, store, reload, HTTP) and
 * daemon-app.c (the application metrics' socket and harvests). Internal to monitor/. */
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
        ListenAddr listening; /* where http serves ("off": not at all) */
        int64_t start_ms;
        int64_t stamp_ms;   /* the slot being sampled (points are stamped with it) */
        uint64_t tick_mono; /* CLOCK_MONOTONIC of the last tick, usec */
        int64_t flushed_ms, sealed_hour, seal_retry_ms;
        StoreOp flush_op, seal_op;
        uint64_t ticks, missed, cpu_usec, long_names;
        int exit_status;
} Monitor;

static inline int64_t monitor_realtime_ms(void) {
        return (int64_t) (time_now_realtime_usec() / 1000u);
}

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
