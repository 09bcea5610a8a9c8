/* SPDX-License-Identifier: MIT */
/* skytune status [--json]: live values against everything skytune still has applied (drift). Every
 * applied transaction is read, newest first (the helper reads the live values itself, on the root it
 * writes to); each key and owned file is judged against the newest applied transaction that set it,
 * and the same key in an older one is only listed as superseded. Exit 0 in sync (or nothing applied),
 * 3 drift, 1 failure (then nothing on standard output). skytune.status/1: docs/helper.md. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "fit-width.h"
#include "helper-client.h"
#include "json-util.h"
#include "log.h"
#include "schema.h"
#include "macro.h"
#include "verbs.h"

#define STATUS_USAGE                                                                                   \
        "Usage: skytune status [--json]\n\n"                                                           \
        "Live values against every transaction that is still applied, newest first: each key and\n"    \
        "owned file is judged against the newest applied transaction that set it, and reported with\n" \
        "that transaction's id. Exit 0 when everything matches (or nothing is applied), 3 when\n"      \
        "something drifted, 1 on failure.\n\n"                                                         \
        "  --json    print skytune.status/1 (docs/helper.md) instead of a table; nothing on\n"         \
        "            standard output when it fails\n"

/* Every applied transaction with live values and drift (GetTransaction), newest first. */
static int fetch_applied(json_t **ret) {
        json_auto_t *list = NULL;
        int r = helper_client_list(&list);
        if (r < 0)
                return r;
        json_auto_t *txs = json_array();
        const json_t *all = json_object_get(list, "transactions");
        for (size_t i = json_array_size(all); txs && i > 0; i--) {
                const json_t *t = json_array_get(all, i - 1);
                if (strcmp(strempty(jstr(t, "state")), "applied") != 0 || !jstr(t, "id"))
                        continue;
                json_t *tx = NULL;
                r = helper_client_get(jstr(t, "id"), &tx);
                if (r < 0)
                        return r;
                /* Rolled back between the list and this read: nothing of it is live any more. */
                if (strcmp(strempty(jstr(tx, "state")), "applied") != 0) {
                        json_decref(tx);
                        continue;
                }
                json_array_append_new(txs, tx);
        }
        if (!txs)
                return log_error_errno(-ENOMEM, "cannot build the status: %m");
        *ret = TAKE_PTR(txs);
        return 0;
}

/* One item (a change or an owned file) of transaction id: owned by it, or superseded by a newer one. */
static int add_item(json_t *items, json_t *owners, const char *id, const char *kind, const char *key, const json_t *entry) {
        _cleanup_free_ char *slot = NULL;
        if (asprintf(&slot, "%s\037%s", kind, key) < 0)
                return -ENOMEM;
        json_t *owner = json_object_get(owners, slot);
        if (owner)
                return json_array_append_new(json_object_get(owner, "superseded"), json_string(id)) < 0 ? -ENOMEM : 0;
        bool file = strcmp(kind, "file") == 0;
        json_t *item = json_pack("{s:s, s:s, s:s, s:b, s:[]}", "transaction", id, "kind", kind, "key", key, "drift",
                                 json_is_true(json_object_get(entry, "drift")), "superseded");
        if (!item)
                return -ENOMEM;
        if (!file) {
                json_object_set(item, "set", json_object_get(entry, "new") ?: json_null());
                json_object_set(item, "live", json_object_get(entry, "live") ?: json_null());
        }
        if (json_object_set(owners, slot, item) < 0) {
                json_decref(item);
                return -ENOMEM;
        }
        return json_array_append_new(items, item) < 0 ? -ENOMEM : 0;
}

static int build_status(json_t *txs, json_t **ret) {
        json_auto_t *items = json_array(), *owners = json_object(), *ids = json_array();
        if (!items || !owners || !ids)
                return -ENOMEM;
        size_t i, j;
        json_t *tx, *c;
        int r = 0;
        json_array_foreach(txs, i, tx) {
                const char *id = strempty(jstr(tx, "id"));
                json_array_append_new(ids, json_pack("{s:s, s:O?, s:b}", "id", id, "created", json_object_get(tx, "created"),
                                                     "persist", json_is_true(json_object_get(tx, "persist"))));
                json_array_foreach(json_object_get(tx, "changes"), j, c)
                        if (r >= 0 && strcmp(strempty(jstr(c, "status")), "applied") == 0)
                                r = add_item(items, owners, id, strempty(jstr(c, "kind")), strempty(jstr(c, "key")), c);
                json_array_foreach(json_object_get(tx, "files"), j, c)
                        if (r >= 0 && strcmp(strempty(jstr(c, "status")), "written") == 0)
                                r = add_item(items, owners, id, "file", strempty(jstr(c, "path")), c);
        }
        if (r < 0)
                return r;
        json_int_t drifted = 0;
        json_array_foreach(items, i, c)
                drifted += json_is_true(json_object_get(c, "drift"));
        *ret = json_pack("{s:s, s:b, s:I, s:O, s:O}", "schema", STATUS_SCHEMA, "drift", drifted > 0, "drifted", drifted,
                         "transactions", ids, "items", items);
        return *ret ? 0 : -ENOMEM;
}

int verb_status(int argc, char **argv) {
        bool json;
        int code = helper_client_json_args(argc, argv, STATUS_USAGE, &json);
        if (code >= 0)
                return code;
        json_auto_t *txs = NULL, *doc = NULL;
        if (fetch_applied(&txs) < 0)
                return EXIT_FAIL;
        int r = build_status(txs, &doc);
        if (r < 0) {
                log_error_errno(r, "cannot build the status: %m");
                return EXIT_FAIL;
        }
        code = json_is_true(json_object_get(doc, "drift")) ? EXIT_PENDING : EXIT_OK;
        if (json)
                return cli_write_json(doc, NULL) < 0 ? EXIT_FAIL : code;
        RenderView view = cli_render_view(0);
        render_status(stdout, doc, &view);
        return fflush(stdout) == 0 ? code : EXIT_FAIL;
}
