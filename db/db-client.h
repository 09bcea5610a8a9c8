/* SPDX-License-Identifier: MIT */
/* One client of a run (db-client.c): its thread, its connection, its own result (only it writes
 * there until it is joined) and the interval counters the run's progress reads under the lock. */
#pragma once

#include <pthread.h>
#include <stdatomic.h>

#include "db-internal.h"
#include "db-run.h"
#include "schedule.h"

typedef struct DbClient {
        const DbRunConfig *cfg;
        unsigned id;
        pthread_t thread;
        atomic_bool ready;              /* connected (or failed): the run starts the clock when all are */
        const atomic_bool *go;          /* set by the run once t0_ns and end_ns are */
        const uint64_t *t0_ns;
        const uint64_t *end_ns;         /* UINT64_MAX: no duration */
        atomic_bool *stop;
        atomic_bool done;
        DbResult *res;
        pthread_mutex_t lock;           /* the interval counters and cancel */
        PGcancel *cancel;               /* while connected: the run cancels a statement on a stop */
        Histogram *iv_latency;
        uint64_t iv_tx, iv_failed, iv_skipped;
        DbConn *conn;
        StatsRng rng;
        int64_t vars[DB_SCRIPT_MAX_VARS];
        char ints[DB_SCRIPT_MAX_VARS + DB_SCRIPT_MAX_PARAMS][24];
} DbClient;

void *db_client_main(void *userdata);
/* Ask the server to cancel the client's statement in flight (from the run's thread). */
void db_client_cancel(DbClient *cl);
