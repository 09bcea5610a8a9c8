/* SPDX-License-Identifier: MIT */
/* Alert events as notifications (alerting-notify.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerting-notify.h"
#include "log.h"
#include "notifier.h"
#include "notify-group.h"
#include "tsdb.h"

/* The alert's notification, or NULL when a silence holds it back (then remembered in held). */
static json_t *alert_json(Alerting *a, size_t i, AlertLevel level, bool firing, int64_t wall_ms) {
        const AlertState *s = &a->states[i];
        NotifyAlert na = {
                .rule = &a->rules.rules[i],
                .level = level == ALERT_LEVEL_NONE ? ALERT_LEVEL_WARN : level,
                .firing = firing,
                .flapping = s->flapping,
                .value = s->value,
                .starts_ms = a->fired_ms[i] > 0 ? a->fired_ms[i] : wall_ms,
                .ends_ms = wall_ms,
                .instance = notifier_instance(a->notifier),
        };
        json_t *j = notify_alert_json(&na);
        if (!j) {
                a->notify_lost++;
                return NULL;
        }
        const Silence *by = silence_set_match(&a->silences, json_object_get(j, "labels"), wall_ms);
        /* A resolution while silenced is not told; a firing alert is, once no silence holds it. */
        alerting_hold(a, i, by && firing, by);
        if (!by)
                return j;
        json_decref(j);
        return NULL;
}

#define HELD_KEY_PREFIX "held/"

void alerting_hold(Alerting *a, size_t i, bool held, const Silence *by) {
        if (!a->held || a->held[i] == held)
                return;
        a->held[i] = held;
        const char *name = a->rules.rules[i].name;
        if (held)
                log_info("alert %s: its notifications are held back by silence %s", name, by->id);
        /* Kept in the store, so that an alert held when the daemon stops is told after a restart. */
        char key[300];
        snprintf(key, sizeof(key), HELD_KEY_PREFIX "%s", name);
        int r = !a->store ? 0 : held ? tsdb_state_put(a->store, key, "1") : tsdb_state_del(a->store, key);
        if (r < 0 && r != -ENOENT)
                log_warning_errno(r, "alert %s: cannot keep in the store that a silence holds it: %m", name);
}

static void add(Alerting *a, json_t *alerts, size_t i, AlertLevel level, bool firing, int64_t wall_ms) {
        json_t *j = alert_json(a, i, level, firing, wall_ms);
        if (j && json_array_append_new(alerts, j) < 0)
                a->notify_lost++;
}

/* The next time a silence in force ends after now, INT64_MAX when none. */
static int64_t next_end(const SilenceSet *set, int64_t now) {
        int64_t t = INT64_MAX;
        for (size_t i = 0; i < set->n; i++)
                if (set->v[i].ends_ms > now && set->v[i].ends_ms < t)
                        t = set->v[i].ends_ms;
        return t;
}

void alerting_unhold(Alerting *a, json_t *alerts, int64_t wall_ms) {
        /* Only when a silence may have let an alert go: the set changed, or one of them ended. */
        if (!alerts || !a->held || wall_ms < a->unhold_at)
                return;
        for (size_t i = 0; i < a->rules.n; i++) {
                const AlertState *s = &a->states[i];
                if (!a->held[i])
                        continue;
                if (s->phase != ALERT_FIRING)
                        alerting_hold(a, i, false, NULL); /* it ended while silenced: nothing to tell */
                else
                        add(a, alerts, i, s->level ?: ALERT_LEVEL_WARN, true, wall_ms);
        }
        a->unhold_at = next_end(&a->silences, wall_ms);
}

static int restore_held(const char *key, const char *value, void *userdata) {
        Alerting *a = userdata;
        const char *name = key + strlen(HELD_KEY_PREFIX);
        for (size_t i = 0; i < a->rules.n; i++)
                if (strcmp(a->rules.rules[i].name, name) == 0 && a->states[i].phase == ALERT_FIRING) {
                        a->held[i] = true;
                        return 0;
                }
        (void) tsdb_state_del(a->store, key); /* a rule that went, or an alert that ended meanwhile */
        return 0;
}

void alerting_restore_held(Alerting *a) {
        if (a->store && a->held && tsdb_state_each(a->store, HELD_KEY_PREFIX, restore_held, a) < 0)
                log_warning("cannot read which alerts silences held back: those still firing are told when "
                            "they change or repeat");
        a->unhold_at = 0;
}

static void silence_bad(void *userdata, const char *path, const char *why) {
        log_warning("%s: not a silence, left out: %s (docs/monitor.md, Silences; skytune alerts silences lists the "
                    "ones in use)",
                    path, why);
}

void alerting_silences_refresh(Alerting *a) {
        if (!a->silence_dir[0])
                return;
        int r = silence_set_refresh(&a->silences, a->silence_dir, silence_bad, a);
        if (r > 0)
                a->unhold_at = 0;
        if (r < 0)
                log_error_errno(r, "%s: cannot read the silences: %m; the ones read before stay", a->silence_dir);
        else if (r > 0)
                log_info("%s: %zu silence%s read", a->silence_dir, a->silences.n, a->silences.n == 1 ? "" : "s");
}

void alerting_note(Alerting *a, json_t *alerts, size_t i, AlertEventKind ev, AlertLevel was, int64_t wall_ms) {
        const AlertState *s = &a->states[i];
        if (!a->notifier || !alerts)
                return;
        switch (ev) {
        case ALERT_EVENT_FIRING:
                a->fired_ms[i] = wall_ms;
                add(a, alerts, i, s->level, true, wall_ms);
                break;
        case ALERT_EVENT_LEVEL: /* the old severity ends as the new one starts */
                add(a, alerts, i, was, false, wall_ms);
                a->fired_ms[i] = wall_ms;
                add(a, alerts, i, s->level, true, wall_ms);
                break;
        case ALERT_EVENT_RESOLVED: add(a, alerts, i, was, false, wall_ms); break;
        case ALERT_EVENT_FLAPPING: add(a, alerts, i, s->level ?: was, true, wall_ms); break;
        case ALERT_EVENT_SETTLED:
                if (s->phase == ALERT_FIRING)
                        add(a, alerts, i, s->level, true, wall_ms);
                else
                        add(a, alerts, i, was, false, wall_ms);
                break;
        default: break;
        }
}

void alerting_repeat(Alerting *a, int64_t wall_ms, int64_t shift_ms) {
        if (!a->notifier || !notifier_repeat_due(a->notifier, wall_ms))
                return;
        json_t *alerts = json_array();
        for (size_t i = 0; alerts && i < a->rules.n; i++) {
                const AlertState *s = &a->states[i];
                /* A flapping alert too: its changes are not told, but it is still firing (an
                 * Alertmanager would otherwise resolve it when its endsAt passes). */
                if (s->phase != ALERT_FIRING)
                        continue;
                if (a->fired_ms[i] <= 0) /* restored after a restart */
                        a->fired_ms[i] = s->since_ms + shift_ms;
                add(a, alerts, i, s->level ?: ALERT_LEVEL_WARN, true, wall_ms);
        }
        bool any = alerts && json_array_size(alerts) > 0;
        json_t *group = alerts ? json_pack("{s:o}", "alerts", alerts) : NULL;
        /* With nothing firing the repeat clocks move on all the same. */
        notifier_repeat(a->notifier, any ? group : NULL, wall_ms);
        json_decref(group);
}
