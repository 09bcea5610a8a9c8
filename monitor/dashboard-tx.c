/* SPDX-License-Identifier: MIT */
/* The dashboard document's transactions: the helper's list (skytune.txlist/1) reduced to what a
 * marker needs, its time and its verdict (the decision of apply --verify and its primary metric's
 * verdict when it was verified, else its state). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dashboard-doc.h"
#include "json-util.h"
#include "time-util.h"

static const char *primary_verdict(const json_t *verification) {
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(verification, "metrics"), i, m)
                if (json_is_true(json_object_get(m, "primary")))
                        return jstr(m, "verdict");
        return NULL;
}

static json_t *entry(const json_t *tx, int64_t t_ms) {
        const json_t *v = json_object_get(tx, "verification");
        const char *decision = jstr(v, "decision"), *verdict = primary_verdict(v), *state = jstr_or(tx, "state", "?");
        char label[96];
        if (decision)
                snprintf(label, sizeof(label), "%s%s%s", decision, verdict ? ": " : "", verdict ? verdict : "");
        else
                snprintf(label, sizeof(label), "%s", state);
        return json_pack("{s:s, s:I, s:s, s:s, s:I}", "id", jstr_or(tx, "id", "?"), "t_ms", (json_int_t) t_ms, "state",
                         state, "verdict", label, "changes",
                         (json_int_t) json_integer_value(json_object_get(tx, "changes")));
}

int dashboard_doc_transactions(json_t *doc, const json_t *txlist, const char *note) {
        json_t *list = json_array();
        if (!list || json_object_set_new(doc, "transactions", list) < 0)
                return -ENOMEM;
        if (!txlist)
                return json_object_set_new(doc, "transactions_note", json_string(note ? note : "no transactions")) < 0
                        ? -ENOMEM
                        : 0;
        int64_t from = json_integer_value(json_object_get(doc, "from_ms")),
                to = json_integer_value(json_object_get(doc, "to_ms"));
        size_t i;
        json_t *tx;
        json_array_foreach(json_object_get(txlist, "transactions"), i, tx) {
                uint64_t usec;
                const char *created = jstr(tx, "created");
                if (!created || time_parse_iso8601(created, &usec) < 0)
                        continue;
                int64_t t_ms = (int64_t) (usec / 1000);
                if (t_ms < from || t_ms >= to)
                        continue;
                json_t *e = entry(tx, t_ms);
                if (!e || json_array_append_new(list, e) < 0)
                        return -ENOMEM;
        }
        return 0;
}
