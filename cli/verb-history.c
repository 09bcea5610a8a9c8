/* SPDX-License-Identifier: MIT */
/* skytune history [--json]: the helper's transactions, oldest first. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "helper-client.h"
#include "log.h"
#include "verbs.h"

int verb_history(int argc, char **argv) {
        bool json;
        int code = helper_client_json_args(argc, argv, "Usage: skytune history [--json]\n\nTransactions of skytune apply and rollback, oldest first.\n", &json);
        if (code >= 0)
                return code;
        json_t *list = NULL;
        if (helper_client_list(&list) < 0)
                return EXIT_FAIL;
        code = EXIT_OK;
        if (json)
                code = cli_write_json(list, NULL) < 0 ? EXIT_FAIL : EXIT_OK;
        else {
                json_t *txs = json_object_get(list, "transactions");
                if (json_array_size(txs) == 0)
                        printf("No transactions yet.\n");
                else
                        printf("%-30s %-20s %-12s %-8s %s\n", "ID", "CREATED", "STATE", "CHANGES", "PERSIST");
                size_t i;
                json_t *t;
                json_array_foreach(txs, i, t) {
                        char created[20] = "-";
                        const char *c = json_string_value(json_object_get(t, "created"));
                        if (c)
                                snprintf(created, sizeof(created), "%.10s %.8s", c, strlen(c) > 11 ? c + 11 : "");
                        char counts[32];
                        snprintf(counts, sizeof(counts), "%lld/%lld", (long long) json_integer_value(json_object_get(t, "applied")),
                                 (long long) json_integer_value(json_object_get(t, "changes")));
                        printf("%-30s %-20s %-12s %-8s %s\n", json_string_value(json_object_get(t, "id")), created,
                               json_string_value(json_object_get(t, "state")), counts,
                               json_is_true(json_object_get(t, "persist")) ? "yes" : "no");
                }
        }
        json_decref(list);
        return code;
}
