/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "cli.h"
#include "helper-bus.h"
#include "helper-client.h"

#include "fit-width.h"
#include "log.h"
#include "macro.h"
#include "safe-text.h"

#define BUS_NAME "io.skysentinel.SkyTune1"
#define BUS_PATH "/io/skysentinel/SkyTune1"
#define BUS_IFACE "io.skysentinel.SkyTune1"

static int connect_bus(sd_bus **ret) {
        int r = sd_bus_open_system(ret);
        if (r < 0)
                return log_error_errno(r, "cannot connect to the system bus: %m (is dbus running? DBUS_SYSTEM_BUS_ADDRESS selects another bus)");
        /* A password prompt (polkit agent) is fine when a person is at the terminal. */
        (void) sd_bus_set_allow_interactive_authorization(*ret, isatty(STDIN_FILENO));
        return 0;
}

static const char *hint(const sd_bus_error *e) {
        if (sd_bus_error_has_names(e, SD_BUS_ERROR_ACCESS_DENIED, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED))
                return " (run as root, or ask an administrator for the polkit action)";
        if (sd_bus_error_has_names(e, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER))
                return " (is skytune-helper installed? its D-Bus activation file starts it)";
        return "";
}

typedef struct PendingCall {
        bool done;
        sd_bus_message *reply;
        sd_bus_error error;
} PendingCall;

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        PendingCall *c = userdata;
        c->done = true;
        if (sd_bus_message_is_method_error(m, NULL))
                (void) sd_bus_error_copy(&c->error, sd_bus_message_get_error(m));
        else
                c->reply = sd_bus_message_ref(m);
        return 0;
}

/* Whether the last call failed without telling what the helper did (no reply, a lost connection, a
 * second interrupt): only an error the helper itself answered with, or the bus's refusal to deliver the
 * call at all, says that it refused the call as a whole. */
static bool last_outcome_unknown;

bool helper_client_outcome_unknown(void) {
        return last_outcome_unknown;
}

static bool error_is_refusal(const sd_bus_error *e) {
        return e->name && (startswith(e->name, BUS_IFACE ".Error.") ||
                           sd_bus_error_has_names(e, SD_BUS_ERROR_ACCESS_DENIED, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
                                                  SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER));
}

/* A call the helper may ask polkit about with a password prompt (a change, with the interactive flag
 * or from a connection that allows interactive authorization: stdin a terminal) waits longer than the
 * helper waits for polkit then, so that its reply, not a timeout of ours, says what happened; other
 * calls the bus default. */
static uint64_t call_timeout(sd_bus *bus, bool change, uint64_t flags) {
        bool prompt = change && ((flags & HELPER_CLIENT_INTERACTIVE) || sd_bus_get_allow_interactive_authorization(bus) > 0);
        return prompt ? HELPER_POLKIT_INTERACTIVE_USEC + 30 * UINT64_C(1000000) : 0;
}

/* sd_bus_call() gives up on EINTR, after the helper may have acted on the call, and the client would
 * not know what it did. This waits for the reply through signals (with the interrupt handler of
 * cli_install_interrupt() they only set a flag), says once that it is waiting, and leaves the
 * decision to the caller, which then knows the outcome. A second interrupt stops the wait at once
 * (-ECANCELED, outcome unknown). */
static int call_to_end(sd_bus *bus, sd_bus_message *m, const char *method, uint64_t timeout, sd_bus_error *e,
                       sd_bus_message **ret) {
        PendingCall c = { .error = SD_BUS_ERROR_NULL };
        sd_bus_slot *slot = NULL;
        int r = sd_bus_call_async(bus, &slot, m, on_reply, &c, timeout);
        bool told = false;
        while (r >= 0 && !c.done) {
                r = sd_bus_process(bus, NULL);
                if (r != 0)
                        continue;
                r = sd_bus_wait(bus, UINT64_MAX);
                if (r == -EINTR) {
                        if (cli_interrupted() && !told)
                                log_notice("interrupted: waiting for skytune-helper's answer to %s, which it has "
                                           "received, so that its outcome is known (interrupt again to stop waiting)", method);
                        told = told || cli_interrupted();
                        r = cli_interrupt_count() >= 2 ? -ECANCELED : 0;
                }
        }
        sd_bus_slot_unref(slot);
        last_outcome_unknown = !c.done || !(c.reply || error_is_refusal(&c.error));
        if (r < 0) {
                sd_bus_error_free(&c.error);
                return sd_bus_error_set_errno(e, r);
        }
        if (!c.reply) {
                r = -sd_bus_error_get_errno(&c.error) ?: -EIO;
                sd_bus_error_move(e, &c.error);
                return r;
        }
        *ret = c.reply;
        return 0;
}

