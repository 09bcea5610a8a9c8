/* SPDX-License-Identifier: MIT */
/* SQLite calls with every result code checked and mapped to a negative errno. */
#include <errno.h>

#include "tsdb-internal.h"

int tsdb_errno(int rc) {
        switch (rc & 0xff) {
        case SQLITE_OK:
        case SQLITE_ROW:
        case SQLITE_DONE:
                return 0;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                return -EBUSY;
        case SQLITE_NOMEM:
                return -ENOMEM;
        case SQLITE_FULL:
                return -ENOSPC;
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
                return -EBADMSG;
        case SQLITE_READONLY:
        case SQLITE_PERM:
        case SQLITE_AUTH:
                return -EACCES;
        case SQLITE_CANTOPEN:
                return -ENOENT;
        case SQLITE_CONSTRAINT:
                return -EEXIST;
        case SQLITE_TOOBIG:
                return -E2BIG;
        case SQLITE_RANGE:
        case SQLITE_MISUSE:
                return -EINVAL;
        default:
                return -EIO;
        }
}

int tsdb_exec(sqlite3 *db, const char *sql) {
        return tsdb_errno(sqlite3_exec(db, sql, NULL, NULL, NULL));
}

int tsdb_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **ret) {
        *ret = NULL;
        return tsdb_errno(sqlite3_prepare_v2(db, sql, -1, ret, NULL));
}

int tsdb_step_int(sqlite3_stmt *st, int64_t *ret) {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return -ENOENT;
        if (rc != SQLITE_ROW)
                return tsdb_errno(rc);
        *ret = sqlite3_column_int64(st, 0);
        return 0;
}

int tsdb_query_int(sqlite3 *db, const char *sql, int64_t *ret) {
        sqlite3_stmt *st;
        int r = tsdb_prepare(db, sql, &st);
        if (r == 0)
                r = tsdb_step_int(st, ret);
        sqlite3_finalize(st);
        return r;
}

static const char *const kept_sql[TSDB_KEPT_N] = {
        [TSDB_KEPT_BEGIN] = "BEGIN IMMEDIATE",
        [TSDB_KEPT_COMMIT] = "COMMIT",
        [TSDB_KEPT_ROLLBACK] = "ROLLBACK",
        [TSDB_KEPT_SERIES_EXISTS] = "SELECT 1 FROM series WHERE id = ?1",
        [TSDB_KEPT_LOG_INSERT] = "INSERT INTO log(t0, t_last, codec, blob) VALUES (?1, ?2, ?3, ?4)",
        [TSDB_KEPT_STATE_PUT] = "INSERT OR REPLACE INTO state(key, value) VALUES(?1, ?2)",
        [TSDB_KEPT_QUEUE_COUNT] = "SELECT count(*) FROM queue",
};

int tsdb_kept(struct tsdb *t, enum tsdb_kept which, sqlite3_stmt **ret) {
        if (!t->kept[which]) {
                int r = tsdb_errno(sqlite3_prepare_v3(t->db, kept_sql[which], -1, SQLITE_PREPARE_PERSISTENT,
                                                      &t->kept[which], NULL));
                if (r < 0)
                        return r;
        }
        *ret = t->kept[which];
        return 0;
}

void tsdb_kept_done(sqlite3_stmt *st) {
        if (!st)
                return;
        (void) sqlite3_reset(st); /* its error was the step's, reported there */
        (void) sqlite3_clear_bindings(st);
}

int tsdb_kept_run(struct tsdb *t, enum tsdb_kept which) {
        sqlite3_stmt *st;
        int r = tsdb_kept(t, which, &st);
        if (r < 0)
                return r;
        r = tsdb_errno(sqlite3_step(st));
        tsdb_kept_done(st);
        return r;
}

int tsdb_kept_end(struct tsdb *t, int r) {
        if (r < 0) {
                (void) tsdb_kept_run(t, TSDB_KEPT_ROLLBACK);
                return r;
        }
        r = tsdb_kept_run(t, TSDB_KEPT_COMMIT);
        if (r < 0)
                (void) tsdb_kept_run(t, TSDB_KEPT_ROLLBACK);
        return r;
}

void tsdb_kept_free(struct tsdb *t) {
        for (size_t i = 0; i < TSDB_KEPT_N; i++) {
                sqlite3_finalize(t->kept[i]);
                t->kept[i] = NULL;
        }
}

int tsdb_begin(sqlite3 *db) {
        return tsdb_exec(db, "BEGIN IMMEDIATE");
}

int tsdb_end(sqlite3 *db, int r) {
        if (r < 0) {
                (void) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
                return r;
        }
        r = tsdb_exec(db, "COMMIT");
        if (r < 0)
                (void) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return r;
}

struct tsdb_log_bound tsdb_log_bound(const struct tsdb *t, int64_t series) {
        if (series < 0 || (uint64_t) series >= t->n_bound)
                return (struct tsdb_log_bound){ -1, -1 };
        return t->bound[series];
}

int tsdb_log_blob(sqlite3_stmt *st, int col, const uint8_t **ret, size_t *ret_len) {
        if (sqlite3_column_int64(st, col) != CHUNK_CODEC_FLUSH)
                return -EBADMSG;
        *ret = sqlite3_column_blob(st, col + 1);
        *ret_len = (size_t) sqlite3_column_bytes(st, col + 1);
        return *ret ? 0 : -EBADMSG;
}

int tsdb_each_log_blob(sqlite3_stmt *st, int r, tsdb_blob_fn fn, void *userdata) {
        while (r == 0) {
                int rc = sqlite3_step(st);
                if (rc != SQLITE_ROW) {
                        r = tsdb_errno(rc);
                        break;
                }
                const uint8_t *blob;
                size_t len;
                r = tsdb_log_blob(st, 0, &blob, &len);
                if (r == 0)
                        r = fn(blob, len, userdata);
        }
        sqlite3_finalize(st);
        return r;
}

int tsdb_bind2(sqlite3_stmt *st, int64_t a, int64_t b) {
        int r = tsdb_errno(sqlite3_reset(st));
        if (r == 0)
                r = tsdb_errno(sqlite3_bind_int64(st, 1, a));
        if (r == 0)
                r = tsdb_errno(sqlite3_bind_int64(st, 2, b));
        return r;
}
