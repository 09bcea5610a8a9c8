/* SPDX-License-Identifier: MIT */
/* The notifications' queue at work (notifier.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "notifier.h"
#include "notify-kind.h"
#include "notify-send.h"
#include "time-util.h"

/* A failing notifier is logged at its first failure, then at most this often, and when it works again. */
#define FAIL_LOG_MS (5 * 60 * 1000)

typedef struct Flight Flight;

typedef struct Receiver {
        char *name;
        const NotifierConf *conf; /* in Notifier.cfg */
        Flight *flight;           /* the try in flight, NULL: none */
        int failing;              /* tries that failed in a row */
        int64_t fail_log_ms;      /* -1: not logged */
        int64_t refuse_log_ms;    /* the same for refused notifications */
        uint64_t refused_unlogged;
        int64_t told_ms; /* when the alerts were last queued for it */
} Receiver;

/* A try in flight, found again by the receiver's name when it ends (a reload may come between; a
 * receiver dropped and named again in between has no flight, so the old one's end is ignored). */
struct Flight {
        Notifier *n;
        char name[NOTIFY_NAME_MAX + 1];
        int64_t id, created_ms;
        int attempts;
};

struct Notifier {
        sd_event *event;
        struct tsdb *store;
        NotifyConfig cfg;
        Receiver *recv;
        size_t n_recv;
        NotifySender *sender;
        sd_event_source *wake;
        NotifierStats stats;
        int64_t store_log_ms;
        char instance[256];
};

static int64_t now_ms(void) {
        return (int64_t) (time_now_realtime_usec() / 1000u);
}

static Receiver *find(Notifier *n, const char *name) {
        for (size_t i = 0; i < n->n_recv; i++)
                if (strcmp(n->recv[i].name, name) == 0)
                        return &n->recv[i];
        return NULL;
}

static void store_failed(Notifier *n, int r, const char *what) {
        int64_t now = now_ms();
        if (n->store_log_ms >= 0 && now - n->store_log_ms < FAIL_LOG_MS)
                return;
        n->store_log_ms = now;
        log_error_errno(r, "notifications: cannot %s in the store: %m", what);
}

static void pump(Notifier *n);

static void retry_at(Notifier *n, int64_t due_ms) {
        int64_t wait = MAX(due_ms - now_ms(), 0);
        uint64_t mono, at;
        sd_event_now(n->event, CLOCK_MONOTONIC, &mono);
        at = mono + (uint64_t) wait * 1000u;
        uint64_t cur;
        int enabled;
        if (sd_event_source_get_enabled(n->wake, &enabled) >= 0 && enabled != SD_EVENT_OFF &&
            sd_event_source_get_time(n->wake, &cur) >= 0 && cur <= at)
                return;
        (void) sd_event_source_set_time(n->wake, at);
        (void) sd_event_source_set_enabled(n->wake, SD_EVENT_ONESHOT);
}

/* A try that failed: again after the backoff, or the receiver's Retry-After (at least 1 s, so that
 * "Retry-After: 0" cannot spin the loop); logged at once, then at most every FAIL_LOG_MS. */
static int64_t failed_try(Notifier *n, Receiver *r, int64_t id, int attempts, int64_t retry_after_ms,
                          const char *detail) {
        int64_t now = now_ms();
        int64_t wait = retry_after_ms >= 0 ? MAX(retry_after_ms, 1000)
                                           : notify_backoff_ms(attempts + 1, n->cfg.backoff_max_ms);
        n->stats.retried++;
        r->failing++;
        int q = tsdb_queue_retry(n->store, id, attempts + 1, now + wait);
        if (q < 0)
                store_failed(n, q, "update the queue");
        if (r->fail_log_ms < 0 || now - r->fail_log_ms >= FAIL_LOG_MS) {
                r->fail_log_ms = now;
                int64_t waiting = 0;
                (void) tsdb_queue_count(n->store, r->name, &waiting);
                log_warning("notifier %s: cannot deliver (%s); tried %d time%s, again in %.1f s%s; %" PRId64
                            " notification%s wait in its queue",
                            r->name, detail, attempts + 1, attempts ? "s" : "", (double) wait / 1000,
                            retry_after_ms >= 0 ? " (its Retry-After)" : "", waiting, waiting == 1 ? "" : "s");
        }
        return now + wait;
}

