/* SPDX-License-Identifier: MIT */
/* The alert state machine (alert-state.h). */
#include <errno.h>
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
        *s = (AlertState) { .phase = ALERT_INACTIVE, .cleared_ms = ALERT_NOT_CLEARED, .value = NAN };
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
        s->cleared_ms = ALERT_NOT_CLEARED;
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
                s->cleared_ms = ALERT_NOT_CLEARED;
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
                if (s->cleared_ms == ALERT_NOT_CLEARED)
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

json_t *alert_state_to_json(const AlertState *s, int64_t shift_ms) {
        json_t *changes = json_array();
        for (unsigned i = 0; changes && i < s->n_changes; i++)
                if (json_array_append_new(changes, json_integer(s->changes[i] + shift_ms)) < 0) {
                        json_decref(changes);
                        changes = NULL;
                }
        if (!changes)
                return NULL;
        return json_pack("{s:s, s:s, s:I, s:I, s:o, s:b, s:o}", "phase", alert_phase_name(s->phase), "level",
                         alert_level_name(s->level), "since", (json_int_t) (s->since_ms + shift_ms), "cleared",
                         (json_int_t) (s->cleared_ms == ALERT_NOT_CLEARED ? -1 : s->cleared_ms + shift_ms), "value",
                         isnan(s->value) ? json_null() : json_real(s->value), "flapping", s->flapping, "changes",
                         changes);
}

static int name_index(const char *name, const char *(*name_of)(int), int n) {
        for (int i = 0; name && i < n; i++)
                if (strcmp(name, name_of(i)) == 0)
                        return i;
        return -1;
}

static const char *phase_of(int i) {
        return alert_phase_name((AlertPhase) i);
}

static const char *level_of(int i) {
        return alert_level_name((AlertLevel) i);
}

int alert_state_from_json(const json_t *j, int64_t shift_ms, int64_t now_ms, AlertState *s) {
        const char *phase = NULL, *level = NULL;
        json_int_t since = 0, cleared = -1;
        json_t *value = NULL, *changes = NULL;
        int flapping = 0;
        if (!json_is_object(j) ||
            json_unpack((json_t *) j, "{s:s, s:s, s:I, s:I, s:o, s:b, s:o}", "phase", &phase, "level", &level, "since",
                        &since, "cleared", &cleared, "value", &value, "flapping", &flapping, "changes", &changes) < 0)
                return -EBADMSG;
        /* Milliseconds since the epoch up to the year 33658: no arithmetic on them can overflow. */
        const json_int_t max_ms = INT64_C(1000000000000000);
        if (since < 0 || since > max_ms || cleared < -1 || cleared > max_ms)
                return -EBADMSG;
        int p = name_index(phase, phase_of, ALERT_RESOLVED + 1), l = name_index(level, level_of, ALERT_LEVEL_CRIT + 1);
        bool standing = p == ALERT_PENDING || p == ALERT_FIRING;
        if (p < 0 || l < 0 || standing != (l != ALERT_LEVEL_NONE) || !(json_is_number(value) || json_is_null(value)) ||
            !json_is_array(changes) || json_array_size(changes) > ALERT_FLAP_MAX)
                return -EBADMSG;
        AlertState n;
        alert_state_init(&n);
        n.phase = (AlertPhase) p;
        n.level = (AlertLevel) l;
        n.since_ms = MIN((int64_t) since - shift_ms, now_ms);
        n.cleared_ms = cleared < 0 || p != ALERT_FIRING ? ALERT_NOT_CLEARED : MIN((int64_t) cleared - shift_ms, now_ms);
        n.value = json_is_number(value) ? json_number_value(value) : NAN;
        n.flapping = flapping;
        for (size_t i = 0; i < json_array_size(changes); i++) {
                json_t *c = json_array_get(changes, i);
                /* Oldest first, as note_change keeps them. */
                if (!json_is_integer(c) || json_integer_value(c) < 0 || json_integer_value(c) > max_ms ||
                    (i > 0 && json_integer_value(c) < json_integer_value(json_array_get(changes, i - 1))))
                        return -EBADMSG;
                n.changes[n.n_changes++] = MIN((int64_t) json_integer_value(c) - shift_ms, now_ms);
        }
        if (n.flapping && n.n_changes == 0)
                return -EBADMSG; /* it could never settle */
        *s = n;
        return 0;
}

int alert_state_from_text(const char *text, int64_t now_ms, AlertState *s) {
        json_t *j = json_loads(text, 0, NULL);
        int r = j ? alert_state_from_json(j, 0, now_ms, s) : -EBADMSG;
        json_decref(j);
        return r;
}
