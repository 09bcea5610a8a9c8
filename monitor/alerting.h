/* SPDX-License-Identifier: MIT */
/* The daemon's alert rules at work (docs/monitor.md, Alert rules): loaded from the rule directories
 * at start and on SIGHUP (a broken file keeps the rules in use; states of rules that stay are kept),
 * evaluated at each tick over the ring's latest samples, and each event told to the journal with
 * its fields (SKYTUNE_ALERT, SKYTUNE_ALERT_EVENT, SKYTUNE_ALERT_LEVEL, SKYTUNE_ALERT_VALUE), or to
 * standard error by hand. Each alert's state is kept in the store (tsdb_state_put, key
 * "alert/NAME") whenever its phase, level, flapping or keep-firing start changes, and restored at start, so that a
 * restart, kill -9 included, neither fires an alert again nor forgets its pending time or its
 * keep_firing_for. The changes of each evaluation go to the notifiers as one group (notifier.h). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "alert-rule.h"
#include "alert-state.h"
#include "ring.h"
#include "silence.h"

/* journalctl MESSAGE_ID=... lists every alert event of skytune-monitor. */
#define SKYTUNE_MESSAGE_ALERT "8f1b5c2e6a4d4c0f9e7a3b1d2c6e8f40"

/* The alert history in the store (skytune alerts --history) keeps 90 days, at most 100000 events. */
#define ALERT_HISTORY_AGE_MS (90 * TSDB_DAY_MS)
#define ALERT_HISTORY_MAX    100000

typedef struct Alerting {
        struct tsdb *store; /* where the states are kept (not owned); NULL: not kept */
        AlertRules rules;
        AlertState *states; /* one per rule */
        MetricCatalog catalog;
        bool journal; /* events with their fields to the journal */
        uint64_t events;
        int64_t store_error_ms;    /* when a state write last failed (logged at most every 5 min) */
        struct Notifier *notifier; /* where the changes go (not owned); NULL: only the journal */
        int64_t *fired_ms;         /* per rule: when it last began firing, on the wall clock; 0: unknown */
        uint64_t notify_lost;      /* alerts not made into notifications (no memory) */
        uint64_t history_lost;     /* events the store did not take (logged at the first) */
        char silence_dir[4096];    /* the silences beside the store ("": none) */
        SilenceSet silences;       /* read again at a tick when the directory changed */
        bool *held;                /* per rule: firing, and its notification held back by a silence */
        int64_t unhold_at;         /* when a silence may let a held alert go next (0: at once) */
} Alerting;

/* Loads the rules of dirs (each must exist when must_exist: directories named on the command line).
 * At start (first) a broken file is an error (logged, -errno); on a reload it is logged and the
 * rules in use stay (returns the error too). */
int alerting_load(Alerting *a, const char *const *dirs, size_t n_dirs, bool must_exist, bool first);
/* One evaluation of every rule. stamp_ms is the tick's slot on the wall clock: a series whose last
 * sample is more than stale_ms from it (before, or after: a clock set back) is no data. mono_ms
 * (CLOCK_MONOTONIC) drives the states' timers, so that a clock step moves no `for` or
 * keep_firing_for. */
void alerting_eval(Alerting *a, const MonitorRing *ring, int64_t stamp_ms, int64_t mono_ms, int64_t stale_ms);
/* After the first alerting_load: each rule's state from the store (records it cannot read are
 * logged and start afresh), and the records of rules that are gone removed. wall_ms and mono_ms
 * are now on the two clocks. */
void alerting_restore(Alerting *a, int64_t wall_ms, int64_t mono_ms);
void alerting_done(Alerting *a);
