/* SPDX-License-Identifier: MIT */
/* Alert events as notifications (alerting.c's half of notifier.h): each event of an evaluation
 * becomes alerts of one group (notify-group.h), and the firing alerts are told again when a
 * notifier's repeat is due. */
#pragma once

#include <jansson.h>

#include "alerting.h"

/* The alerts that event ev of rule i (its level before: was) means, appended to alerts; wall_ms
 * the tick's time. */
void alerting_note(Alerting *a, json_t *alerts, size_t i, AlertEventKind ev, AlertLevel was, int64_t wall_ms);
/* Every firing alert to the notifiers whose repeat is due. shift_ms: the wall clock minus the
 * states' clock. */
void alerting_repeat(Alerting *a, int64_t wall_ms, int64_t shift_ms);
/* The silences read again when their directory changed (files that are no silence are logged). */
void alerting_silences_refresh(Alerting *a);
/* The firing alerts a silence held back and none holds now (it ended, or was ended), appended to
 * alerts so that they are told. */
void alerting_unhold(Alerting *a, json_t *alerts, int64_t wall_ms);
/* Whether a silence (by, when held) holds rule i's notifications back; kept in the store under
 * "held/NAME". */
void alerting_hold(Alerting *a, size_t i, bool held, const Silence *by);
/* After alerting_restore: the alerts a silence held back before the restart, still firing. */
void alerting_restore_held(Alerting *a);
