/* SPDX-License-Identifier: MIT */
/* Alert events as notifications (alerting-notify.h). */
#include <stdlib.h>

#include "alerting-notify.h"
#include "notifier.h"
#include "notify-group.h"

static void add(Alerting *a, json_t *alerts, size_t i, AlertLevel level, bool firing, int64_t wall_ms) {
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
        if (!j || json_array_append_new(alerts, j) < 0)
                a->notify_lost++;
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
