/* SPDX-License-Identifier: MIT */
/* The dashboard document's alerts: the states the monitor keeps ("alert/NAME" records, as
 * `skytune alerts` reads them) and the events of the range (the alert history). */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "alert-state.h"
#include "dashboard-doc.h"
#include "json-util.h"

typedef struct Ctx {
        json_t *list;
        int64_t now_ms;
} Ctx;

static int add_state(const char *key, const char *value, void *userdata) {
        Ctx *c = userdata;
        AlertState s;
        alert_state_init(&s);
        if (alert_state_from_text(value, c->now_ms, &s) < 0)
                return 0; /* a record this version cannot read is left out, as `skytune alerts` does */
        json_t *a = json_pack("{s:s, s:s, s:s, s:I, s:o, s:b}", "name", key + strlen("alert/"), "state",
                              alert_phase_name(s.phase), "level", alert_level_name(s.level), "since_ms",
                              (json_int_t) s.since_ms, "value", json_num(s.value), "flapping", s.flapping);
        return a && json_array_append_new(c->list, a) == 0 ? 0 : -ENOMEM;
}

static int add_event(const struct tsdb_event *ev, void *userdata) {
        json_t *e = json_pack("{s:I, s:s, s:s, s:s, s:o}", "t_ms", (json_int_t) ev->t_ms, "name", ev->name, "event",
                              ev->event, "level", ev->level, "value", json_num(ev->value));
        return e && json_array_append_new(userdata, e) == 0 ? 0 : -ENOMEM;
}

int dashboard_doc_alerts(struct tsdb *t, const DashboardRange *r, json_t *doc) {
        Ctx c = { json_array(), r->now_ms };
        json_t *events = json_array();
        if (!c.list || !events || json_object_set_new(doc, "alerts", c.list) < 0 ||
            json_object_set_new(doc, "alert_events", events) < 0)
                return -ENOMEM;
        int q = tsdb_state_each(t, "alert/", add_state, &c);
        return q < 0 ? q : tsdb_event_each(t, r->from_ms, r->to_ms, NULL, add_event, events);
}
