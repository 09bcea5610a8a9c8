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
#include "render-history.h"
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
                render_history_tx(stdout, doc);
        else
                render_history_list(stdout, doc, all);
        json_decref(doc);
        return code;
}
