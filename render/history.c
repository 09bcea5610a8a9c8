/* SPDX-License-Identifier: MIT */
/* skytune.txlist/1 and skytune.tx/1 for people (skytune history): the list, oldest first, with each
 * apply --verify run folded into one entry, and one transaction with its changes and verdicts. */
#include <errno.h>
#include <string.h>

#include "macro.h"
#include "render-history.h"
#include "render-probe.h"
#include "render.h"

#define HISTORY_ID_WIDTH 31

/* "2026-11-27T08:10:11.123456Z" -> "2026-11-27 08:10:11" */
static const char *when(const json_t *o, const char *key, char *buf, size_t len) {
        const char *c = json_string_value(json_object_get(o, key));
        if (!c)
                return "-";
        snprintf(buf, len, "%.10s %.8s", c, strlen(c) > 11 ? c + 11 : "");
        return buf;
}

/* Round id -> id of the verified transaction that lists it among the rounds it switched through. */
static json_t *round_owners(const json_t *txs) {
        json_t *owners = json_object();
        size_t i, j;
        json_t *t, *ref;
        json_array_foreach(txs, i, t) {
                const char *own = json_string_value(json_object_get(t, "id"));
                json_array_foreach(json_object_get(json_object_get(t, "verification"), "transactions"), j, ref)
                        if (owners && own && json_is_string(ref) && strcmp(own, json_string_value(ref)) != 0)
                                json_object_set_new(owners, json_string_value(ref), json_string(own));
        }
        return owners;
}

static const json_t *find_tx(const json_t *txs, const char *id) {
        size_t i;
        json_t *t;
        json_array_foreach(txs, i, t)
                if (strcmp(strempty(json_string_value(json_object_get(t, "id"))), id) == 0)
                        return t;
        return NULL;
}

static void print_row(FILE *f, const json_t *t, const char *indent, const char *verify) {
        char created[20], counts[32], id[64];
        snprintf(counts, sizeof(counts), "%lld/%lld", (long long) json_integer_value(json_object_get(t, "applied")),
                 (long long) json_integer_value(json_object_get(t, "changes")));
        snprintf(id, sizeof(id), "%s%s", indent, strempty(json_string_value(json_object_get(t, "id"))));
        fprintf(f, "%-*s %-20s %-12s %-8s %-8s %s\n", HISTORY_ID_WIDTH, id, when(t, "created", created, sizeof(created)),
               strempty(json_string_value(json_object_get(t, "state"))), counts,
               json_is_true(json_object_get(t, "persist")) ? "yes" : "no", verify);
}

/* A verified run's entry, and its rounds (the other transactions its record lists) under it with --all
 * or as a count without. */
static void print_verified(FILE *f, const json_t *txs, const json_t *t, const json_t *owners, bool all) {
        const char *own = json_string_value(json_object_get(t, "id"));
        const json_t *v = json_object_get(t, "verification");
        char verify[200];
        render_verify_summary(v, verify, sizeof(verify));
        size_t i, rounds = 0;
        json_t *ref;
        json_array_foreach(json_object_get(v, "transactions"), i, ref)
                rounds += json_is_string(ref) && find_tx(txs, json_string_value(ref)) &&
                          strcmp(strempty(json_string_value(json_object_get(owners, json_string_value(ref)))), strempty(own)) == 0;
        if (rounds && !all) {
                size_t n = strlen(verify);
                snprintf(verify + n, sizeof(verify) - n, " (+%zu round%s: --all)", rounds, rounds == 1 ? "" : "s");
        }
        print_row(f, t, "", verify);
        if (!all)
                return;
        json_array_foreach(json_object_get(v, "transactions"), i, ref) {
                const json_t *r = json_is_string(ref) ? find_tx(txs, json_string_value(ref)) : NULL;
                if (r && strcmp(strempty(json_string_value(json_object_get(owners, json_string_value(ref)))), strempty(own)) == 0) {
                        char what[120];
                        snprintf(what, sizeof(what), "round of %s", strempty(own));
                        print_row(f, r, "  ", what);
                }
        }
}

int render_history_list(FILE *f, const json_t *list, bool all) {
        const json_t *txs = json_object_get(list, "transactions");
        if (json_array_size(txs) == 0) {
                fprintf(f, "No transactions yet.\n");
                return ferror(f) ? -EIO : 0;
        }
        json_auto_t *owners = round_owners(txs);
        fprintf(f, "%-*s %-20s %-12s %-8s %-8s %s\n", HISTORY_ID_WIDTH, "ID", "CREATED", "STATE", "CHANGES", "PERSIST", "VERIFY");
        size_t i;
        json_t *t;
        json_array_foreach(txs, i, t) {
                const char *id = json_string_value(json_object_get(t, "id"));
                if (id && json_object_get(owners, id))
                        continue;        /* a round: shown under its run */
                if (json_object_get(t, "verification"))
                        print_verified(f, txs, t, owners, all);
                else
                        print_row(f, t, "", "-");
        }
        json_int_t omitted = json_integer_value(json_object_get(list, "omitted"));
        if (omitted > 0)
                fprintf(f, "(%lld older transaction(s) not shown: 'skytune history --all' lists every one)\n", (long long) omitted);
        return ferror(f) ? -EIO : 0;
}

int render_history_tx(FILE *f, const json_t *tx) {
        char created[20], recorded[20];
        fprintf(f, "Transaction %s: %s, created %s%s\n", strempty(json_string_value(json_object_get(tx, "id"))),
               strempty(json_string_value(json_object_get(tx, "state"))), when(tx, "created", created, sizeof(created)),
               json_is_true(json_object_get(tx, "persist")) ? ", persistent" : "");
        render_tx(f, tx, &(RenderView) { .flags = json_object_get(tx, "rolled_back") ? RENDER_ROLLBACK : 0 });
        const json_t *v = json_object_get(tx, "verification");
        if (!v) {
                fprintf(f, "Not verified (skytune apply --verify measures a change and keeps its verdicts here).\n");
                return ferror(f) ? -EIO : 0;
        }
        const json_t *rounds = json_object_get(v, "rounds"), *ids = json_object_get(v, "transactions");
        char summary[160];
        fprintf(f, "\nVerified, recorded %s: %lld baseline and %lld candidate rounds, %s; %s\n",
               when(v, "recorded", recorded, sizeof(recorded)), (long long) json_integer_value(json_object_get(rounds, "baseline")),
               (long long) json_integer_value(json_object_get(rounds, "candidate")),
               strempty(json_string_value(json_object_get(v, "order"))), render_verify_summary(v, summary, sizeof(summary)));
        if (json_string_value(json_object_get(v, "error")))
                fprintf(f, "Measuring stopped: %s\n", json_string_value(json_object_get(v, "error")));
        render_verify(f, v);
        if (json_array_size(ids) > 1) {
                fprintf(f, "\nThe candidate rounds were applied as %zu transactions (this one last):", json_array_size(ids));
                size_t i;
                json_t *id;
                json_array_foreach(ids, i, id)
                        fprintf(f, "%s%s", i % 3 == 0 ? "\n  " : " ", json_string_value(id));
                fprintf(f, "\n");
        }
        return ferror(f) ? -EIO : 0;
}
