/* SPDX-License-Identifier: MIT */
/* GET /api/v1/transactions (api.h): the helper's transaction summaries (docs/helper.md,
 * skytune.txlist/1) as markers: when, what state, how many changes, and the verdict of apply
 * --verify where the helper keeps one. No helper (not installed, no system bus, a timeout) is an
 * answer too: an empty list, "available": false and why. */
#include <errno.h>
#include <string.h>

#include "api-args.h"
#include "api.h"
#include "schema.h"
#include "time-util.h"

int api_transactions_args(const ApiSource *s, HttpRequest *r, int64_t *ret_since) {
        static const char *const keys[] = { "since", NULL };
        int k = api_known_args(r, keys, "since=T");
        return k < 0 ? k : api_time_arg(r, "since", s->now_ms, 0, ret_since);
}

static const char *const kept[] = { "id", "state", "created", "updated", "persist", "changes", "applied", "failures" };

/* One marker from a summary: NULL when it has no readable "created" (or no memory). */
static json_t *marker(const json_t *tx, int64_t since) {
        uint64_t usec;
        const char *created = json_string_value(json_object_get(tx, "created"));
        if (!created || time_parse_iso8601(created, &usec) < 0 || (int64_t) (usec / 1000) < since)
                return NULL;
        json_t *m = json_pack("{sI}", "t", (json_int_t) (usec / 1000));
        for (size_t i = 0; m && i < sizeof(kept) / sizeof(kept[0]); i++) {
                json_t *v = json_object_get(tx, kept[i]);
                if (v)
                        json_object_set(m, kept[i], v);
        }
        const json_t *ver = json_object_get(tx, "verification");
        if (m && json_is_object(ver))
                json_object_set_new(m, "verification",
                                    json_pack("{sOsO}", "decision", json_object_get(ver, "decision") ?: json_null(),
                                              "primary_regressed",
                                              json_object_get(ver, "primary_regressed") ?: json_null()));
        return m;
}

int api_transactions(const ApiSource *s, const json_t *txlist, const char *why, HttpRequest *r, char **ret,
                     size_t *ret_len) {
        int64_t since;
        int k = api_transactions_args(s, r, &since);
        if (k < 0)
                return k;
        json_t *list = json_array(), *tx;
        size_t i;
        json_array_foreach(json_object_get(txlist, "transactions"), i, tx) {
                json_t *m = marker(tx, since);
                if (m && json_array_append_new(list, m) < 0)
                        k = -ENOMEM;
        }
        json_t *doc = json_pack("{sssIsbso}", "schema", MONITOR_TRANSACTIONS_SCHEMA, "t", (json_int_t) s->now_ms,
                                "available", txlist != NULL, "transactions", list);
        if (doc && !txlist && json_object_set_new(doc, "why", json_string(why ?: "unknown")) < 0)
                k = -ENOMEM;
        if (k < 0) {
                json_decref(doc);
                return k;
        }
        return api_body(doc, ret, ret_len);
}
