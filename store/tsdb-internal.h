/* SPDX-License-Identifier: MIT */
/* What the files of the store share: the handle and the SQLite helpers (tsdb-sql.c). */
#pragma once

#include <sqlite3.h>

#include "tsdb.h"

struct tsdb {
        sqlite3 *db;
};

/* An SQLite result code as a negative errno (0 for OK, ROW and DONE). */
int tsdb_errno(int rc);
/* Runs SQL without results. */
int tsdb_exec(sqlite3 *db, const char *sql);
int tsdb_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **ret);
/* Steps a statement expected to yield one integer in column 0: -ENOENT when no row. */
int tsdb_step_int(sqlite3_stmt *st, int64_t *ret);
/* The single integer of a query (a pragma, a count): -ENOENT when no row. */
int tsdb_query_int(sqlite3 *db, const char *sql, int64_t *ret);
/* BEGIN IMMEDIATE; and COMMIT (or ROLLBACK when r < 0, returning r). */
int tsdb_begin(sqlite3 *db);
int tsdb_end(sqlite3 *db, int r);
