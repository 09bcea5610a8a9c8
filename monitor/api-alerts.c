/* SPDX-License-Identifier: MIT */
/* GET /api/v1/alerts (api.h): each rule that is pending or firing ("resolving" while it keeps
 * firing after its condition ended), with its level, since when (wall clock), its last value and
 * labels; with history=1 the store's events (tsdb_event_each), the newest API_EVENTS_MAX. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "api-args.h"
#include "api.h"
#include "safe-text.h"
#include "schema.h"
#include "tsdb.h"

static json_t *number_or_null(double v) {
        return isfinite(v) ? json_real(v) : json_null();
}

static const char *state_name(const AlertState *st) {
        if (st->phase == ALERT_PENDING)
                return "pending";
        if (st->phase != ALERT_FIRING)
                return NULL;
        return st->cleared_ms == ALERT_NOT_CLEARED ? "firing" : "resolving";
}

static json_t *active(const ApiAlerts *a) {
        json_t *list = json_array();
        for (size_t i = 0; list && i < a->rules->n; i++) {
                const AlertRule *rule = &a->rules->rules[i];
                const AlertState *st = &a->states[i];
                const char *state = state_name(st);
                if (!state)
                        continue;
                json_t *labels = json_object();
                for (size_t l = 0; labels && l < rule->n_labels; l++)
                        json_object_set_new(labels, rule->labels[l].name, json_text(rule->labels[l].value));
                json_t *e = json_pack("{sssssssIsoso}", "name", rule->name, "severity", alert_level_name(st->level),
                                      "state", state, "since", (json_int_t) (st->since_ms + a->shift_ms), "value",
                                      number_or_null(st->value), "labels", labels);
                if (!e || json_array_append_new(list, e) < 0) {
                        json_decref(list);
                        return NULL;
                }
        }
        return list;
}

typedef struct History {
        json_t *events;
        bool truncated;
} History;

static int add_event(const struct tsdb_event *ev, void *userdata) {
        History *h = userdata;
        if (json_array_size(h->events) == API_EVENTS_MAX) {
                json_array_remove(h->events, 0);
                h->truncated = true;
        }
        json_t *e = json_pack("{sIssssssso}", "t", (json_int_t) ev->t_ms, "name", ev->name, "event", ev->event, "level",
                              ev->level, "value", number_or_null(ev->value));
        return e && json_array_append_new(h->events, e) == 0 ? 0 : -ENOMEM;
}

int api_alerts(const ApiSource *s, const ApiAlerts *a, HttpRequest *r, char **ret, size_t *ret_len) {
        static const char *const keys[] = { "history", "since", NULL };
        int k = api_known_args(r, keys, "history=1, since=T");
        const char *history = http_request_arg(r, "history", 0);
        if (k >= 0 && history && strcmp(history, "0") != 0 && strcmp(history, "1") != 0)
                k = http_request_refuse(r, "history", "neither 0 nor 1", "history=1 (or 0)");
        int64_t since = 0;
        if (k >= 0)
                k = api_time_arg(r, "since", s->now_ms, s->now_ms - 24 * 3600000, &since);
        if (k < 0)
                return k;
        json_t *doc = json_pack("{sssIso}", "schema", MONITOR_API_ALERTS_SCHEMA, "t", (json_int_t) s->now_ms, "alerts",
                                active(a));
        if (!doc)
                return -ENOMEM;
        if (history && strcmp(history, "1") == 0) {
                History h = { .events = json_array() };
                k = h.events ? 0 : -ENOMEM;
                if (k >= 0 && s->store)
                        k = tsdb_event_each(s->store, since, s->now_ms + 1, NULL, add_event, &h);
                if (k >= 0 &&
                    (json_object_set_new(doc, "history", h.events) < 0 ||
                     json_object_set_new(doc, "truncated", json_boolean(h.truncated)) < 0))
                        k = -ENOMEM;
                else if (k < 0)
                        json_decref(h.events);
        }
        if (k < 0) {
                json_decref(doc);
                return k;
        }
        return api_body(doc, ret, ret_len);
}
