/* SPDX-License-Identifier: MIT */
/* The CLI's side of skytune-helper over the client library (client/client.h): the non-dry-run end
 * of apply, the option parsing of the journal verbs, and the human view of a transaction. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "helper-client.h"

#include "fit-width.h"
#include "log.h"
#include "macro.h"

/* The client waits through the CLI's interrupts (cli_install_interrupt counts them): set before any
 * verb runs, so that every call of the client, from whichever verb, knows them. */
__attribute__((constructor)) static void client_knows_interrupts(void) {
        helper_client_set_interrupts(cli_interrupt_count);
}

int helper_client_json_args(int argc, char **argv, const char *usage, bool *ret_json) {
        return helper_client_json_args_id(argc, argv, usage, ret_json, NULL, NULL);
}

int helper_client_json_args_id(int argc, char **argv, const char *usage, bool *ret_json, bool *ret_all, const char **ret_id) {
        /* --all only where the verb takes it (the table ends before it otherwise). */
        static const struct option with_all[] = { { "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' },
                                                  { "all", no_argument, NULL, 'a' }, {} };
        static const struct option without_all[] = { { "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' }, {} };
        const struct option *opts = ret_all ? with_all : without_all;
        *ret_json = false;
        if (ret_all)
                *ret_all = false;
        if (ret_id)
                *ret_id = NULL;
        optind = 1;
        opterr = 0;
        for (int c; (c = getopt_long(argc, argv, "h", opts, NULL)) >= 0;)
                switch (c) {
                case 'j':
                        *ret_json = true;
                        break;
                case 'a':
                        *ret_all = true;
                        break;
                case 'h':
                        cli_fit_text(stdout, usage);
                        return EXIT_OK;
                default:
                        log_error("unknown or incomplete option '%s' (see 'skytune %s --help')", argv[optind - 1], argv[0]);
                        return EXIT_USAGE;
                }
        if (ret_id && optind < argc)
                *ret_id = argv[optind++];
        if (optind < argc) {
                log_error("unexpected argument '%s' (see 'skytune %s --help')", argv[optind], argv[0]);
                return EXIT_USAGE;
        }
        return -1;
}

int helper_client_apply_plan(json_t *plan, long long pending, bool yes, bool json) {
        if (pending == 0 && !json) {
                printf("Nothing to change: every value is as the plan wants it.\n");
                return EXIT_OK;
        }
        int code = pending > 0 ? cli_confirm_apply(yes, "Apply %lld change(s) through skytune-helper?", pending) : EXIT_OK;
        if (code != EXIT_OK)
                return code;
        if (cli_stop_if_interrupted("before the plan was sent to skytune-helper: nothing was applied"))
                return EXIT_INTERRUPTED;
        bool tty = isatty(STDIN_FILENO);
        _cleanup_free_ char *text = NULL;
        uint64_t flags = 0;
        if (helper_client_encode_plan(plan, tty, &text, &flags) < 0)
                return EXIT_FAIL;
        json_t *tx = NULL;
        if (helper_client_apply(text, flags, &tx) < 0) {
                if (helper_client_outcome_unknown()) {
                        if (cli_stop_if_interrupted("while waiting for skytune-helper's answer, which never came: outcome "
                                                    "unknown: see 'skytune history' / 'skytune status'"))
                                return EXIT_INTERRUPTED;
                        log_error("skytune-helper's answer to Apply never came: outcome unknown: see 'skytune history' / "
                                  "'skytune status'");
                        return EXIT_FAIL;
                }
                /* The helper refused the call, or undid a failed Apply itself: nothing applied. */
                if (cli_stop_if_interrupted("while skytune-helper worked on the plan; it did not apply it: nothing was changed"))
                        return EXIT_INTERRUPTED;
                return EXIT_FAIL;
        }
        const char *id = json_string_value(json_object_get(tx, "id"));
        if (json) {
                json_object_set(plan, "transaction_id", json_object_get(tx, "id"));
                json_object_set(plan, "transaction", tx);
                code = cli_write_json(plan, NULL) < 0 ? EXIT_FAIL : EXIT_OK;
        } else if (!id)
                printf("Nothing to change: skytune-helper found every value as the plan wants it.\n");
        else {
                printf("Applied transaction %s:\n", id);
                render_tx(stdout, tx, &(RenderView) { 0 });
                printf("Undo with: skytune rollback %s\n", id);
        }
        if (fflush(stdout) != 0)
                code = EXIT_FAIL;
        if (id && cli_interrupted()) {
                log_error("interrupted while skytune-helper applied the plan: it had received it and completed "
                          "transaction %s, which stays applied (undo it with 'skytune rollback %s')", id, id);
                code = EXIT_INTERRUPTED;
        } else if (cli_stop_if_interrupted("while skytune-helper worked on the plan; it found nothing to change"))
                code = EXIT_INTERRUPTED;
        json_decref(tx);
        return code;
}
