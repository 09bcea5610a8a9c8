/* SPDX-License-Identifier: MIT */
/* The D-Bus client of skytune-helper: calls io.skysentinel.SkyTune1 (common/helper-bus.h) on the
 * system bus (the standard DBUS_SYSTEM_BUS_ADDRESS selects another bus) and hands back the JSON the
 * helper replies with. Used by the CLI, bench-helper and the tests: no second client. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "helper-bus.h"

/* The "t flags" of Apply and RollbackWithFlags, by the names the CLI has always used. */
enum {
        HELPER_CLIENT_INTERACTIVE = HELPER_FLAG_INTERACTIVE,
        HELPER_CLIENT_PERSIST = HELPER_FLAG_PERSIST,
        HELPER_CLIENT_FORCE = HELPER_FLAG_FORCE,
};

/* Each logs a failure (the helper's error name and message, and what to do) and returns a negative
 * errno; *ret is the parsed JSON reply (strings escaped for a terminal: safe-text.h). */
int helper_client_apply(const char *plan_json, uint64_t flags, json_t **ret);
/* After a failed call: true when it is unknown what the helper did (no reply, a lost connection, a
 * second interrupt while waiting), false when the helper (or the bus) refused the call as a whole. */
bool helper_client_outcome_unknown(void);
/* The plan as the compact JSON Apply takes, and its flags (persist from the plan; interactive
 * authorization when a person is at the terminal). Logs failures. */
int helper_client_encode_plan(const json_t *plan, bool tty, char **ret_text, uint64_t *ret_flags);
int helper_client_rollback(const char *id, uint64_t flags, json_t **ret);
int helper_client_list(json_t **ret);
/* ListTransactions without waiting, for a service on an sd-event loop: the call goes out on e and
 * done() is called once from the loop with the list (skytune.txlist/1, escaped; done's to keep) or
 * NULL and why (the helper's error name and message and what to do, or the reply's fault). Nothing
 * is logged. A negative errno when the call cannot go out (no system bus: then done is not called).
 * helper_client_async_free() drops a call in flight (done is not called) and its connection; not
 * from within done. timeout_usec 0: the bus's 25 s. */
typedef struct HelperAsync HelperAsync;
typedef void (*HelperListDone)(void *userdata, json_t *list, const char *why);
int helper_client_list_async(sd_event *e, uint64_t timeout_usec, HelperListDone done, void *userdata,
                             HelperAsync **ret);
HelperAsync *helper_client_async_free(HelperAsync *a);
/* GetTransaction(id) the same way: done() gets the transaction (skytune.tx/1, escaped). */
int helper_client_get_async(sd_event *e, uint64_t timeout_usec, const char *id, HelperListDone done, void *userdata,
                            HelperAsync **ret);

/* How long a call that changes nothing (the lists, Get) waits for the reply: 0, the default, is the
 * bus's 25 s; a service on an event loop (skytune-monitor) waits less. */
void helper_client_set_read_timeout(uint64_t usec);
/* Every transaction (ListTransactions caps finished ones): ListTransactionsPage page by page, as one
 * skytune.txlist/1 document, oldest first. */
int helper_client_list_all(json_t **ret);
int helper_client_get(const char *id, json_t **ret);
/* AnnotateTransaction: store a skytune.verify/1 record (the verdicts of apply --verify, with the
 * decision) with transaction id; *ret is the transaction as saved. */
int helper_client_annotate(const char *id, const char *verification_json, json_t **ret);

/* A call waits for the helper's reply through signals (the helper may have acted on it already). To
 * let a person stop waiting, the caller's signal handler counts interrupts and count() returns how
 * many there were: at the first the client says once that it waits, at the second it stops
 * (-ECANCELED, outcome unknown). NULL (the default): interrupts are not counted. */
void helper_client_set_interrupts(unsigned (*count)(void));
