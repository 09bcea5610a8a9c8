/* SPDX-License-Identifier: MIT */
/* skytune history's renderers (render.h says the rules). */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* A skytune.txlist/1 list; all: the candidate rounds of apply --verify under their run. */
int render_history_list(FILE *f, const json_t *list, bool all);
/* One skytune.tx/1 transaction, its changes and its verification. */
int render_history_tx(FILE *f, const json_t *tx);
