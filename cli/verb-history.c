/* SPDX-License-Identifier: MIT */
/* skytune history [ID] [--all] [--json]: the helper's transactions, oldest first, with the verdicts of
 * `apply --verify` where a transaction keeps them (its candidate rounds, one transaction per switch,
 * folded under it); with ID one transaction and its verdict table. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "fit-width.h"
#include "helper-client.h"
#include "log.h"
#include "macro.h"
#include "probe-verify.h"
#include "verbs.h"

#define HISTORY_USAGE                                                                                   \
        "Usage: skytune history [ID] [--all] [--json]\n\n"                                              \
        "Transactions of skytune apply and rollback, oldest first, with the verdicts of apply --verify\n" \
        "(VERIFY: the decision and the primary metrics). One apply --verify is one entry: the\n"        \
        "transactions its candidate rounds were applied with are folded under the one it kept or\n"    \
        "rolled back. With ID (or 'last': the newest applied one), that transaction: its changes and,\n" \
        "when it was verified, the table of verdicts.\n\n"                                              \
        "Without --all or --json the list holds every applied transaction and the newest 200\n"        \
        "finished ones (the helper caps one reply).\n\n"                                                \
        "  --all     every transaction (page by page), and the candidate rounds of apply --verify\n"     \
        "            under their run\n"                                                                 \
        "  --json    the helper's list (skytune.txlist/1, every transaction, page by page) or\n"        \
        "            transaction (skytune.tx/1) as JSON; nothing on standard output when it fails\n"
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

static void print_row(const json_t *t, const char *indent, const char *verify) {
        char created[20], counts[32], id[64];
        snprintf(counts, sizeof(counts), "%lld/%lld", (long long) json_integer_value(json_object_get(t, "applied")),
                 (long long) json_integer_value(json_object_get(t, "changes")));
        snprintf(id, sizeof(id), "%s%s", indent, strempty(json_string_value(json_object_get(t, "id"))));
        printf("%-*s %-20s %-12s %-8s %-8s %s\n", HISTORY_ID_WIDTH, id, when(t, "created", created, sizeof(created)),
               strempty(json_string_value(json_object_get(t, "state"))), counts,
               json_is_true(json_object_get(t, "persist")) ? "yes" : "no", verify);
}

/* A verified run's entry, and its rounds (the other transactions its record lists) under it with --all
 * or as a count without. */
static void print_verified(const json_t *txs, const json_t *t, const json_t *owners, bool all) {
        const char *own = json_string_value(json_object_get(t, "id"));
        const json_t *v = json_object_get(t, "verification");
        char verify[200];
        probe_verify_summary(v, verify, sizeof(verify));
        size_t i, rounds = 0;
        json_t *ref;
        json_array_foreach(json_object_get(v, "transactions"), i, ref)
                rounds += json_is_string(ref) && find_tx(txs, json_string_value(ref)) &&
                          strcmp(strempty(json_string_value(json_object_get(owners, json_string_value(ref)))), strempty(own)) == 0;
        if (rounds && !all) {
                size_t n = strlen(verify);
                snprintf(verify + n, sizeof(verify) - n, " (+%zu round%s: --all)", rounds, rounds == 1 ? "" : "s");
        }
        print_row(t, "", verify);
        if (!all)
                return;
        json_array_foreach(json_object_get(v, "transactions"), i, ref) {
                const json_t *r = json_is_string(ref) ? find_tx(txs, json_string_value(ref)) : NULL;
                if (r && strcmp(strempty(json_string_value(json_object_get(owners, json_string_value(ref)))), strempty(own)) == 0) {
                        char what[120];
                        snprintf(what, sizeof(what), "round of %s", strempty(own));
                        print_row(r, "  ", what);
                }
        }
}

static void print_list(const json_t *list, bool all) {
        const json_t *txs = json_object_get(list, "transactions");
        if (json_array_size(txs) == 0) {
                printf("No transactions yet.\n");
                return;
        }
        json_auto_t *owners = round_owners(txs);
        printf("%-*s %-20s %-12s %-8s %-8s %s\n", HISTORY_ID_WIDTH, "ID", "CREATED", "STATE", "CHANGES", "PERSIST", "VERIFY");
        size_t i;
        json_t *t;
        json_array_foreach(txs, i, t) {
                const char *id = json_string_value(json_object_get(t, "id"));
                if (id && json_object_get(owners, id))
                        continue;        /* a round: shown under its run */
                if (json_object_get(t, "verification"))
                        print_verified(txs, t, owners, all);
                else
                        print_row(t, "", "-");
        }
        json_int_t omitted = json_integer_value(json_object_get(list, "omitted"));
        if (omitted > 0)
                printf("(%lld older transaction(s) not shown: 'skytune history --all' lists every one)\n", (long long) omitted);
}

static void print_tx(const json_t *tx) {
        char created[20], recorded[20];
        printf("Transaction %s: %s, created %s%s\n", strempty(json_string_value(json_object_get(tx, "id"))),
               strempty(json_string_value(json_object_get(tx, "state"))), when(tx, "created", created, sizeof(created)),
               json_is_true(json_object_get(tx, "persist")) ? ", persistent" : "");
        render_tx(stdout, tx, &(RenderView) { .flags = json_object_get(tx, "rolled_back") ? RENDER_ROLLBACK : 0 });
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
        bool json, all;
        const char *id;
        int code = helper_client_json_args_id(argc, argv, HISTORY_USAGE, &json, &all, &id);
        if (code >= 0)
                return code;
        json_t *doc = NULL;
        int r = id ? helper_client_get(id, &doc) : all || json ? helper_client_list_all(&doc) : helper_client_list(&doc);
        if (r < 0)
                return EXIT_FAIL;
        code = EXIT_OK;
        if (json)
                code = cli_write_json(doc, NULL) < 0 ? EXIT_FAIL : EXIT_OK;
        else if (id)
                print_tx(doc);
        else
                print_list(doc, all);
        json_decref(doc);
        return code;
}
