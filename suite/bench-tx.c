/* SPDX-License-Identifier: MIT */
/* A run's active skytune transactions and their differences between runs (bench-tx.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench-tx.h"
#include "json-util.h"
#include "schema.h"

static bool is_active(const json_t *tx) {
        return jstreq(tx, "state", "applied") || jstreq(tx, "state", "partially-rolled-back");
}

json_t *bench_tx_active(const json_t *txlist) {
        const json_t *txs = json_object_get(txlist, "transactions");
        if (!jstreq(txlist, "schema", TXLIST_SCHEMA) || !json_is_array(txs))
                return NULL;
        json_t *out = json_array();
        size_t i;
        const json_t *tx;
        json_array_foreach(txs, i, tx) {
                if (!out)
                        break;
                if (!jstr(tx, "id") || !is_active(tx))
                        continue;
                if (json_array_append_new(out,
                                          json_pack("{s:O, s:O, s:O*}", "id", json_object_get(tx, "id"), "state",
                                                    json_object_get(tx, "state"), "applied",
                                                    json_object_get(tx, "created"))) < 0) {
                        json_decref(out);
                        out = NULL;
                }
        }
        return out;
}

int bench_tx_add_tunables(json_t *entry, const json_t *tx) {
        json_t *names = json_array();
        size_t i;
        const json_t *c;
        json_array_foreach(json_object_get(tx, "changes"), i, c) {
                if (!names || json_array_size(names) >= BENCH_TX_MAX_TUNABLES)
                        break;
                if (!jstreq(c, "status", "applied") || !jstr(c, "key"))
                        continue;
                char buf[512];
                snprintf(buf, sizeof(buf), "%s=%s", jstr(c, "key"), jstr_or(c, "new", "?"));
                if (json_array_append_new(names, json_string(buf)) < 0) {
                        json_decref(names);
                        names = NULL;
                }
        }
        return names && json_object_set_new(entry, "tunables", names) == 0 ? 0 : -ENOMEM;
}

static bool has_id(const json_t *set, const json_t *id) {
        size_t i;
        const json_t *t;
        json_array_foreach(set, i, t)
                if (json_equal(json_object_get(t, "id"), id))
                        return true;
        return false;
}

/* The entries of a whose id b has not, copied. */
static json_t *missing(const json_t *a, const json_t *b) {
        json_t *out = json_array();
        size_t i;
        const json_t *t;
        json_array_foreach(a, i, t)
                if (out && !has_id(b, json_object_get(t, "id")) && json_array_append(out, (json_t *) t) < 0) {
                        json_decref(out);
                        out = NULL;
                }
        return out;
}

json_t *bench_tx_diff(const json_t *before, const json_t *after) {
        if (!json_is_array(before) || !json_is_array(after))
                return json_null();
        return json_pack("{s:o, s:o}", "applied", missing(after, before), "rolled_back", missing(before, after));
}

bool bench_tx_changed(const json_t *diff) {
        return json_array_size(json_object_get(diff, "applied")) +
                json_array_size(json_object_get(diff, "rolled_back")) >
                0;
}
