/* SPDX-License-Identifier: MIT */
/* skytune rollback [ID | --last] [--force] [--json]: undo an applied transaction through the helper.
 * Values someone else changed since are left alone and reported (exit 1) unless --force. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "fit-width.h"
#include "helper-client.h"
#include "log.h"
#include "verbs.h"

static void usage_text(FILE *f, void *userdata) {
        fprintf(f, "Usage: skytune rollback [ID | --last] [--force] [--json]\n"
                   "\n"
                   "Undo a transaction that skytune apply made (the last applied one by default; see\n"
                   "skytune history for the ids). Owned files are restored or removed, then each value is\n"
                   "restored in reverse order. A value that someone changed since skytune set it is left\n"
                   "alone and reported (exit 1); --force restores it anyway. A value that a newer skytune\n"
                   "transaction set again is left alone even with --force: roll that one back first. A\n"
                   "transaction with values left alone stays partially-rolled-back, and rolling it back\n"
                   "again restores exactly those.\n"
                   "\n"
                   "  --last      the most recent applied transaction (the default)\n"
                   "  --force     also restore values changed by someone else (not skytune) since\n"
                   "  --json      print the transaction (skytune.tx/1) instead of a summary\n");
}

/* Fitted to the terminal's width. */
static void usage(FILE *f) {
        cli_fit(f, usage_text, NULL);
}

static void add_id(json_t *ids, const char *id) {
        size_t i;
        json_t *v;
        json_array_foreach(ids, i, v)
                if (strcmp(json_string_value(v), id) == 0)
                        return;
        json_array_append_new(ids, json_string(id));
}

/* Keys that newer skytune transactions set again: --force would clobber skytune's own newer change,
 * so name those transactions and the order that works. */
static void report_superseded(const json_t *tx) {
        json_t *ids = json_array(), *c, *f, *e;
        size_t i;
        const char *k;
        json_array_foreach(json_object_get(tx, "changes"), i, c)
                if (json_string_value(json_object_get(c, "superseded_by")))
                        add_id(ids, json_string_value(json_object_get(c, "superseded_by")));
        json_array_foreach(json_object_get(tx, "files"), i, f)
                json_object_foreach(json_object_get(f, "entries"), k, e)
                        if (json_string_value(json_object_get(e, "superseded_by")))
                                add_id(ids, json_string_value(json_object_get(e, "superseded_by")));
        json_array_foreach(ids, i, c)
                log_warning("newer skytune transaction %s changed value(s) of this one since and was left alone; roll it back first "
                            "(skytune rollback %s), then skytune rollback %s again restores the rest",
                            json_string_value(c), json_string_value(c), json_string_value(json_object_get(tx, "id")));
        json_decref(ids);
}

int verb_rollback(int argc, char **argv) {
        enum { OPT_LAST = 256, OPT_FORCE, OPT_JSON };
        static const struct option opts[] = {
                { "last", no_argument, NULL, OPT_LAST }, { "force", no_argument, NULL, OPT_FORCE },
                { "json", no_argument, NULL, OPT_JSON }, { "help", no_argument, NULL, 'h' }, {},
        };
        bool force = false, json = false, last = false;
        optind = 1;
        opterr = 0;
        for (int c; (c = getopt_long(argc, argv, "h", opts, NULL)) >= 0;)
                switch (c) {
                case OPT_LAST:
                        last = true;
                        break;
                case OPT_FORCE:
                        force = true;
                        break;
                case OPT_JSON:
                        json = true;
                        break;
                case 'h':
                        usage(stdout);
                        return EXIT_OK;
                default:
                        log_error("unknown or incomplete option '%s' (see 'skytune rollback --help')", argv[optind - 1]);
                        return EXIT_USAGE;
                }
        if (argc - optind > 1 || (last && argc - optind == 1)) {
                log_error("give one transaction id or --last (see 'skytune rollback --help')");
                return EXIT_USAGE;
        }
        const char *id = optind < argc ? argv[optind] : "last";
        json_t *tx = NULL;
        if (helper_client_rollback(id, force ? HELPER_CLIENT_FORCE : 0, &tx) < 0) {
                if (helper_client_outcome_unknown())
                        log_error("skytune-helper's answer to the rollback never came: outcome unknown: see 'skytune history' / "
                                  "'skytune status'");
                return EXIT_FAIL;
        }
        json_int_t conflicts = json_integer_value(json_object_get(tx, "conflicts"));
        json_int_t failures = json_integer_value(json_object_get(tx, "failures"));
        json_int_t superseded = json_integer_value(json_object_get(tx, "superseded"));
        int code = conflicts || failures || superseded ? EXIT_FAIL : EXIT_OK;
        if (json)
                code = cli_write_json(tx, NULL) < 0 ? EXIT_FAIL : code;
        else {
                const char *state = json_string_value(json_object_get(tx, "state"));
                printf("%s transaction %s:\n", state && strcmp(state, "partially-rolled-back") == 0 ? "Partially rolled back" : "Rolled back",
                       json_string_value(json_object_get(tx, "id")));
                render_tx(stdout, tx, &(RenderView) { .flags = RENDER_ROLLBACK });
        }
        const char *txid = json_string_value(json_object_get(tx, "id"));
        if (superseded)
                report_superseded(tx);
        if (conflicts)
                log_warning("%lld value(s) were changed by someone else (not skytune) since skytune set them and were left alone; "
                            "skytune rollback %s --force restores them",
                            (long long) conflicts, txid);
        if (failures)
                log_error("%lld value(s) could not be restored (see above and the helper's log)", (long long) failures);
        json_decref(tx);
        return code;
}
