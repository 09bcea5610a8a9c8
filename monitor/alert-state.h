/* SPDX-License-Identifier: MIT */
/* One alert's state machine (docs/monitor.md, Alert states): inactive -> pending (for) -> firing ->
 * resolved, its level warn or crit with hysteresis, N consecutive hits before a level counts,
 * keep_firing_for after the condition ends, a no-data policy, and flap damping (more than K
 * firing/resolved changes within W: one "flapping" event, then silence until it settles). Pure: the
 * caller gives the time and the value, so tests replay series on a synthetic clock and the state
 * can be stored and restored as it is. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "alert-rule.h"

typedef enum AlertPhase { ALERT_INACTIVE, ALERT_PENDING, ALERT_FIRING, ALERT_RESOLVED } AlertPhase;

/* cleared_ms while the condition holds. Not -1: restored after a reboot, times on the new monotonic
 * clock are negative when they came before it started. */
#define ALERT_NOT_CLEARED INT64_MIN

typedef struct AlertState {
        AlertPhase phase;
        AlertLevel level;   /* while pending or firing */
        unsigned hits;      /* consecutive evaluations at a level */
        int64_t since_ms;   /* when the phase began */
        int64_t cleared_ms; /* firing: when the condition ended (keep_firing_for); ALERT_NOT_CLEARED: it holds */
        double value;       /* the last value seen; NAN: none */
        bool flapping;
        int64_t changes[ALERT_FLAP_MAX]; /* the latest firing/resolved changes, oldest first */
        unsigned n_changes;
} AlertState;

typedef enum AlertEventKind {
        ALERT_EVENT_NONE,
        ALERT_EVENT_PENDING, /* no notification; listed by `skytune alerts` */
        ALERT_EVENT_FIRING,
        ALERT_EVENT_LEVEL, /* firing, and its level changed (warn <-> crit) */
        ALERT_EVENT_RESOLVED,
        ALERT_EVENT_FLAPPING, /* one notification instead of the changes that follow */
        ALERT_EVENT_SETTLED,  /* no change for a flap window: the phase it settled in */
} AlertEventKind;

void alert_state_init(AlertState *s);
/* One evaluation at now_ms (not before the last one) with the rule's value (have_value false: the
 * series are missing or stale, and the rule's no_data decides). Returns what to tell people. */
AlertEventKind alert_state_step(const AlertRule *r, AlertState *s, int64_t now_ms, bool have_value, double v);

/* The state as it is kept in the store across restarts ({"phase", "level", "since", "cleared",
 * "value", "flapping", "changes"}), its times moved by shift_ms (the wall clock minus the clock the
 * timers run on), so that they mean the same after a reboot. hits are not kept: a restart counts
 * them again. NULL on ENOMEM. */
json_t *alert_state_to_json(const AlertState *s, int64_t shift_ms);
/* The reverse: -EBADMSG for anything that is not such a record (*s untouched). Times after
 * now_ms (a clock set back since) become now_ms. */
int alert_state_from_json(const json_t *j, int64_t shift_ms, int64_t now_ms, AlertState *s);

/* The same from the JSON text the store keeps (times on the wall clock: no shift). */
int alert_state_from_text(const char *text, int64_t now_ms, AlertState *s);

const char *alert_phase_name(AlertPhase p);
const char *alert_event_name(AlertEventKind k);
