/* SPDX-License-Identifier: MIT */
/* The D-Bus client of skytune-helper (client.h). */
#include <stdio.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "client.h"
#include "helper-bus.h"
#include "log.h"
#include "macro.h"
#include "safe-text.h"
#include "schema.h"

/* The caller's count of interrupts (helper_client_set_interrupts), or NULL: none. */
static unsigned (*interrupts)(void);

void helper_client_set_interrupts(unsigned (*count)(void)) {
        interrupts = count;
}

static unsigned interrupt_count(void) {
        return interrupts ? interrupts() : 0;
}

static int connect_bus(sd_bus **ret) {
        int r = sd_bus_open_system(ret);
        if (r < 0)
                return log_error_errno(r,
                                       "cannot connect to the system bus: %m (is dbus running? DBUS_SYSTEM_BUS_ADDRESS "
                                       "selects another bus)");
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
        return e->name &&
                (startswith(e->name, HELPER_ERROR_PREFIX) ||
                 sd_bus_error_has_names(e, SD_BUS_ERROR_ACCESS_DENIED, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
                                        SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER));
}

static uint64_t read_timeout_usec; /* helper_client_set_read_timeout(); 0: the bus default */

void helper_client_set_read_timeout(uint64_t usec) {
        read_timeout_usec = usec;
}

/* A call the helper may ask polkit about with a password prompt (a change, with the interactive flag
 * or from a connection that allows interactive authorization: stdin a terminal) waits longer than the
 * helper waits for polkit then, so that its reply, not a timeout of ours, says what happened; other
 * calls the bus default, or the read timeout for those that change nothing. */
static uint64_t call_timeout(sd_bus *bus, bool change, uint64_t flags) {
        bool prompt =
                change && ((flags & HELPER_FLAG_INTERACTIVE) || sd_bus_get_allow_interactive_authorization(bus) > 0);
        return prompt ? HELPER_POLKIT_INTERACTIVE_USEC + 30 * UINT64_C(1000000) : change ? 0 : read_timeout_usec;
}

/* sd_bus_call() gives up on EINTR, after the helper may have acted on the call, and the client would
 * not know what it did. This waits for the reply through signals (the caller's handler only counts
 * them: helper_client_set_interrupts), says once that it is waiting, and leaves the
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
                        unsigned n = interrupt_count();
                        if (n > 0 && !told)
                                log_notice("interrupted: waiting for skytune-helper's answer to %s, which it has "
                                           "received, so that its outcome is known (interrupt again to stop waiting)",
                                           method);
                        told = told || n > 0;
                        r = n >= 2 ? -ECANCELED : 0;
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

/* The JSON string of a reply, escaped for a terminal: -EBADMSG when it is none, -ENOMEM. */
static int read_reply(sd_bus_message *reply, json_t **ret) {
        const char *s;
        json_error_t jerr;
        json_t *doc = sd_bus_message_read(reply, "s", &s) < 0 ? NULL : json_loads(s, 0, &jerr);
        if (!doc)
                return -EBADMSG;
        if (json_escape_tree(doc) < 0) { /* plan strings come back in it, for the terminal */
                json_decref(doc);
                return -ENOMEM;
        }
        *ret = doc;
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
        r = sd_bus_message_new_method_call(bus, &m, HELPER_BUS_NAME, HELPER_BUS_PATH, HELPER_BUS_IFACE, method);
        r = r < 0 ? r : sd_bus_message_appendv(m, types, ap);
        va_end(ap);
        r = r < 0 ? sd_bus_error_set_errno(&e, r)
                  : call_to_end(bus, m, method, call_timeout(bus, change, flags), &e, &reply);
        sd_bus_message_unref(m);
        if (r < 0) {
                if (r == -ECANCELED)
                        log_error("%s: stopped waiting for skytune-helper's answer (interrupted twice)", method);
                else
                        log_error("%s: %s%s", e.name ?: method, e.message ?: strerror(-r), hint(&e));
                sd_bus_flush_close_unref(bus);
                return r;
        }
        r = read_reply(reply, ret);
        sd_bus_message_unref(reply);
        sd_bus_flush_close_unref(bus);
        if (r == -ENOMEM)
                return log_error_errno(r, "cannot escape the reply to %s for display: %m", method);
        if (r < 0)
                return log_error_errno(r, "the helper's reply to %s cannot be read", method);
        return 0;
}

