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
