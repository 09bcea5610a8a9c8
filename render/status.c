/* SPDX-License-Identifier: MIT */
/* skytune.status/1 for people: each applied transaction with its keys and files, whether each still
 * holds what skytune set (ok) or was changed since (DRIFT). */
#include <string.h>

#include "json-util.h"
#include "macro.h"
#include "render-profile.h"

int render_status(FILE *f, const json_t *doc, const RenderView *v) {
        const json_t *txs = json_object_get(doc, "transactions"), *items = json_object_get(doc, "items");
        if (json_array_size(txs) == 0) {
                fprintf(f, "No applied transaction: the system is as skytune found it.\n");
                return render_status_of(f);
        }
        fprintf(f, "%zu applied transaction(s), newest first; each key is judged against the newest one that set it:\n",
                json_array_size(txs));
        size_t i, j;
        json_t *t, *it;
        json_array_foreach(txs, i, t) {
                fprintf(f, "Transaction %s (%s):\n", strempty(jstr(t, "id")), strempty(jstr(t, "created")));
                json_array_foreach(items, j, it) {
                        if (strcmp(strempty(jstr(it, "transaction")), strempty(jstr(t, "id"))) != 0)
                                continue;
                        const char *state = json_is_true(json_object_get(it, "drift")) ? "DRIFT" : "ok";
                        if (strcmp(strempty(jstr(it, "kind")), "file") == 0)
                                fprintf(f, "  %-6s %-12s /%s\n", state, "file", jstr(it, "key"));
                        else
                                fprintf(f, "  %-6s %-12s %-32s set %s, now %s\n", state, jstr(it, "kind"),
                                        strempty(jstr(it, "key")), jstr(it, "set") ?: "-", jstr(it, "live") ?: "(unreadable)");
                }
        }
        json_int_t drifted = json_integer_value(json_object_get(doc, "drifted"));
        if (!drifted)
                return render_status_of(f);
        fprintf(f, "%lld item(s) drifted since skytune applied them:", (long long) drifted);
        json_array_foreach(items, j, it)
                if (json_is_true(json_object_get(it, "drift")))
                        fprintf(f, " %s%s (transaction %s)", strcmp(strempty(jstr(it, "kind")), "file") == 0 ? "/" : "",
                                strempty(jstr(it, "key")), strempty(jstr(it, "transaction")));
        fprintf(f, "\n");
        return render_status_of(f);
}
