/* SPDX-License-Identifier: MIT */
/* skytune.dashboard/1 from the store (dashboard-doc.h): the panels' series read at the range's step,
 * from the rollups where the step is a whole minute or hour (store/tsdb-query.c). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dashboard-doc.h"
#include "macro.h"
#include "schema.h"
#include "time-util.h"

/* Lines per panel: beyond this a chart is unreadable (a host of 64 CPUs shows its first 16). */
#define PANEL_MAX_SERIES 16

int64_t dashboard_step(int64_t span_ms) {
        if (span_ms <= 15 * TSDB_MINUTE_MS)
                return 1000;
        return span_ms <= 2 * TSDB_DAY_MS ? TSDB_MINUTE_MS : TSDB_HOUR_MS;
}

int dashboard_range(int64_t span_ms, int64_t until_ms, int64_t now_ms, DashboardRange *ret) {
        if (span_ms <= 0 || until_ms < 0)
                return -EINVAL;
        int64_t step = dashboard_step(span_ms), to = until_ms + (step - until_ms % step) % step;
        int64_t from = to - span_ms < 0 ? 0 : to - span_ms;
        *ret = (DashboardRange) { from - from % step, to, step, now_ms };
        return 0;
}

typedef struct Known {
        char *name;
        int64_t id;
        int scale;
} Known;

typedef struct KnownList {
        Known *v;
        size_t n;
} KnownList;

static int keep(int64_t id, const char *name, int scale, void *userdata) {
        KnownList *l = userdata;
        Known *more = realloc(l->v, (l->n + 1) * sizeof(Known));
        if (!more)
                return -ENOMEM;
        l->v = more;
        l->v[l->n] = (Known) { strdup(name), id, scale };
        if (!l->v[l->n].name)
                return -ENOMEM;
        l->n++;
        return 0;
}

static json_t *points(const struct tsdb_bucket *b, size_t n, int scale) {
        json_t *a = json_array();
        double d = pow(10, scale);
        for (size_t i = 0; a && i < n; i++)
                if (json_array_append_new(a,
                                          json_pack("[I, f, f, f, I]", (json_int_t) b[i].t, (double) b[i].min / d,
                                                    b[i].avg / d, (double) b[i].max / d, (json_int_t) b[i].count)) <
                    0) {
                        json_decref(a);
                        return NULL;
                }
        return a;
}

/* One series' points over the range into series (an array of {"name", "points"}). */
static int add_series(struct tsdb *t, const DashboardRange *r, const Known *k, json_t *series) {
        struct tsdb_bucket *b = NULL;
        size_t n = 0;
        int q = tsdb_query_array(t, k->id, r->from_ms, r->to_ms, r->step_ms, 0, &b, &n);
        if (q < 0)
                return q;
        json_t *p = points(b, n, k->scale);
        free(b);
        if (!p)
                return -ENOMEM;
        return json_array_append_new(series, json_pack("{s:s, s:o}", "name", k->name, "points", p)) < 0 ? -ENOMEM : 0;
}

static int add_panel(struct tsdb *t, const DashboardRange *r, const DashboardPanel *p, const KnownList *l,
                     json_t *panels, json_t *series) {
        json_t *names = json_array();
        if (!names ||
            json_array_append_new(panels,
                                  json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", p->id, "title", p->title, "unit",
                                            p->unit, "missing", p->missing, "series", names)) < 0)
                return -ENOMEM;
        int q = 0;
        /* Pattern by pattern, so that a panel's lines come in the order its table entry names them. */
        for (const char *const *pat = p->patterns; q == 0 && *pat; pat++)
                for (size_t i = 0; q == 0 && i < l->n && json_array_size(names) < PANEL_MAX_SERIES; i++)
                        if (dashboard_match(*pat, l->v[i].name)) {
                                q = add_series(t, r, &l->v[i], series);
                                if (q == 0 && json_array_append_new(names, json_string(l->v[i].name)) < 0)
                                        q = -ENOMEM;
                        }
        return q;
}

static json_t *spans(void) {
        json_t *a = json_array();
        for (size_t i = 0; a && i < dashboard_n_spans; i++)
                if (json_array_append_new(a,
                                          json_pack("{s:s, s:I}", "name", dashboard_spans[i].name, "span_ms",
                                                    (json_int_t) dashboard_spans[i].ms)) < 0) {
                        json_decref(a);
                        return NULL;
                }
        return a;
}

static json_t *head(const DashboardRange *r, const char *host) {
        char now[ISO8601_USEC_SIZE];
        time_format_iso8601((uint64_t) r->now_ms * 1000u, now);
        return json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:n, s:b, s:o, s:[], s:[]}", "schema", DASHBOARD_SCHEMA,
                         "host", host ? host : "-", "now", now, "now_ms", (json_int_t) r->now_ms, "from_ms",
                         (json_int_t) r->from_ms, "to_ms", (json_int_t) r->to_ms, "step_ms", (json_int_t) r->step_ms,
                         "served_on", "live", false, "ranges", spans(), "panels", "series");
}

static int64_t room(int64_t span_ms) {
        int64_t step = dashboard_step(span_ms);
        return span_ms > DASHBOARD_LIVE_MAX_MS ? 0 : MAX(step, span_ms / 12 - span_ms / 12 % step);
}

int dashboard_range_served(int64_t span_ms, int64_t now_ms, DashboardRange *ret) {
        return dashboard_range(span_ms, now_ms + room(span_ms), now_ms, ret);
}

int dashboard_doc_served(json_t *doc, const char *url) {
        int64_t from = json_integer_value(json_object_get(doc, "from_ms")),
                to = json_integer_value(json_object_get(doc, "to_ms"));
        int64_t span = to - from, slide = room(span);
        bool live = span <= DASHBOARD_LIVE_MAX_MS && slide > 0;
        /* The page slides its own axes by the room when its points reach the end; the whole page, which
         * costs the daemon tens of ms, is fetched again once a span (docs/dashboard.md, Figures). */
        if (json_object_set_new(doc, "served_on", json_string(url)) < 0 ||
            json_object_set_new(doc, "live", json_boolean(live)) < 0 ||
            (live &&
             (json_object_set_new(doc, "refresh_ms", json_integer(MAX(span, 60000))) < 0 ||
              json_object_set_new(doc, "slide_ms", json_integer(slide)) < 0)))
                return -ENOMEM;
        return 0;
}

int dashboard_doc_build(struct tsdb *t, const DashboardRange *r, const char *host, json_t **ret) {
        *ret = NULL;
        KnownList l = { 0 };
        json_t *doc = head(r, host);
        int q = doc ? tsdb_series_each(t, keep, &l) : -ENOMEM;
        for (size_t i = 0; q == 0 && i < dashboard_n_panels; i++)
                q = add_panel(t, r, &dashboard_panels[i], &l, json_object_get(doc, "panels"),
                              json_object_get(doc, "series"));
        if (q == 0)
                q = dashboard_doc_alerts(t, r, doc);
        for (size_t i = 0; i < l.n; i++)
                free(l.v[i].name);
        free(l.v);
        if (q < 0) {
                json_decref(doc);
                return q;
        }
        *ret = doc;
        return 0;
}
