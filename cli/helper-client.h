/* SPDX-License-Identifier: MIT */
/* The CLI side of skytune-helper: calls io.skysentinel.SkyTune1 on the system bus (the standard
 * DBUS_SYSTEM_BUS_ADDRESS selects another bus) and hands back the JSON the helper replies with. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* The "t flags" of Apply and RollbackWithFlags (docs/helper.md). */
enum {
        HELPER_CLIENT_INTERACTIVE = 1 << 0,
        HELPER_CLIENT_PERSIST = 1 << 1,
        HELPER_CLIENT_FORCE = 1 << 2,
};

/* Each logs a failure (the helper's error name and message, and what to do) and returns a negative
 * errno; *ret is the parsed JSON reply. */
int helper_client_apply(const char *plan_json, uint64_t flags, json_t **ret);
/* After a failed call: true when it is unknown what the helper did (no reply, a lost connection, a
 * second interrupt while waiting), false when the helper (or the bus) refused the call as a whole. */
bool helper_client_outcome_unknown(void);
/* The plan as the compact JSON Apply takes, and its flags (persist from the plan; interactive
 * authorization when a person is at the terminal). Logs failures. */
int helper_client_encode_plan(const json_t *plan, bool tty, char **ret_text, uint64_t *ret_flags);
int helper_client_rollback(const char *id, uint64_t flags, json_t **ret);
int helper_client_list(json_t **ret);
/* Every transaction (ListTransactions caps finished ones): ListTransactionsPage page by page, as one
 * skytune.txlist/1 document, oldest first. */
int helper_client_list_all(json_t **ret);
int helper_client_get(const char *id, json_t **ret);
/* AnnotateTransaction: store a skytune.verify/1 record (the verdicts of apply --verify, with the
 * decision) with transaction id; *ret is the transaction as saved. */
int helper_client_annotate(const char *id, const char *verification_json, json_t **ret);

/* The non-dry-run end of skytune apply: ask (unless yes, or stdin/stdout is not a terminal), send the
 * plan to the helper, report the transaction. Returns the exit code. */
int helper_client_apply_plan(json_t *plan, long long pending, bool yes, bool json);

/* Options of verbs that take only --json and --help: returns -1 to go on, else the exit code. */
int helper_client_json_args(int argc, char **argv, const char *usage, bool *ret_json);
/* The same with --all (when ret_all is not NULL) and one optional argument (NULL when absent; a second
 * one is a usage error). Usage errors are logged as "skytune: error: ..." naming the verb's --help. */
int helper_client_json_args_id(int argc, char **argv, const char *usage, bool *ret_json, bool *ret_all, const char **ret_id);

/* One line per change of a transaction, for people ("  applied   sysctl vm.swappiness  60 -> 10"). */
void helper_client_print_tx(FILE *f, const json_t *tx, bool rollback);
