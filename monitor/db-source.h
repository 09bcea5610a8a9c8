/* SPDX-License-Identifier: MIT */
/* The database as one of the daemon's sources (docs/monitor.md, Database metrics): the worker thread
 * (db-sampler.h) started when monitor.conf names a database, and at each tick the newest snapshot's
 * series (db-figures.h, each snapshot's points once) and monitor.db.up. A server that is down is a
 * warning at once, then at most every 5 minutes while it stays down; the host is sampled as ever. */
#pragma once

#include <stdint.h>

#include "db-figures.h"
#include "monitor-config.h"

typedef struct DbSource DbSource;

/* NULL in *ret when c names no database, or when this build has no libpq (said in the log, with
 * what to install). -ENOMEM, or the thread's error (logged). */
int db_source_start(const MonitorDbConfig *c, DbSource **ret);
/* The points of this tick, stamped by the caller. */
int db_source_tick(DbSource *d, int64_t stamp_ms, DbPointFn fn, void *userdata);
DbSource *db_source_stop(DbSource *d);
