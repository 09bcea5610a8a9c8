/* SPDX-License-Identifier: MIT */
/* The D-Bus object: io.skysentinel.SkyTune1 at /io/skysentinel/SkyTune1.
 *   Apply(s plan, t flags) -> (s transaction)         polkit io.skysentinel.skytune.apply
 *   Rollback(s id) -> (s transaction)                 polkit io.skysentinel.skytune.rollback
 *   RollbackWithFlags(s id, t flags) -> (s transaction)   the same, with HELPER_FLAG_FORCE
 *   AnnotateTransaction(s id, s verification) -> (s transaction)   polkit io.skysentinel.skytune.apply;
 *                                                     stores the verdicts of `apply --verify` with it
 *   ListTransactions() -> (s list)                    anyone; in full with io.skysentinel.skytune.read,
 *   ListTransactionsPage(s before, u limit) -> (s list)   else redacted (read.c)
 *   GetTransaction(s id) -> (s transaction)           the same; live values and drift added
 *   property Version (s)
 * Handlers validate first (a bad plan never reaches polkit), then ask polkit asynchronously; the
 * work runs in the polkit reply callback. The loop is single-threaded and a transaction runs to the
 * end inside one callback, so callers are served one at a time, in the order polkit answers. Root
 * (euid 0 as the bus vouches for it) is served at once, without polkit (which always allows root),
 * so no queue of other callers can make it wait or refuse it; everyone else waits for polkit, at
 * most HELPER_PENDING_PER_UID requests per uid and HELPER_PENDING_MAX in all, and trusted callers
 * (trust.c) HELPER_PENDING_RESERVED more, so unauthenticated ones cannot crowd them out. */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "service.h"

typedef enum Op {
        OP_APPLY,
        OP_ROLLBACK,
        OP_ANNOTATE,
        OP_LIST,
        OP_PAGE,
        OP_GET,
} Op;

static const struct {
        const char *method, *action;
        bool read;        /* never refused: without the action the caller gets the redacted view */
} ops[] = {
        [OP_APPLY] = { "Apply", HELPER_ACTION_APPLY, false },
        [OP_ROLLBACK] = { "Rollback", HELPER_ACTION_ROLLBACK, false },
        [OP_ANNOTATE] = { "AnnotateTransaction", HELPER_ACTION_APPLY, false },
        [OP_LIST] = { "ListTransactions", HELPER_ACTION_READ, true },
        [OP_PAGE] = { "ListTransactionsPage", HELPER_ACTION_READ, true },
        [OP_GET] = { "GetTransaction", HELPER_ACTION_READ, true },
};

struct Request {
        Service *s;
        Op op;
        bool interactive;
        sd_bus_message *msg;
        sd_bus_slot *slot;
        Plan *plan;
        json_t *verification;
        char *tx_id;            /* also ListTransactionsPage's "before" */
        uint64_t flags;         /* also ListTransactionsPage's limit */
        uid_t uid;
        Request *next;
};

static Request *request_free(Request *req) {
        if (!req)
                return NULL;
        Service *s = req->s;
        for (Request **p = &s->requests; *p; p = &(*p)->next)
                if (*p == req) {
                        *p = req->next;
                        s->n_requests--;
                        break;
                }
        sd_bus_slot_unref(req->slot);
        sd_bus_message_unref(req->msg);
        plan_free(req->plan);
        json_decref(req->verification);
        free(req->tx_id);
        free(req);
        return NULL;
}

bool bus_is_idle(Service *s) {
        return s->n_requests == 0;
}

void bus_cancel_requests(Service *s, const char *why) {
        while (s->requests) {
                Request *req = s->requests;
                (void) sd_bus_reply_method_errorf(req->msg, HELPER_ERROR_FAILED, "%s; nothing of this request was done", why);
                request_free(req);
        }
}

static int reply_json(sd_bus_message *m, json_t *doc) {
        _cleanup_free_ char *s = json_dumps(doc, JSON_COMPACT);
        if (!s)
                return sd_bus_reply_method_errorf(m, HELPER_ERROR_FAILED, "out of memory");
        return sd_bus_reply_method_return(m, "s", s);
}

static uid_t sender_uid(sd_bus_message *m) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        uid_t uid = (uid_t) -1;
        if (sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID, &creds) >= 0)
                (void) sd_bus_creds_get_euid(creds, &uid);
        return uid;
}

