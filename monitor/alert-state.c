/* SPDX-License-Identifier: MIT */
/* The alert state machine (alert-state.h). */
#include <math.h>
#include <string.h>

#include "alert-state.h"
#include "macro.h"

const char *alert_phase_name(AlertPhase p) {
        static const char *const names[] = { "inactive", "pending", "firing", "resolved" };
        return p < ELEMENTSOF(names) ? names[p] : "?";
}

const char *alert_event_name(AlertEventKind k) {
        static const char *const names[] = { "none", "pending", "firing", "level", "resolved", "flapping", "settled" };
        return k < ELEMENTSOF(names) ? names[k] : "?";
}

void alert_state_init(AlertState *s) {
        *s = (AlertState) { .phase = ALERT_INACTIVE, .cleared_ms = -1, .value = NAN };
}

/* The highest level the rule has: what no_data = "alert" fires at. */
static AlertLevel top_level(const AlertRule *r) {
        return isnan(r->level[ALERT_LEVEL_CRIT]) ? ALERT_LEVEL_WARN : ALERT_LEVEL_CRIT;
}

/* A firing/resolved change at now: kept for the flap count (the oldest dropped when full). */
static void note_change(AlertState *s, int64_t now) {
        if (s->n_changes == ALERT_FLAP_MAX) {
                memmove(s->changes, s->changes + 1, (ALERT_FLAP_MAX - 1) * sizeof(int64_t));
                s->n_changes--;
        }
        s->changes[s->n_changes++] = now;
}

static unsigned changes_within(const AlertState *s, int64_t now, int64_t window) {
        unsigned n = 0;
        for (unsigned i = 0; i < s->n_changes; i++)
                n += now - s->changes[i] < window;
        return n;
}

/* A change's event, passed through the flap damping. */
static AlertEventKind damp(const AlertRule *r, AlertState *s, int64_t now, AlertEventKind ev) {
        if (r->flap_transitions == 0 || r->flap_window_ms == 0)
                return ev;
        note_change(s, now);
        if (s->flapping)
                return ALERT_EVENT_NONE;
        if (changes_within(s, now, r->flap_window_ms) > r->flap_transitions) {
                s->flapping = true;
                return ALERT_EVENT_FLAPPING;
        }
        return ev;
}

static AlertEventKind set_phase(AlertState *s, AlertPhase p, AlertLevel l, int64_t now) {
        s->phase = p;
        s->level = l;
        s->since_ms = now;
        s->cleared_ms = -1;
        return p == ALERT_PENDING ? ALERT_EVENT_PENDING : p == ALERT_FIRING ? ALERT_EVENT_FIRING : ALERT_EVENT_RESOLVED;
}

/* The condition holds at level l (after its hits). */
static AlertEventKind step_active(const AlertRule *r, AlertState *s, int64_t now, AlertLevel l) {
        switch (s->phase) {
        case ALERT_INACTIVE:
        case ALERT_RESOLVED:
                if (r->for_ms > 0)
                        return set_phase(s, ALERT_PENDING, l, now);
                return damp(r, s, now, set_phase(s, ALERT_FIRING, l, now));
        case ALERT_PENDING:
                s->level = l;
                if (now - s->since_ms < r->for_ms)
                        return ALERT_EVENT_NONE;
                return damp(r, s, now, set_phase(s, ALERT_FIRING, l, now));
        case ALERT_FIRING:
                s->cleared_ms = -1;
                if (l == s->level)
                        return ALERT_EVENT_NONE;
                s->level = l;
                return s->flapping ? ALERT_EVENT_NONE : ALERT_EVENT_LEVEL;
        }
        return ALERT_EVENT_NONE;
}

static AlertEventKind step_inactive(const AlertRule *r, AlertState *s, int64_t now) {
        switch (s->phase) {
        case ALERT_PENDING: set_phase(s, ALERT_INACTIVE, ALERT_LEVEL_NONE, now); return ALERT_EVENT_NONE;
        case ALERT_FIRING:
                if (s->cleared_ms < 0)
                        s->cleared_ms = now;
                if (now - s->cleared_ms < r->keep_firing_ms)
                        return ALERT_EVENT_NONE;
                return damp(r, s, now, set_phase(s, ALERT_RESOLVED, ALERT_LEVEL_NONE, now));
        default: return ALERT_EVENT_NONE;
        }
}

AlertEventKind alert_state_step(const AlertRule *r, AlertState *s, int64_t now_ms, bool have_value, double v) {
        AlertLevel l;
        if (have_value && isfinite(v)) {
                s->value = v;
                l = alert_rule_level(
                        r, v, s->phase == ALERT_FIRING || s->phase == ALERT_PENDING ? s->level : ALERT_LEVEL_NONE);
        } else if (r->no_data == ALERT_NODATA_KEEP)
                return ALERT_EVENT_NONE; /* nothing is known: nothing changes, the timers included */
        else {
                s->value = NAN;
                l = r->no_data == ALERT_NODATA_ALERT ? top_level(r) : ALERT_LEVEL_NONE;
        }
        s->hits = l != ALERT_LEVEL_NONE ? s->hits + 1 : 0;
        /* Hits count evaluations at any level; before enough of them the level does not count, unless
         * the alert already stands (a firing alert keeps its hits). */
        bool counts = l != ALERT_LEVEL_NONE && (s->hits >= r->hits || s->phase == ALERT_FIRING);
        AlertEventKind ev = counts ? step_active(r, s, now_ms, l) : step_inactive(r, s, now_ms);
        if (ev == ALERT_EVENT_NONE && s->flapping && s->n_changes > 0 &&
            now_ms - s->changes[s->n_changes - 1] >= r->flap_window_ms) {
                s->flapping = false;
                s->n_changes = 0;
                return ALERT_EVENT_SETTLED;
        }
        return ev;
}
