/* SPDX-License-Identifier: MIT */
/* What `skytune monitor` and `skytune alerts` share: the monitor's store opened to read, with a
 * message for each way it cannot be (none there yet, not a store, newer, not readable), and a
 * document written as JSON or through its renderer. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "tsdb.h"

/* tsdb_open_reader with the reason logged: -errno. */
int monitor_store_open(const char *path, struct tsdb **ret);
/* doc (taken; NULL: out of memory) as JSON or rendered for people: EXIT_OK or EXIT_FAIL. */
int monitor_emit(json_t *doc, bool json, int (*render)(FILE *, const json_t *));