static int annotate(Service *s, Request *req, json_t **ret_tx, sd_bus_error *e) {
        int r = journal_set_verification(&s->core, req->tx_id, req->verification, sender_uid(req->msg), ret_tx);
        if (r == -ENOENT)
                return sd_bus_error_setf(e, HELPER_ERROR_NOT_FOUND, "no transaction %s", req->tx_id);
        if (r == -EBUSY)
                return sd_bus_error_setf(e, HELPER_ERROR_NOT_FINISHED, "transaction %s is still running; annotate it when it has ended",
                                         req->tx_id);
        if (r == -EBADMSG)
                return sd_bus_error_setf(e, HELPER_ERROR_FAILED, "cannot read transaction %s: its journal file is corrupt and was moved aside",
                                         req->tx_id);
        if (r < 0)
                return sd_bus_error_set_errnof(e, r, "cannot store the verification of transaction %s: %s", req->tx_id, strerror(-r));
        log_info("transaction %s: verification stored (%s)", req->tx_id,
                 strempty(json_string_value(json_object_get(req->verification, "decision"))));
        return 0;
}

/* The D-Bus error of a failure of the core, by its errno (helper-core.h says which means what). */
static void set_core_error(sd_bus_error *be, const Error *e, Op op) {
        const char *name = e->code == -ENOENT ? HELPER_ERROR_NOT_FOUND
                           : e->code == -EINVAL ? (op == OP_APPLY ? HELPER_ERROR_INVALID_PLAN : SD_BUS_ERROR_INVALID_ARGS)
                           : e->code == -EBUSY  ? HELPER_ERROR_CONFLICT
                                                : HELPER_ERROR_FAILED;
        if (e->message)
                (void) sd_bus_error_setf(be, name, "%s", e->message);
        log_debug("%s: %s (set at %s)", ops[op].method, error_message(e), strempty(e->place));
}

static int serve_core(Service *s, Request *req, bool full, json_t **ret, sd_bus_error *be) {
        _cleanup_(error_done) Error e = ERROR_NULL;
        int r;
        switch (req->op) {
        case OP_ROLLBACK:
                r = tx_rollback(&s->core, req->tx_id, req->flags & HELPER_FLAG_FORCE, ret, &e);
                break;
        case OP_ANNOTATE:
                return annotate(s, req, ret, be);
        case OP_APPLY:
                r = tx_apply(&s->core, req->plan, req->plan->persist || (req->flags & HELPER_FLAG_PERSIST), req->uid, ret, &e);
                break;
        case OP_GET:
                r = read_get(&s->core, req->tx_id, full, ret, &e);
                break;
        case OP_PAGE:
                r = read_page(&s->core, full, req->tx_id, (uint32_t) req->flags, ret);
                break;
        default:
                r = read_list(&s->core, full, ret);
                break;
        }
        if (r < 0 && error_is_set(&e))
                set_core_error(be, &e, req->op);
        if (r < 0 && ops[req->op].read && !sd_bus_error_is_set(be))
                return sd_bus_error_set_errnof(be, r, "cannot read the journal: %s", strerror(-r));
        return r;
}

/* Runs an authorized request (a read: full or redacted) and replies; frees it. */
static void serve(Request *req, bool full) {
        Service *s = req->s;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        json_auto_t *tx = NULL;
        int r = serve_core(s, req, full, &tx, &e);
        if (r < 0) {
                if (!sd_bus_error_is_set(&e))
                        sd_bus_error_set_errnof(&e, r, "%s failed: %s", ops[req->op].method, strerror(-r));
                if (!ops[req->op].read)
                        log_error("%s: %s", e.name, e.message);
                (void) sd_bus_reply_method_error(req->msg, &e);
        } else
                (void) reply_json(req->msg, tx);
        if (req->op == OP_APPLY || req->op == OP_ROLLBACK)        /* an annotation finishes nothing */
                (void) journal_prune(&s->core);
        request_free(req);
        /* Journals were parsed: hand the heap back rather than keep it for the helper's short life. */
        malloc_trim(0);
}

static int authorized_cb(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Request *req = userdata;
        const char *why = NULL, *method = ops[req->op].method;
        int v = polkit_verdict(req->msg, reply, req->interactive, &why);
        if (v > 0)
                trust_remember(req->s, req->uid);
        if (v <= 0 && !ops[req->op].read) {
                log_notice("%s refused for %s: %s", method, strempty(sd_bus_message_get_sender(req->msg)), why);
                (void) sd_bus_reply_method_errorf(req->msg,
                                                  v == -EBADR ? SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED : SD_BUS_ERROR_ACCESS_DENIED,
                                                  "%s: %s", ops[req->op].action, why);
                request_free(req);
                return 0;
        }
        serve(req, v > 0);
        return 0;
}

static unsigned pending_of(Service *s, uid_t uid) {
        unsigned n = 0;
        for (Request *r = s->requests; r; r = r->next)
                n += r->uid == uid;
        return n;
}