/* change: a method that changes something (polkit may prompt); flags: its "t flags", else 0. */
static int call(const char *method, bool change, uint64_t flags, json_t **ret, const char *types, ...) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus *bus = NULL;
        sd_bus_message *reply = NULL, *m = NULL;
        last_outcome_unknown = false;
        int r = connect_bus(&bus);
        if (r < 0)
                return r;
        va_list ap;
        va_start(ap, types);
        r = sd_bus_message_new_method_call(bus, &m, BUS_NAME, BUS_PATH, BUS_IFACE, method);
        r = r < 0 ? r : sd_bus_message_appendv(m, types, ap);
        va_end(ap);
        r = r < 0 ? sd_bus_error_set_errno(&e, r) : call_to_end(bus, m, method, call_timeout(bus, change, flags), &e, &reply);
        sd_bus_message_unref(m);
        if (r < 0) {
                if (r == -ECANCELED)
                        log_error("%s: stopped waiting for skytune-helper's answer (interrupted twice)", method);
                else
                        log_error("%s: %s%s", e.name ?: method, e.message ?: strerror(-r), hint(&e));
                sd_bus_flush_close_unref(bus);
                return r;
        }
        const char *s;
        r = sd_bus_message_read(reply, "s", &s);
        json_error_t jerr;
        json_t *doc = r < 0 ? NULL : json_loads(s, 0, &jerr);
        sd_bus_message_unref(reply);
        sd_bus_flush_close_unref(bus);
        if (!doc)
                return log_error_errno(r < 0 ? r : -EBADMSG, "the helper's reply to %s cannot be read", method);
        if (json_escape_tree(doc) < 0) {       /* plan strings come back in it, for the terminal */
                json_decref(doc);
                return log_error_errno(-ENOMEM, "cannot escape the reply to %s for display: %m", method);
        }
        *ret = doc;
        return 0;
}

int helper_client_apply(const char *plan_json, uint64_t flags, json_t **ret) {
        return call("Apply", true, flags, ret, "st", plan_json, flags);
}

int helper_client_rollback(const char *id, uint64_t flags, json_t **ret) {
        return call("RollbackWithFlags", true, flags, ret, "st", id, flags);
}

int helper_client_list(json_t **ret) {
        return call("ListTransactions", false, 0, ret, "");
}

/* Every transaction, oldest first: ListTransactionsPage from the newest page back, each page's
 * "next" the cursor of the one before it, until the helper says there is no more. */
int helper_client_list_all(json_t **ret) {
        json_auto_t *all = json_array();
        _cleanup_free_ char *before = strdup("");
        if (!all || !before)
                return log_error_errno(-ENOMEM, "cannot list the transactions: %m");
        for (bool more = true; more;) {
                json_auto_t *page = NULL;
                int r = call("ListTransactionsPage", false, 0, &page, "su", before, (uint32_t) 0);
                if (r < 0)
                        return r;
                json_t *txs = json_object_get(page, "transactions");
                const char *next = json_string_value(json_object_get(page, "next"));
                more = json_is_true(json_object_get(page, "more"));
                if (more && (!next || json_array_size(txs) == 0 || (*before && strcmp(next, before) >= 0)))
                        return log_error_errno(-EBADMSG, "skytune-helper's ListTransactionsPage does not go back before %s",
                                               *before ? before : "the newest");
                json_auto_t *older = json_copy(txs);
                if (!older || json_array_extend(older, all) < 0)
                        return log_error_errno(-ENOMEM, "cannot list the transactions: %m");
                json_decref(all);
                all = TAKE_PTR(older);
                free(before);
                before = strdup(next ?: "");
                if (!before)
                        return log_error_errno(-ENOMEM, "cannot list the transactions: %m");
        }
        *ret = json_pack("{s:s, s:O, s:i}", "schema", "skytune.txlist/1", "transactions", all, "omitted", 0);
        return *ret ? 0 : log_error_errno(-ENOMEM, "cannot list the transactions: %m");
}

