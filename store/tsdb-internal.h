/* SPDX-License-Identifier: MIT */
/* What the files of the store share: the handle and the SQLite helpers (tsdb-sql.c). */
#pragma once

#include <sqlite3.h>
#include <sys/types.h>

#include "tsdb.h"

/* A series' points in the log: the first and the last timestamp, t0 -1 when none. */
struct tsdb_log_bound {
        int64_t t0, t_last;
};

/* The statements a daemon's flush runs every few seconds (tsdb_log, tsdb_state_put, the queue's
 * count), prepared at their first use and kept: SQLite's parser and code generator then run once,
 * not at every flush, and their code need not stay resident (monitor/text-trim.h). */
enum tsdb_kept {
        TSDB_KEPT_BEGIN,
        TSDB_KEPT_COMMIT,
        TSDB_KEPT_ROLLBACK,
        TSDB_KEPT_SERIES_EXISTS,
        TSDB_KEPT_LOG_INSERT,
        TSDB_KEPT_STATE_PUT,
        TSDB_KEPT_QUEUE_COUNT,
        TSDB_KEPT_N
};

struct tsdb {
        sqlite3 *db;
        sqlite3_stmt *kept[TSDB_KEPT_N]; /* NULL until first used */
        int lock_fd;                     /* flock'd: one writer per file */
        dev_t lock_dev;                  /* the locked file, for the process's list of them */
        ino_t lock_ino;
        struct tsdb_log_bound *bound; /* by series id, n_bound of them (ids beyond: none logged) */
        size_t n_bound;
};

/* The series' bounds in the log (t0 -1 when none). */
struct tsdb_log_bound tsdb_log_bound(const struct tsdb *t, int64_t series);
/* Reads the log's bounds per series into t (at open, after a seal). */
int tsdb_load_bounds(struct tsdb *t);

/* An SQLite result code as a negative errno (0 for OK, ROW and DONE). */
int tsdb_errno(int rc);
/* The kept statement which, prepared at its first use; the caller steps it and hands it back with
 * tsdb_kept_done (never finalizes it). */
int tsdb_kept(struct tsdb *t, enum tsdb_kept which, sqlite3_stmt **ret);
/* Resets st and clears its bindings (a kept statement holds no locks and no caller's pointers). */
void tsdb_kept_done(sqlite3_stmt *st);
/* Steps the kept statement which once (BEGIN IMMEDIATE, COMMIT, ROLLBACK). */
int tsdb_kept_run(struct tsdb *t, enum tsdb_kept which);
/* tsdb_end with the kept COMMIT and ROLLBACK. */
int tsdb_kept_end(struct tsdb *t, int r);
/* Finalizes the kept statements (before the connection closes). */
void tsdb_kept_free(struct tsdb *t);
/* Runs SQL without results. */
int tsdb_exec(sqlite3 *db, const char *sql);
int tsdb_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **ret);
/* Steps a statement expected to yield one integer in column 0: -ENOENT when no row. */
int tsdb_step_int(sqlite3_stmt *st, int64_t *ret);
/* The single integer of a query (a pragma, a count): -ENOENT when no row. */
int tsdb_query_int(sqlite3 *db, const char *sql, int64_t *ret);
/* BEGIN IMMEDIATE; and COMMIT (or ROLLBACK when r < 0, returning r). */
int tsdb_begin(sqlite3 *db);
/* The one text a pragma answers must be want: mismatch otherwise. */
int tsdb_pragma_is(sqlite3 *db, const char *sql, const char *want, int mismatch);
/* The file's ids (tsdb-open.c; the benchmark history's too): ours (0), foreign or older (-EBADMSG),
 * newer (-EPROTO), or empty (1: to be created). */
int tsdb_check_ids(sqlite3 *db, int64_t application_id, int64_t user_version);
/* The file and its -wal and -shm (when present) go to PATH.corrupt-STAMP[.N][-wal|-shm], a name
 * none of the three of which is taken. *ret_moved gets the new name whenever the file has moved,
 * even when a -wal or -shm then could not follow (and could not be put back). */
int tsdb_move_aside(const char *path, char **ret_moved);
int tsdb_end(sqlite3 *db, int r);

/* Resets st and binds ?1 and ?2. */
int tsdb_bind2(sqlite3_stmt *st, int64_t a, int64_t b);
/* Each chunk: timestamps from 0, strictly increasing, 1..CHUNK_MAX_POINTS of them; at least one
 * chunk: -EINVAL. */
int tsdb_check_batch(const struct tsdb_chunk_in *c, size_t n);
/* One chunk with its rollups, inside the caller's transaction (tsdb_append_chunk's checks; the one
 * against the log's points only with log_check). */
int tsdb_append_one(struct tsdb *t, const struct tsdb_chunk_in *c, bool log_check);
/* The series exists: -ENOENT. A kept statement: a flush asks for each of its series. */
int tsdb_series_exists(struct tsdb *t, int64_t series);
/* The t_last of the series' last chunk starting at or before at_or_before; -1 when none. */
int tsdb_chunk_end(sqlite3 *db, int64_t series, int64_t at_or_before, int64_t *ret);
/* The flush blob of a log row selected as (codec, blob) from column col: -EBADMSG. */
int tsdb_log_blob(sqlite3_stmt *st, int col, const uint8_t **ret, size_t *ret_len);
typedef int (*tsdb_blob_fn)(const uint8_t *blob, size_t len, void *userdata);
/* Steps st (prepared and bound when r is 0) through its rows of (codec, blob), hands each flush blob
 * to fn, and finalizes st: the first error, fn's included. */
int tsdb_each_log_blob(sqlite3_stmt *st, int r, tsdb_blob_fn fn, void *userdata);