/* Takes plan and verification (freed on failure too). */
static int queue_request(Service *s, sd_bus_message *m, Op op, Plan *plan, json_t *verification, const char *id, uint64_t flags,
                         sd_bus_error *error) {
        bool root = polkit_sender_is_root(m) > 0;
        uid_t uid = sender_uid(m);
        unsigned mine = root ? 0 : pending_of(s, uid);
        /* Unauthenticated callers share HELPER_PENDING_MAX; trusted ones may also use the reserve
         * (asked only when the shared part is full). */
        bool trusted = !root && s->n_requests >= HELPER_PENDING_MAX && trust_caller(s, m, uid);
        unsigned cap = HELPER_PENDING_MAX + (trusted ? HELPER_PENDING_RESERVED : 0);
        if (!root && (s->n_requests >= cap || mine >= HELPER_PENDING_PER_UID)) {
                plan_free(plan);
                json_decref(verification);
                if (mine >= HELPER_PENDING_PER_UID)
                        return sd_bus_error_setf(error, HELPER_ERROR_BUSY, "uid %u has %u requests waiting already; try again later",
                                                 (unsigned) uid, mine);
                return sd_bus_error_setf(error, HELPER_ERROR_BUSY, "%u requests are waiting already%s; try again later", s->n_requests,
                                         trusted ? " (the reserve for authorized callers too)" : "");
        }
        Request *req = calloc(1, sizeof(*req));
        if (!req || (id && !(req->tx_id = strdup(id)))) {
                free(req);
                plan_free(plan);
                json_decref(verification);
                return -ENOMEM;
        }
        *req = (Request) { .s = s, .op = op, .msg = sd_bus_message_ref(m), .plan = plan, .verification = verification,
                           .tx_id = req->tx_id, .flags = flags, .uid = uid, .next = s->requests };
        if (root) {
                serve(req, true);        /* not in the list: request_free finds nothing to unlink */
                return 1;
        }
        /* Reads never prompt: without a standing grant the caller gets the redacted view. */
        req->interactive = !ops[op].read &&
                           ((flags & HELPER_FLAG_INTERACTIVE) || sd_bus_message_get_allow_interactive_authorization(m) > 0);
        s->requests = req;
        s->n_requests++;
        int r = polkit_check_async(s, m, ops[op].action, req->interactive, authorized_cb, req, &req->slot);
        if (r < 0) {
                request_free(req);
                return sd_bus_error_set_errnof(error, r, "cannot ask polkit: %s", strerror(-r));
        }
        return 1;
}

/* Input that failed validation: logged, and refused with the named error before polkit is asked. */
static int refuse(sd_bus_message *m, sd_bus_error *error, const char *name, const char *what, const char *why, const char *outcome) {
        /* A reason may quote the caller's input (the JSON parser's do): no control characters in the
         * log or the reply. */
        _cleanup_free_ char *clean = strdup(why ?: "invalid input");
        if (!clean)
                return -ENOMEM;
        for (char *c = clean; *c; c++)
                if ((unsigned char) *c < 0x20 || *c == 0x7f)
                        *c = '?';
        log_notice("%s from %s rejected: %s", what, strempty(sd_bus_message_get_sender(m)), clean);
        return sd_bus_error_setf(error, name, "%s; %s", clean, outcome);
}

static int method_apply(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Service *s = userdata;
        const char *text;
        uint64_t flags;
        int r = sd_bus_message_read(m, "st", &text, &flags);
        if (r < 0)
                return r;
        if (flags & ~(uint64_t) _HELPER_FLAGS_ALL)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "unknown flags 0x%llx",
                                         (unsigned long long) (flags & ~(uint64_t) _HELPER_FLAGS_ALL));
        Plan *plan = NULL;
        _cleanup_(error_done) Error why = ERROR_NULL;
        /* Every check, host's included, before polkit is asked: what the dry run refuses, refused here alike. */
        r = plan_validate(text, strlen(text), s->core.root, &plan, &why);
        if (r == -EINVAL)
                return refuse(m, error, HELPER_ERROR_INVALID_PLAN, "plan", why.message, "nothing was changed");
        if (r < 0)
                return r;
        return queue_request(s, m, OP_APPLY, plan, NULL, NULL, flags, error);
}

static int rollback_common(sd_bus_message *m, Service *s, const char *id, uint64_t flags, sd_bus_error *error) {
        if (flags & ~(uint64_t) _HELPER_FLAGS_ALL)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "unknown flags");
        if (!isempty(id) && strcmp(id, "last") != 0 && !tx_id_valid(id))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "invalid transaction id (letters, digits and '-', at most 64)");
        return queue_request(s, m, OP_ROLLBACK, NULL, NULL, id, flags, error);
}