/* A notification that cannot go as it is (refused by the receiver, unreadable in the store, past
 * max_age): removed, logged at once and then at most every FAIL_LOG_MS with the count between. */
static void give_up(Notifier *n, Receiver *r, int64_t id, const char *why) {
        int64_t now = now_ms();
        int q = tsdb_queue_del(n->store, id);
        if (q < 0)
                store_failed(n, q, "update the queue");
        if (r->refuse_log_ms >= 0 && now - r->refuse_log_ms < FAIL_LOG_MS) {
                r->refused_unlogged++;
                return;
        }
        if (r->refused_unlogged)
                log_error("notifier %s: %s; it is given up (and %" PRIu64 " more since the last such message)", r->name,
                          why, r->refused_unlogged);
        else
                log_error("notifier %s: %s; it is given up", r->name, why);
        r->refuse_log_ms = now;
        r->refused_unlogged = 0;
}

static void on_done(void *userdata, const NotifyResult *res) {
        Flight *f = userdata;
        Notifier *n = f->n;
        Receiver *r = res->abandoned ? NULL : find(n, f->name);
        if (!r || r->flight != f) { /* abandoned, or its receiver went: its queue is gone */
                free(f);
                return;
        }
        r->flight = NULL;
        if (res->outcome == NOTIFY_SENT) {
                n->stats.sent++;
                int q = tsdb_queue_del(n->store, f->id);
                if (q < 0)
                        store_failed(n, q, "update the queue");
                if (r->failing)
                        log_notice("notifier %s: delivers again (after %d failed tr%s)", r->name, r->failing,
                                   r->failing == 1 ? "y" : "ies");
                r->failing = 0;
                r->fail_log_ms = -1;
        } else if (res->outcome == NOTIFY_REFUSED) {
                n->stats.refused++;
                char why[400];
                snprintf(why, sizeof(why),
                         "the receiver refused a notification (%s): check the notifier's settings in the configuration",
                         res->detail);
                give_up(n, r, f->id, why);
        } else {
                failed_try(n, r, f->id, f->attempts, res->retry_after_ms, res->detail);
        }
        free(f);
        pump(n);
}

/* The next try of r's oldest notification, when it is due: 1 started, 0 nothing to do now, -EAGAIN
 * the head was given up (look at the next one). */
static int try_one(Notifier *n, Receiver *r, int64_t now, int64_t *next_due) {
        struct tsdb_queue_item it;
        int q = tsdb_queue_head(n->store, r->name, &it);
        if (q == -ENOENT)
                return 0;
        if (q < 0) {
                store_failed(n, q, "read the queue");
                return 0;
        }
        _cleanup_free_ char *body = it.body;
        /* A due time past any wait we set (the clock was set back) is due now. */
        if (it.due_ms > now && it.due_ms - now <= MAX(n->cfg.backoff_max_ms, 3600 * 1000)) {
                *next_due = MIN(*next_due, it.due_ms);
                return 0;
        }
        if (now - it.created_ms > n->cfg.max_age_ms) {
                n->stats.expired++;
                char why[200];
                snprintf(why, sizeof(why), "a notification queued %.0f min ago was not delivered in %.0f h (max_age)",
                         (double) (now - it.created_ms) / 60000, (double) n->cfg.max_age_ms / 3600000);
                give_up(n, r, it.id, why);
                return -EAGAIN;
        }
        json_t *group = json_loads(body, 0, NULL);
        /* Without alerts (a store edited by hand) or a body its kind cannot write, it would block the
         * queue for good. */
        char *text = json_array_size(json_object_get(group, "alerts")) > 0
                ? notify_kinds[r->conf->kind].body(r->conf, group, now)
                : NULL;
        json_decref(group);
        if (!text) {
                n->stats.refused++;
                give_up(n, r, it.id, "a queued notification cannot be read or written as its kind's message");
                return -EAGAIN;
        }
        Flight *f = calloc(1, sizeof(*f));
        if (!f) {
                free(text);
                return 0; /* no memory: the next push or wake-up tries again */
        }
        *f = (Flight) { .n = n, .id = it.id, .created_ms = it.created_ms, .attempts = it.attempts };
        snprintf(f->name, sizeof(f->name), "%s", r->name);
        Error e = ERROR_NULL;
        q = notify_send(n->sender, r->conf, text, on_done, f, &e);
        if (q < 0) {
                /* Cannot even start (no libcurl, fork failing): a failed try. */
                free(f);
                *next_due = MIN(*next_due, failed_try(n, r, it.id, it.attempts, -1, error_message(&e)));
                error_done(&e);
                return 0;
        }
        r->flight = f;
        return 1;
}