struct HelperAsync {
        sd_bus *bus;
        sd_bus_slot *slot; /* the call in flight; NULL once answered */
        HelperListDone done;
        void *userdata;
        const char *method; /* for the message of a failure */
};

static int on_list_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        HelperAsync *a = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);
        json_t *doc = NULL;
        char why[1024];
        int r = e ? -EIO : read_reply(m, &doc);
        if (e)
                snprintf(why, sizeof(why), "%s: %s%s", e->name ?: a->method, e->message ?: "no message", hint(e));
        else if (r < 0)
                snprintf(why, sizeof(why), "the helper's reply to %s cannot be read: %s", a->method, strerror(-r));
        a->slot = sd_bus_slot_unref(a->slot);
        a->done(a->userdata, doc, doc ? NULL : why);
        return 0;
}

/* method with no argument (id NULL) or the one string id. */
static int call_async(sd_event *e, uint64_t timeout_usec, const char *method, const char *id, HelperListDone done,
                      void *userdata, HelperAsync **ret) {
        HelperAsync *a = calloc(1, sizeof(*a));
        if (!a)
                return -ENOMEM;
        *a = (HelperAsync) { .done = done, .userdata = userdata, .method = method };
        sd_bus_message *m = NULL;
        int r = sd_bus_open_system(&a->bus);
        if (r >= 0)
                r = sd_bus_attach_event(a->bus, e, SD_EVENT_PRIORITY_NORMAL);
        if (r >= 0)
                r = sd_bus_message_new_method_call(a->bus, &m, HELPER_BUS_NAME, HELPER_BUS_PATH, HELPER_BUS_IFACE,
                                                   method);
        if (r >= 0 && id)
                r = sd_bus_message_append(m, "s", id);
        if (r >= 0)
                r = sd_bus_call_async(a->bus, &a->slot, m, on_list_reply, a, timeout_usec);
        sd_bus_message_unref(m);
        if (r < 0) {
                helper_client_async_free(a);
                return r;
        }
        *ret = a;
        return 0;
}

int helper_client_list_async(sd_event *e, uint64_t timeout_usec, HelperListDone done, void *userdata,
                             HelperAsync **ret) {
        return call_async(e, timeout_usec, "ListTransactions", NULL, done, userdata, ret);
}

int helper_client_get_async(sd_event *e, uint64_t timeout_usec, const char *id, HelperListDone done, void *userdata,
                            HelperAsync **ret) {
        return call_async(e, timeout_usec, "GetTransaction", id, done, userdata, ret);
}

HelperAsync *helper_client_async_free(HelperAsync *a) {
        if (!a)
                return NULL;
        sd_bus_slot_unref(a->slot); /* a call in flight: its reply is dropped, done not called */
        sd_bus_close_unref(a->bus);
        free(a);
        return NULL;
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
                        return log_error_errno(-EBADMSG,
                                               "skytune-helper's ListTransactionsPage does not go back before %s",
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
        *ret = json_pack("{s:s, s:O, s:i}", "schema", TXLIST_SCHEMA, "transactions", all, "omitted", 0);
        return *ret ? 0 : log_error_errno(-ENOMEM, "cannot list the transactions: %m");
}

int helper_client_get(const char *id, json_t **ret) {
        return call("GetTransaction", false, 0, ret, "s", id);
}

int helper_client_annotate(const char *id, const char *verification_json, json_t **ret) {
        return call("AnnotateTransaction", true, 0, ret, "ss", id, verification_json);
}

int helper_client_encode_plan(const json_t *plan, bool tty, char **ret_text, uint64_t *ret_flags) {
        char *text = json_dumps(plan, JSON_COMPACT);
        if (!text)
                return log_error_errno(-ENOMEM, "cannot format the plan: %m");
        *ret_text = text;
        *ret_flags = (json_is_true(json_object_get(plan, "persist")) ? HELPER_FLAG_PERSIST : 0) |
                (tty ? HELPER_FLAG_INTERACTIVE : 0);
        return 0;
}
