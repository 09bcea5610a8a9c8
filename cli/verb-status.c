/* SPDX-License-Identifier: MIT */
/* skytune status [--json]: live values against the last applied transaction (drift). The helper reads
 * the live values itself, on the root it writes to. Exit 0 in sync (or nothing applied), 3 drift. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "helper-client.h"
#include "log.h"
#include "verbs.h"

int verb_status(int argc, char **argv) {
        bool json;
        int code = helper_client_json_args(argc, argv,
                                           "Usage: skytune status [--json]\n\n"
                                           "Live values against the last applied transaction. Exit 0 when they match (or\n"
                                           "nothing is applied), 3 when something drifted, 1 on failure.\n",
                                           &json);
        if (code >= 0)
                return code;
        json_t *list = NULL;
        if (helper_client_list(&list) < 0)
                return EXIT_FAIL;
        bool any = false;
        size_t i;
        json_t *t;
        json_array_foreach(json_object_get(list, "transactions"), i, t) {
                const char *s = json_string_value(json_object_get(t, "state"));
                any = any || (s && strcmp(s, "applied") == 0);
        }
        json_decref(list);
        if (!any) {
                if (json)
                        printf("{\"schema\": \"skytune.status/1\", \"transaction\": null, \"drift\": false}\n");
                else
                        printf("No applied transaction: the system is as skytune found it.\n");
                return EXIT_OK;
        }
        json_t *tx = NULL;
        if (helper_client_get("last", &tx) < 0)
                return EXIT_FAIL;
        unsigned drift = 0;
        json_t *c;
        json_array_foreach(json_object_get(tx, "changes"), i, c)
                drift += json_is_true(json_object_get(c, "drift"));
        json_array_foreach(json_object_get(tx, "files"), i, c)
                drift += json_is_true(json_object_get(c, "drift"));
        code = drift ? EXIT_PENDING : EXIT_OK;
        if (json) {
                json_t *doc = json_pack("{s:s, s:O, s:b}", "schema", "skytune.status/1", "transaction", tx, "drift", drift > 0);
                if (!doc || cli_write_json(doc, NULL) < 0)
                        code = EXIT_FAIL;
                json_decref(doc);
        } else {
                printf("Last applied transaction %s (%s):\n", json_string_value(json_object_get(tx, "id")),
                       json_string_value(json_object_get(tx, "created")));
                json_array_foreach(json_object_get(tx, "changes"), i, c) {
                        const char *st = json_string_value(json_object_get(c, "status"));
                        if (!st || strcmp(st, "applied") != 0)
                                continue;
                        const char *live = json_string_value(json_object_get(c, "live"));
                        printf("  %-6s %-12s %-32s set %s, now %s\n", json_is_true(json_object_get(c, "drift")) ? "DRIFT" : "ok",
                               json_string_value(json_object_get(c, "kind")), json_string_value(json_object_get(c, "key")),
                               json_string_value(json_object_get(c, "new")), live ? live : "(unreadable)");
                }
                json_array_foreach(json_object_get(tx, "files"), i, c)
                        printf("  %-6s %-12s /%s\n", json_is_true(json_object_get(c, "drift")) ? "DRIFT" : "ok", "file",
                               json_string_value(json_object_get(c, "path")));
                if (drift)
                        printf("%u item(s) drifted since skytune applied them.\n", drift);
        }
        json_decref(tx);
        return code;
}
