/* SPDX-License-Identifier: MIT */
/* The daemon's notifications at work (docs/monitor.md, Notifications): each change of the alerts
 * is put in the store's queue (tsdb_queue_push) of every notifier, at once, and sent from there
 * in order, one at a time per notifier, so that a receiver that is down for an hour gets
 * everything when it is back, a restart (kill -9 included) loses nothing queued, and sampling
 * never waits on a network call. A failed try is tried again after 1 s, 2 s, 4 s ... up to
 * backoff_max, or after the receiver's Retry-After; an answer that says the message itself is
 * wrong (HTTP 4xx, SMTP 5xx) gives it up, logged; so does max_age. Firing alerts are told again
 * every `repeat` of the notifier while nothing else waits in its queue. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "notify-config.h"
#include "tsdb.h"

typedef struct Notifier Notifier;

typedef struct NotifierStats {
        uint64_t queued, sent, retried, refused, expired, dropped; /* dropped: the queue was full or the store failed */
        int64_t waiting;                                           /* in the queues now */
} NotifierStats;

int notifier_new(sd_event *event, struct tsdb *store, Notifier **ret);
Notifier *notifier_free(Notifier *n);
/* The notifiers to use (at start and on reload; *c is taken): a notifier that stays by name keeps
 * its queue and its try in flight, the queues of notifiers that went are removed. */
void notifier_configure(Notifier *n, NotifyConfig *c);
/* Queues group ({"alerts": [...]}, notify-group.h) for every notifier (resolved alerts left out
 * for those with send_resolved false). */
void notifier_push(Notifier *n, const json_t *group);
/* Whether some notifier is due to be told the firing alerts again at now_ms. */
bool notifier_repeat_due(const Notifier *n, int64_t now_ms);
/* firing (a group of every firing alert) to each notifier that is due; NULL (none fires) moves
 * their repeat clocks only. */
void notifier_repeat(Notifier *n, const json_t *firing, int64_t now_ms);
void notifier_stats(const Notifier *n, NotifierStats *ret);
/* {receiver: notifications waiting in its queue}, for /api/v1/health: NULL on ENOMEM or a store error. */
json_t *notifier_queues(const Notifier *n);
/* The host's name, the alerts' instance label. */
const char *notifier_instance(const Notifier *n);