static int method_rollback(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *id;
        int r = sd_bus_message_read(m, "s", &id);
        return r < 0 ? r : rollback_common(m, userdata, id, 0, error);
}

static int method_rollback_flags(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *id;
        uint64_t flags;
        int r = sd_bus_message_read(m, "st", &id, &flags);
        return r < 0 ? r : rollback_common(m, userdata, id, flags, error);
}

/* Validated before polkit is asked, so a bad record never costs anyone a password prompt; whether the
 * transaction exists and has ended is decided once authorized. */
static int method_annotate(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Service *s = userdata;
        const char *id, *text;
        int r = sd_bus_message_read(m, "ss", &id, &text);
        if (r < 0)
                return r;
        if (!tx_id_valid(id))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "invalid transaction id (letters, digits and '-', at most 64)");
        json_t *record = NULL;
        _cleanup_(error_done) Error why = ERROR_NULL;
        r = verification_parse(text, strlen(text), &record, &why);
        if (r == -EINVAL)
                return refuse(m, error, HELPER_ERROR_INVALID_VERIFICATION, "verification", why.message, "nothing was stored");
        if (r < 0)
                return r;
        return queue_request(s, m, OP_ANNOTATE, NULL, record, id, 0, error);
}

static int method_list(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return queue_request(userdata, m, OP_LIST, NULL, NULL, NULL, 0, error);
}

static int method_page(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *before;
        uint32_t limit;
        int r = sd_bus_message_read(m, "su", &before, &limit);
        if (r < 0)
                return r;
        if (!isempty(before) && !tx_id_valid(before))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "invalid transaction id (letters, digits and '-', at most 64)");
        return queue_request(userdata, m, OP_PAGE, NULL, NULL, before, limit, error);
}

static int method_get(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *id;
        int r = sd_bus_message_read(m, "s", &id);
        if (r < 0)
                return r;
        if (!isempty(id) && strcmp(id, "last") != 0 && !tx_id_valid(id))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "invalid transaction id");
        return queue_request(userdata, m, OP_GET, NULL, NULL, id, 0, error);
}

static int property_version(sd_bus *bus, const char *path, const char *interface, const char *property,
                            sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", SKYTUNE_VERSION);
}

static const sd_bus_vtable helper_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Version", "s", property_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_METHOD_WITH_ARGS("Apply", SD_BUS_ARGS("s", plan, "t", flags), SD_BUS_RESULT("s", transaction), method_apply,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Rollback", SD_BUS_ARGS("s", id), SD_BUS_RESULT("s", transaction), method_rollback,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("RollbackWithFlags", SD_BUS_ARGS("s", id, "t", flags), SD_BUS_RESULT("s", transaction),
                                method_rollback_flags, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("AnnotateTransaction", SD_BUS_ARGS("s", id, "s", verification), SD_BUS_RESULT("s", transaction),
                                method_annotate, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListTransactions", SD_BUS_NO_ARGS, SD_BUS_RESULT("s", list), method_list, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListTransactionsPage", SD_BUS_ARGS("s", before, "u", limit), SD_BUS_RESULT("s", list), method_page,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetTransaction", SD_BUS_ARGS("s", id), SD_BUS_RESULT("s", transaction), method_get,
                                SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

int bus_setup(Service *s) {
        int r = sd_bus_open_system(&s->bus);
        if (r < 0)
                return log_error_errno(r, "cannot connect to the system bus: %m");
        r = sd_bus_add_object_vtable(s->bus, NULL, HELPER_BUS_PATH, HELPER_BUS_IFACE, helper_vtable, s);
        if (r < 0)
                return log_error_errno(r, "cannot register the D-Bus object: %m");
        /* A bus that goes away ends the helper (its callers are gone with it). */
        r = sd_bus_set_exit_on_disconnect(s->bus, true);
        if (r >= 0)
                r = sd_bus_attach_event(s->bus, s->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "cannot attach the bus to the event loop: %m");
        r = sd_bus_request_name(s->bus, HELPER_BUS_NAME, 0);
        if (r < 0)
                return log_error_errno(r, "cannot own %s on the system bus: %m (the bus policy lets only root own it)", HELPER_BUS_NAME);
        return 0;
}

int bus_reload_systemd(void *userdata, Error *ret_error) {
        Service *s = userdata;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = sd_bus_call_method(s->bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                   "Reload", &e, &reply, "");
        if (r < 0 && e.message)
                return error_set(ret_error, r, "%s", e.message);
        return r;
}