static void pump(Notifier *n) {
        int64_t now = now_ms(), next_due = INT64_MAX;
        for (size_t i = 0; i < n->n_recv; i++) {
                Receiver *r = &n->recv[i];
                /* Given-up items are removed and the next one looked at (bounded by the queue). */
                for (int k = 0; !r->flight && k < 1000 && try_one(n, r, now, &next_due) == -EAGAIN; k++)
                        ;
        }
        if (next_due != INT64_MAX)
                retry_at(n, next_due);
}

static int on_wake(sd_event_source *s, uint64_t usec, void *userdata) {
        pump(userdata);
        return 0;
}

int notifier_new(sd_event *event, struct tsdb *store, Notifier **ret) {
        Notifier *n = calloc(1, sizeof(*n));
        if (!n)
                return -ENOMEM;
        n->event = sd_event_ref(event);
        n->store = store;
        n->store_log_ms = -1;
        notify_config_defaults(&n->cfg);
        if (gethostname(n->instance, sizeof(n->instance) - 1) < 0)
                snprintf(n->instance, sizeof(n->instance), "localhost");
        int r = notify_sender_new(event, &n->sender);
        if (r >= 0)
                r = sd_event_add_time(event, &n->wake, CLOCK_MONOTONIC, UINT64_MAX, 1000, on_wake, n);
        if (r >= 0)
                r = sd_event_source_set_enabled(n->wake, SD_EVENT_OFF);
        if (r < 0) {
                notifier_free(n);
                return r;
        }
        *ret = n;
        return 0;
}

static void receivers_free(Receiver *recv, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(recv[i].name);
        free(recv);
}

Notifier *notifier_free(Notifier *n) {
        if (!n)
                return NULL;
        notify_sender_free(n->sender);
        sd_event_source_disable_unref(n->wake);
        receivers_free(n->recv, n->n_recv);
        notify_config_done(&n->cfg);
        sd_event_unref(n->event);
        free(n);
        return NULL;
}

void notifier_configure(Notifier *n, NotifyConfig *c) {
        Receiver *recv = calloc(c->n + 1, sizeof(Receiver));
        const char **keep = calloc(c->n + 1, sizeof(char *));
        if (!recv || !keep) {
                free(recv);
                free(keep);
                log_error("notifications: out of memory: keeping the notifiers in use");
                notify_config_done(c);
                return;
        }
        int64_t now = now_ms();
        for (size_t i = 0; i < c->n; i++) {
                Receiver *old = find(n, c->notifiers[i].name);
                recv[i] = old ? *old : (Receiver) { .fail_log_ms = -1, .refuse_log_ms = -1, .told_ms = now };
                recv[i].name = old ? TAKE_PTR(old->name) : strdup(c->notifiers[i].name);
                recv[i].conf = &c->notifiers[i];
                keep[i] = c->notifiers[i].name;
        }
        receivers_free(n->recv, n->n_recv);
        notify_config_done(&n->cfg);
        n->cfg = *c;
        notify_config_defaults(c);
        n->recv = recv;
        n->n_recv = n->cfg.n;
        int64_t gone = 0;
        int q = tsdb_queue_forget(n->store, keep, n->n_recv, &gone);
        free(keep);
        if (q < 0)
                store_failed(n, q, "remove the queues of notifiers that are gone");
        else if (gone > 0)
                log_notice("notifications: %" PRId64 " queued for notifiers no longer configured were removed", gone);
        for (size_t i = 0; i < n->n_recv; i++)
                if (!n->recv[i].name) {
                        log_error("notifications: out of memory");
                        n->n_recv = i;
                }
        pump(n);
}