int helper_client_get(const char *id, json_t **ret) {
        return call("GetTransaction", false, 0, ret, "s", id);
}

int helper_client_annotate(const char *id, const char *verification_json, json_t **ret) {
        return call("AnnotateTransaction", true, 0, ret, "ss", id, verification_json);
}

static const char *str(const json_t *o, const char *k) {
        const char *s = json_string_value(json_object_get(o, k));
        return s ? s : "-";
}

/* The entries of an owned file that a rollback left in place, and why. */
static void print_entries_left(FILE *f, const json_t *file) {
        const char *key;
        json_t *e;
        json_object_foreach(json_object_get(file, "entries"), key, e) {
                const char *r = str(e, "rollback");
                if (strcmp(r, "conflict") == 0)
                        fprintf(f, "  %-11s %-12s   %s: the line is now \"%s\": left alone (--force restores it)\n", r, "entry", key,
                                str(e, "found"));
                else if (strcmp(r, "superseded") == 0)
                        fprintf(f, "  %-11s %-12s   %s: set again by the newer transaction %s: left alone (roll that one back first)\n", r,
                                "entry", key, str(e, "superseded_by"));
                else if (strcmp(r, "refused") == 0 || strcmp(r, "failed") == 0)
                        fprintf(f, "  %-11s %-12s   %s: not restored: %s\n", r, "entry", key, str(e, "error"));
        }
        if (json_object_get(file, "rollback_error"))
                fprintf(f, "  %-11s %-12s   %s\n", "", "", str(file, "rollback_error"));
}

void helper_client_print_tx(FILE *f, const json_t *tx, bool rollback) {
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(tx, "changes"), i, c) {
                const char *status = rollback ? str(c, "rollback") : str(c, "status");
                if (rollback && strcmp(status, "-") == 0)
                        status = str(c, "status");
                fprintf(f, "  %-11s %-12s %-32s ", status, str(c, "kind"), str(c, "key"));
                if (rollback && strcmp(status, "conflict") == 0)
                        fprintf(f, "now %s, skytune had set %s: left alone (--force restores %s)\n", str(c, "found"), str(c, "new"),
                                str(c, "old"));
                else if (rollback && strcmp(status, "superseded") == 0)
                        fprintf(f, "%s%s%sset again by the newer transaction %s: left alone (roll that one back first)\n",
                                json_object_get(c, "found") ? "now " : "", json_object_get(c, "found") ? str(c, "found") : "",
                                json_object_get(c, "found") ? ", " : "", str(c, "superseded_by"));
                else if (rollback && (strcmp(status, "refused") == 0 || strcmp(status, "failed") == 0))
                        fprintf(f, "%s -> %s not restored: %s\n", str(c, "new"), str(c, "old"), str(c, "rollback_error"));
                else if (rollback)
                        fprintf(f, "%s -> %s\n", str(c, "new"), str(c, "old"));
                else
                        fprintf(f, "%s -> %s\n", str(c, "old"), strcmp(str(c, "new"), "-") ? str(c, "new") : str(c, "proposed"));
        }
        json_array_foreach(json_object_get(tx, "files"), i, c) {
                const char *status = rollback ? str(c, "rollback") : str(c, "status");
                fprintf(f, "  %-11s %-12s /%s%s\n", status, "file", str(c, "path"),
                        json_is_false(json_object_get(c, "existed")) && (!rollback || strcmp(status, "restored") == 0)
                                ? (rollback ? " (removed)" : " (new)")
                                : "");
                if (rollback)
                        print_entries_left(f, c);
        }
        json_array_foreach(json_object_get(tx, "notes"), i, c)
                fprintf(f, "  note: %s\n", json_string_value(c));
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

int helper_client_encode_plan(const json_t *plan, bool tty, char **ret_text, uint64_t *ret_flags) {
        char *text = json_dumps(plan, JSON_COMPACT);
        if (!text)
                return log_error_errno(-ENOMEM, "cannot format the plan: %m");
        *ret_text = text;
        *ret_flags = (json_is_true(json_object_get(plan, "persist")) ? HELPER_CLIENT_PERSIST : 0) |
                     (tty ? HELPER_CLIENT_INTERACTIVE : 0);
        return 0;
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
                helper_client_print_tx(stdout, tx, false);
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
