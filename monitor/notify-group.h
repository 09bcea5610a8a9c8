/* SPDX-License-Identifier: MIT */
/* What a notification carries (docs/monitor.md, Notifications): the alerts that changed in one
 * evaluation, as the queue keeps them, `{"alerts": [ALERT, ...]}`, each ALERT in Alertmanager's
 * terms: status "firing" or "resolved", labels (alertname, severity "warning" or "critical",
 * instance, and the rule's own), annotations (the rule's, with their values filled in, and
 * "value"), startsAt, endsAt (resolved ones), and a fingerprint of the labels. A rule whose level
 * changes is the old severity resolved and the new one firing, so that critical replaces warning
 * for the same rule and labels wherever the alerts go. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "alert-rule.h"

typedef struct NotifyAlert {
        const AlertRule *rule;
        AlertLevel level;
        bool firing;
        bool flapping;
        double value;
        int64_t starts_ms, ends_ms; /* on the wall clock; ends_ms for resolved alerts */
        const char *instance;       /* the host's name */
} NotifyAlert;

/* One ALERT: NULL on ENOMEM. */
json_t *notify_alert_json(const NotifyAlert *a);
/* 16 hex digits of FNV-1a over the labels in name order ("name\xffvalue\xff..."), as stable as the
 * labels. */
void notify_fingerprint(const json_t *labels, char ret[17]);
/* "2026-12-04T23:40:00.000Z". */
void notify_time(int64_t ms, char ret[32]);
