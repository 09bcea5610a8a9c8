/* SPDX-License-Identifier: MIT */
/* The database's worker thread (docs/monitor.md, Database metrics): it connects through the db
 * library (and again, with a backoff from 1 s to 1 min, when the server goes away), every interval
 * takes a snapshot of the server's figures (db_figures_sql) and leaves it in a mutex-protected slot
 * for the loop, which never waits on the network. The thread never logs: its failures are handed
 * over in the slot with the snapshots. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct DbSampler DbSampler;

typedef struct DbSamplerTake {
        json_t *snapshot; /* the newest snapshot since the last take (the caller's), or NULL */
        bool tried;       /* a sample or a connection was tried since the start */
        bool up;          /* the last try worked */
        char *error;      /* the last failure's message (redacted DSN, libpq's words) when !up; the caller frees it */
} DbSamplerTake;

/* Starts the thread on a copy of dsn: -ENOMEM, or pthread_create's error. */
int db_sampler_start(const char *dsn, int64_t interval_ms, DbSampler **ret);
void db_sampler_take(DbSampler *s, DbSamplerTake *t);
/* Stops the thread (cancelling a statement in flight; a connection attempt is bounded by its
 * connect_timeout, 5 s unless the DSN says otherwise), joins it and frees s. NULL. */
DbSampler *db_sampler_stop(DbSampler *s);