/* group without its resolved alerts (NULL when none is left or on ENOMEM). */
static json_t *firing_only(const json_t *group) {
        json_t *alerts = json_array(), *a;
        size_t i;
        json_array_foreach(json_object_get(group, "alerts"), i, a)
                if (json_is_string(json_object_get(a, "status")) &&
                    strcmp(json_string_value(json_object_get(a, "status")), "firing") == 0)
                        json_array_append(alerts, a);
        if (json_array_size(alerts) == 0) {
                json_decref(alerts);
                return NULL;
        }
        return json_pack("{s:o}", "alerts", alerts);
}

static void push_one(Notifier *n, Receiver *r, const json_t *group, int64_t now) {
        json_t *own = r->conf->send_resolved ? json_incref((json_t *) group) : firing_only(group);
        if (!own)
                return;
        char *text = json_dumps(own, JSON_COMPACT);
        json_decref(own);
        int q = text ? tsdb_queue_push(n->store, r->name, now, text) : -ENOMEM;
        free(text);
        int64_t dropped = 0;
        if (q >= 0)
                q = tsdb_queue_trim(n->store, r->name, n->cfg.max_queue, &dropped);
        if (q < 0) {
                n->stats.dropped++;
                store_failed(n, q, "queue a notification");
                return;
        }
        n->stats.queued++;
        r->told_ms = now;
        if (dropped > 0) {
                n->stats.dropped += (uint64_t) dropped;
                log_warning("notifier %s: its queue is full (max_queue %" PRId64 "): the oldest %" PRId64 " dropped",
                            r->name, n->cfg.max_queue, dropped);
        }
}

void notifier_push(Notifier *n, const json_t *group) {
        int64_t now = now_ms();
        for (size_t i = 0; i < n->n_recv; i++)
                push_one(n, &n->recv[i], group, now);
        pump(n);
}

static bool repeat_due(const Notifier *n, const Receiver *r, int64_t now) {
        int64_t waiting = 0;
        return r->conf->repeat_ms > 0 && now - r->told_ms >= r->conf->repeat_ms && !r->flight &&
                tsdb_queue_count(n->store, r->name, &waiting) >= 0 && waiting == 0;
}

bool notifier_repeat_due(const Notifier *n, int64_t now_ms) {
        for (size_t i = 0; i < n->n_recv; i++)
                if (repeat_due(n, &n->recv[i], now_ms))
                        return true;
        return false;
}

void notifier_repeat(Notifier *n, const json_t *firing, int64_t now) {
        for (size_t i = 0; i < n->n_recv; i++)
                if (repeat_due(n, &n->recv[i], now)) {
                        if (firing)
                                push_one(n, &n->recv[i], firing, now);
                        n->recv[i].told_ms = now;
                }
        pump(n);
}

void notifier_stats(const Notifier *n, NotifierStats *ret) {
        *ret = n->stats;
        ret->waiting = 0;
        (void) tsdb_queue_count(n->store, NULL, &ret->waiting);
}

json_t *notifier_queues(const Notifier *n) {
        json_t *o = json_object();
        for (size_t i = 0; o && i < n->n_recv; i++) {
                int64_t waiting = 0;
                if (tsdb_queue_count(n->store, n->recv[i].name, &waiting) < 0 ||
                    json_object_set_new(o, n->recv[i].name, json_integer(waiting)) < 0) {
                        json_decref(o);
                        return NULL;
                }
        }
        return o;
}

const char *notifier_instance(const Notifier *n) {
        return n->instance;
}
