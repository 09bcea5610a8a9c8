/* SPDX-License-Identifier: MIT */
/* skytune history [ID] [--json]: the helper's transactions, oldest first, with the verdicts of
 * `apply --verify` where a transaction keeps them; with ID one transaction and its verdict table. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "helper-client.h"
#include "log.h"
#include "macro.h"
#include "probe-verify.h"
#include "verbs.h"

#define HISTORY_USAGE                                                                                   \
        "Usage: skytune history [ID] [--json]\n\n"                                                      \
        "Transactions of skytune apply and rollback, oldest first, with the verdicts of apply --verify\n" \
        "(VERIFY: the decision and the primary metrics). With ID (or 'last': the newest applied one),\n"  \
        "that transaction: its changes and, when it was verified, the table of verdicts.\n"

/* "2026-11-27T08:10:11.123456Z" -> "2026-11-27 08:10:11" */
static const char *when(const json_t *o, const char *key, char *buf, size_t len) {
        const char *c = json_string_value(json_object_get(o, key));
        if (!c)
                return "-";
        snprintf(buf, len, "%.10s %.8s", c, strlen(c) > 11 ? c + 11 : "");
        return buf;
}

/* The transaction whose verification lists id among the rounds it switched through, or NULL. */
static const char *verified_by(const json_t *txs, const char *id) {
        size_t i, j;
        json_t *t, *ref;
        json_array_foreach(txs, i, t) {
                const char *own = json_string_value(json_object_get(t, "id"));
                json_array_foreach(json_object_get(json_object_get(t, "verification"), "transactions"), j, ref)
                        if (own && strcmp(own, id) != 0 && strcmp(json_string_value(ref), id) == 0)
                                return own;
        }
        return NULL;
}

static void print_list(const json_t *list) {
        const json_t *txs = json_object_get(list, "transactions");
        if (json_array_size(txs) == 0) {
                printf("No transactions yet.\n");
                return;
        }
        printf("%-30s %-20s %-12s %-8s %-8s %s\n", "ID", "CREATED", "STATE", "CHANGES", "PERSIST", "VERIFY");
        size_t i;
        json_t *t;
        json_array_foreach(txs, i, t) {
                const char *id = json_string_value(json_object_get(t, "id")), *by;
                const json_t *v = json_object_get(t, "verification");
                char created[20], counts[32], verify[160] = "-";
                snprintf(counts, sizeof(counts), "%lld/%lld", (long long) json_integer_value(json_object_get(t, "applied")),
                         (long long) json_integer_value(json_object_get(t, "changes")));
                if (v)
                        probe_verify_summary(v, verify, sizeof(verify));
                else if (id && (by = verified_by(txs, id)))
                        snprintf(verify, sizeof(verify), "round of %s", by);
                printf("%-30s %-20s %-12s %-8s %-8s %s\n", strempty(id), when(t, "created", created, sizeof(created)),
                       strempty(json_string_value(json_object_get(t, "state"))), counts,
                       json_is_true(json_object_get(t, "persist")) ? "yes" : "no", verify);
        }
}

static void print_tx(const json_t *tx) {
        char created[20], recorded[20];
        printf("Transaction %s: %s, created %s%s\n", strempty(json_string_value(json_object_get(tx, "id"))),
               strempty(json_string_value(json_object_get(tx, "state"))), when(tx, "created", created, sizeof(created)),
               json_is_true(json_object_get(tx, "persist")) ? ", persistent" : "");
        helper_client_print_tx(stdout, tx, json_object_get(tx, "rolled_back") != NULL);
        const json_t *v = json_object_get(tx, "verification");
        if (!v) {
                printf("Not verified (skytune apply --verify measures a change and keeps its verdicts here).\n");
                return;
        }
        const json_t *rounds = json_object_get(v, "rounds"), *ids = json_object_get(v, "transactions");
        char summary[160];
        printf("\nVerified, recorded %s: %lld baseline and %lld candidate rounds, %s; %s\n",
               when(v, "recorded", recorded, sizeof(recorded)), (long long) json_integer_value(json_object_get(rounds, "baseline")),
               (long long) json_integer_value(json_object_get(rounds, "candidate")),
               strempty(json_string_value(json_object_get(v, "order"))), probe_verify_summary(v, summary, sizeof(summary)));
        if (json_string_value(json_object_get(v, "error")))
                printf("Measuring stopped: %s\n", json_string_value(json_object_get(v, "error")));
        probe_verify_render_json(stdout, v);
        if (json_array_size(ids) > 1) {
                printf("\nThe candidate rounds were applied as %zu transactions (this one last):", json_array_size(ids));
                size_t i;
                json_t *id;
                json_array_foreach(ids, i, id)
                        printf("%s%s", i % 3 == 0 ? "\n  " : " ", json_string_value(id));
                printf("\n");
        }
}

int verb_history(int argc, char **argv) {
        bool json;
        const char *id;
        int code = helper_client_json_args_id(argc, argv, HISTORY_USAGE, &json, &id);
        if (code >= 0)
                return code;
        json_t *doc = NULL;
        if ((id ? helper_client_get(id, &doc) : helper_client_list(&doc)) < 0)
                return EXIT_FAIL;
        code = EXIT_OK;
        if (json)
                code = cli_write_json(doc, NULL) < 0 ? EXIT_FAIL : EXIT_OK;
        else if (id)
                print_tx(doc);
        else
                print_list(doc);
        json_decref(doc);
        return code;
}
