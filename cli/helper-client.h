/* SPDX-License-Identifier: MIT */
/* The CLI side of skytune-helper: the client library (client/client.h: the calls and their flags)
 * and what the verbs build on it (cli/helper-client.c). */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "client.h"

/* The non-dry-run end of skytune apply: ask (unless yes, or stdin/stdout is not a terminal), send the
 * plan to the helper, report the transaction. Returns the exit code. */
int helper_client_apply_plan(json_t *plan, long long pending, bool yes, bool json);

/* Options of verbs that take only --json and --help: returns -1 to go on, else the exit code. */
int helper_client_json_args(int argc, char **argv, const char *usage, bool *ret_json);
/* The same with --all (when ret_all is not NULL) and one optional argument (NULL when absent; a second
 * one is a usage error). Usage errors are logged as "skytune: error: ..." naming the verb's --help. */
int helper_client_json_args_id(int argc, char **argv, const char *usage, bool *ret_json, bool *ret_all, const char **ret_id);
