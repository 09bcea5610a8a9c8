/* SPDX-License-Identifier: MIT */
/* The skytune transactions of a benchmark run (docs/bench.md, "transactions"): which of the helper's
 * are active, what each changed, and what changed between two runs. Pure: the CLI asks the helper
 * (suite/ does not talk D-Bus) and passes the list in. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

/* The most tunables named per transaction: a summary, the helper keeps the rest. */
#define BENCH_TX_MAX_TUNABLES 16

/* The active transactions (state applied or partially-rolled-back) of a skytune.txlist/1 document,
 * in its order, as [{"id", "state", "applied"}] (applied: the transaction's "created" time). NULL:
 * not such a document, or no memory. */
json_t *bench_tx_active(const json_t *txlist);
/* Adds "tunables": ["key=new", ...] (the changes of the skytune.tx/1 tx that are applied) to entry.
 * -ENOMEM. */
int bench_tx_add_tunables(json_t *entry, const json_t *tx);
/* What changed between two runs' "transactions": {"applied": [those of after that before has not],
 * "rolled_back": [those of before that after has not]}, compared by id; null when either side is
 * not a list (unknown). NULL on no memory. */
json_t *bench_tx_diff(const json_t *before, const json_t *after);
/* Whether a bench_tx_diff() result names any transaction. */
bool bench_tx_changed(const json_t *diff);
