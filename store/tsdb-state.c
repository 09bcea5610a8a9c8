/* SPDX-License-Identifier: MIT */
/* The writer's named records (tsdb.h, tsdb_state_*): the table `state`, made at the writer's open. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tsdb-internal.h"

static bool key_ok(const char *key) {
        size_t n = key ? strlen(key) : 0;
        return n >= 1 && n <= 256;
}

/* A store opened to read, written before the table existed: no records. */
static int missing_table(sqlite3 *db, int r) {
        return r == -EIO && strstr(sqlite3_errmsg(db), "no such table") ? -ENOENT : r;
}

int tsdb_state_put(struct tsdb *t, const char *key, const char *value) {
        if (!key_ok(key) || !value)
                return -EINVAL;
        sqlite3_stmt *st;
        int r = tsdb_kept(t, TSDB_KEPT_STATE_PUT, &st); /* every flush: alerts' states */
        if (r < 0)
                return r;
        if (sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC) != SQLITE_OK ||
            sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC) != SQLITE_OK)
                r = -ENOMEM;
        else
                r = tsdb_errno(sqlite3_step(st));
        tsdb_kept_done(st);
        return r;
}

int tsdb_state_get(struct tsdb *t, const char *key, char **ret) {
        if (!key_ok(key))
                return -EINVAL;
        sqlite3_stmt *st;
        int r = missing_table(t->db, tsdb_prepare(t->db, "SELECT value FROM state WHERE key = ?1", &st));
        if (r < 0)
                return r;
        if (sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC) != SQLITE_OK)
                r = -ENOMEM;
        else {
                int rc = sqlite3_step(st);
                if (rc == SQLITE_ROW) {
                        const char *v = (const char *) sqlite3_column_text(st, 0);
                        r = v && (*ret = strdup(v)) ? 0 : -ENOMEM;
                } else
                        r = rc == SQLITE_DONE ? -ENOENT : tsdb_errno(rc);
        }
        sqlite3_finalize(st);
        return r;
}

int tsdb_state_each(struct tsdb *t, const char *prefix, tsdb_state_fn fn, void *userdata) {
        if (!prefix)
                return -EINVAL;
        sqlite3_stmt *st;
        /* length() and substr() both count characters (a prefix in UTF-8 matches); the table is small. */
        int r = missing_table(t->db,
                              tsdb_prepare(t->db,
                                           "SELECT key, value FROM state WHERE substr(key, 1, length(?1)) = ?1"
                                           " ORDER BY key",
                                           &st));
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        if (sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC) != SQLITE_OK)
                r = -ENOMEM;
        int rc = SQLITE_DONE;
        while (r >= 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
                const char *k = (const char *) sqlite3_column_text(st, 0),
                           *v = (const char *) sqlite3_column_text(st, 1);
                r = k && v ? fn(k, v, userdata) : -ENOMEM;
        }
        if (r >= 0 && rc != SQLITE_DONE)
                r = tsdb_errno(rc);
        sqlite3_finalize(st);
        return r < 0 ? r : 0;
}

int tsdb_state_del(struct tsdb *t, const char *key) {
        if (!key_ok(key))
                return -EINVAL;
        sqlite3_stmt *st;
        int r = tsdb_prepare(t->db, "DELETE FROM state WHERE key = ?1", &st);
        if (r < 0)
                return r;
        r = sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC) != SQLITE_OK ? -ENOMEM : tsdb_errno(sqlite3_step(st));
        sqlite3_finalize(st);
        return r;
}
