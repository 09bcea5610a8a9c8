/* SPDX-License-Identifier: MIT */
/* The bodies of skytune-monitor's JSON API (docs/api.md), built from the daemon's ring and store as
 * an ApiSource gives them, so that tests and the bench call them without a daemon. Each returns the
 * body (compact JSON and a newline, malloc'ed, *ret_len bytes): 0, -EINVAL with the request refused
 * (400, http-request.h), or another negative errno (500). */
#pragma once

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "alert-rule.h"
#include "alert-state.h"
#include "http-request.h"
#include "ring.h"

typedef struct ApiSource {
        const MonitorRing *ring;
        struct tsdb *store; /* the daemon's (one thread: it is not written meanwhile) */
        int64_t now_ms;     /* the wall clock */
        int64_t tick_ms;    /* the slot of the latest tick; 0: none yet */
        int64_t stale_ms;   /* a sample older than this at the tick is not current */
} ApiSource;

/* GET /api/v1/series: every series the ring or the store knows, in name order. */
int api_series(const ApiSource *s, HttpRequest *r, char **ret, size_t *ret_len);
/* GET /api/v1/current[?prefix=P]: the latest tick's value of each series (P: whose name starts so). */
int api_current(const ApiSource *s, HttpRequest *r, char **ret, size_t *ret_len);
/* GET /api/v1/query: buckets of the store's tiers and the ring's samples not yet written. */
int api_query(const ApiSource *s, HttpRequest *r, char **ret, size_t *ret_len);

/* The alerts as the daemon holds them: one state per rule, their times on the timers' clock, which
 * is the wall clock minus shift_ms. */
typedef struct ApiAlerts {
        const AlertRules *rules;
        const AlertState *states;
        int64_t shift_ms;
} ApiAlerts;

/* At most this many events of the history in one answer (the newest kept: "truncated": true). */
#define API_EVENTS_MAX 5000

/* GET /api/v1/alerts[?history=1&since=T]: the alerts pending or firing; with history, the store's
 * events since T (default -24h). */
int api_alerts(const ApiSource *s, const ApiAlerts *a, HttpRequest *r, char **ret, size_t *ret_len);

/* What the daemon's health is made of beside the ring. */
typedef struct ApiHealth {
        const char *store_error; /* the failing store write ("write the samples"); NULL: it works */
        const char *seal_error;  /* the failing seal or retention; NULL: it works */
        bool db;                 /* a database is configured (its up is the ring's monitor.db.up) */
        json_t *queues;          /* {receiver: items waiting} (borrowed; NULL: no notifier) */
} ApiHealth;

/* GET /api/v1/health: "ok", "degraded" (a collector or the database down, the seal failing) or
 * "failing" (no tick within the staleness bound, or samples not written), and the parts. */
int api_health(const ApiSource *s, const ApiHealth *h, HttpRequest *r, char **ret, size_t *ret_len);

/* GET /api/v1/transactions[?since=T]: the tuning transactions of txlist (the helper's
 * skytune.txlist/1) created since T (default: all), for the dashboard's markers; txlist NULL: none
 * could be read, "available": false and why. */
int api_transactions(const ApiSource *s, const json_t *txlist, const char *why, HttpRequest *r, char **ret,
                     size_t *ret_len);
/* Refuses r unless its arguments are those of api_transactions() (checked before the helper is asked). */
int api_transactions_args(const ApiSource *s, HttpRequest *r, int64_t *ret_since);

/* doc (taken) as the compact text and a newline: 0 or -ENOMEM. */
int api_body(json_t *doc, char **ret, size_t *ret_len);
