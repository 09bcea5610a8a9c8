/* SPDX-License-Identifier: MIT */
/* GET /api/v1/health (api.h): one word for a check ("status": ok, degraded, failing) and the parts
 * it comes from, so that a probe reads one field and a person sees which part is wrong. */
#include <errno.h>
#include <string.h>

#include "api-args.h"
#include "api.h"
#include "collector-up.h"
#include "schema.h"

enum { OK, DEGRADED, FAILING };

static json_t *collectors(const ApiSource *s, int *worst) {
        CollectorNewest c[COLLECTORS_MAX];
        size_t n = collectors_newest(s->ring, c);
        json_t *o = json_object();
        for (size_t i = 0; o && i < n; i++) {
                bool up = c[i].newest_ms >= s->tick_ms - s->stale_ms;
                if (!up && *worst < DEGRADED)
                        *worst = DEGRADED;
                json_object_set_new(o, c[i].name, json_pack("{sbsI}", "up", up, "last", (json_int_t) c[i].newest_ms));
        }
        return o;
}

static json_t *part(const char *error, int level, int *worst) {
        if (error && *worst < level)
                *worst = level;
        return json_pack("{sbso}", "ok", !error, "error", error ? json_string(error) : json_null());
}

static json_t *database(const ApiSource *s, const ApiHealth *h, int *worst) {
        if (!h->db)
                return json_null();
        int64_t t;
        double v;
        bool up = ring_last(s->ring, "monitor.db.up", &t, &v) == 0 && v == 1 && t >= s->tick_ms - s->stale_ms;
        if (!up && *worst < DEGRADED)
                *worst = DEGRADED;
        return json_pack("{sb}", "up", up);
}

int api_health(const ApiSource *s, const ApiHealth *h, HttpRequest *r, char **ret, size_t *ret_len) {
        static const char *const keys[] = { NULL };
        int k = api_known_args(r, keys, "no arguments");
        if (k < 0)
                return k;
        static const char *const words[] = { "ok", "degraded", "failing" };
        int worst = OK;
        bool ticking = s->tick_ms > 0 && s->tick_ms >= s->now_ms - s->stale_ms;
        if (!ticking)
                worst = FAILING;
        json_t *store = json_pack("{soso}", "write", part(h->store_error, FAILING, &worst), "seal",
                                  part(h->seal_error, DEGRADED, &worst));
        json_t *parts = collectors(s, &worst), *db = database(s, h, &worst);
        json_t *queues = h->queues ? json_incref(h->queues) : json_object();
        json_t *doc = json_pack("{sssssIsbsosososo}", "schema", MONITOR_HEALTH_SCHEMA, "status", words[worst], "t",
                                (json_int_t) s->now_ms, "ticking", ticking, "collectors", parts, "store", store,
                                "database", db, "notify_queues", queues);
        return api_body(doc, ret, ret_len);
}
