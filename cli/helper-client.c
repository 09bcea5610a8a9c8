/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "cli.h"
#include "helper-client.h"
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

/* sd_bus_call() gives up on EINTR, after the helper may have acted on the call, and the client would
 * not know what it did. This waits for the reply through signals (with the interrupt handler of
 * cli_install_interrupt() they only set a flag), says once that it is waiting, and leaves the
 * decision to the caller, which then knows the outcome. The default timeout still applies. */
static int call_to_end(sd_bus *bus, sd_bus_message *m, const char *method, sd_bus_error *e, sd_bus_message **ret) {
        PendingCall c = { .error = SD_BUS_ERROR_NULL };
        sd_bus_slot *slot = NULL;
        int r = sd_bus_call_async(bus, &slot, m, on_reply, &c, 0);
        bool told = false;
        while (r >= 0 && !c.done) {
                r = sd_bus_process(bus, NULL);
                if (r != 0)
                        continue;
                r = sd_bus_wait(bus, UINT64_MAX);
                if (r == -EINTR) {
                        if (cli_interrupted() && !told)
                                log_notice("interrupted: waiting for skytune-helper's answer to %s, which it has "
                                           "received, so that its outcome is known", method);
                        told = told || cli_interrupted();
                        r = 0;
                }
        }
        sd_bus_slot_unref(slot);
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

static int call(const char *method, json_t **ret, const char *types, ...) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus *bus = NULL;
        sd_bus_message *reply = NULL, *m = NULL;
        int r = connect_bus(&bus);
        if (r < 0)
                return r;
        va_list ap;
        va_start(ap, types);
        r = sd_bus_message_new_method_call(bus, &m, BUS_NAME, BUS_PATH, BUS_IFACE, method);
        r = r < 0 ? r : sd_bus_message_appendv(m, types, ap);
        va_end(ap);
        r = r < 0 ? sd_bus_error_set_errno(&e, r) : call_to_end(bus, m, method, &e, &reply);
        sd_bus_message_unref(m);
        if (r < 0) {
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
        return call("Apply", ret, "st", plan_json, flags);
}

int helper_client_rollback(const char *id, uint64_t flags, json_t **ret) {
        return call("RollbackWithFlags", ret, "st", id, flags);
}

int helper_client_list(json_t **ret) {
        return call("ListTransactions", ret, "");
}

int helper_client_get(const char *id, json_t **ret) {
        return call("GetTransaction", ret, "s", id);
}

int helper_client_annotate(const char *id, const char *verification_json, json_t **ret) {
        return call("AnnotateTransaction", ret, "ss", id, verification_json);
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
                        fputs(usage, stdout);
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
                /* The helper undoes a failed Apply itself, so a failure leaves nothing applied. */
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
