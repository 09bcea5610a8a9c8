/* SPDX-License-Identifier: MIT */
/* The alert events the writer keeps (tsdb.h, tsdb_event_*): the table `events`, made at the
 * writer's open, read by `skytune alerts --history`. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tsdb-internal.h"

static bool text_ok(const char *s) {
        size_t n = s ? strlen(s) : 0;
        return n >= 1 && n <= 256;
}

int tsdb_event_add(struct tsdb *t, const struct tsdb_event *ev) {
        if (!text_ok(ev->name) || !text_ok(ev->event) || !text_ok(ev->level))
                return -EINVAL;
        sqlite3_stmt *st;
        int r = tsdb_prepare(t->db, "INSERT INTO events(t, name, event, level, value) VALUES(?1, ?2, ?3, ?4, ?5)", &st);
        if (r < 0)
                return r;
        bool bad = sqlite3_bind_int64(st, 1, ev->t_ms) != SQLITE_OK ||
                sqlite3_bind_text(st, 2, ev->name, -1, SQLITE_STATIC) != SQLITE_OK ||
                sqlite3_bind_text(st, 3, ev->event, -1, SQLITE_STATIC) != SQLITE_OK ||
                sqlite3_bind_text(st, 4, ev->level, -1, SQLITE_STATIC) != SQLITE_OK ||
                (isfinite(ev->value) ? sqlite3_bind_double(st, 5, ev->value) : sqlite3_bind_null(st, 5)) != SQLITE_OK;
        r = bad ? -ENOMEM : tsdb_errno(sqlite3_step(st));
        sqlite3_finalize(st);
        return r;
}

int tsdb_event_each(struct tsdb *t, int64_t from_ms, int64_t to_ms, const char *name, tsdb_event_fn fn,
                    void *userdata) {
        return tsdb_event_newest(t, from_ms, to_ms, name, -1, fn, userdata);
}

int tsdb_event_newest(struct tsdb *t, int64_t from_ms, int64_t to_ms, const char *name, int64_t max, tsdb_event_fn fn,
                      void *userdata) {
        sqlite3_stmt *st;
        /* The newest max by the index on t, then in time order (LIMIT -1: all). */
        int r = tsdb_prepare(t->db,
                             "SELECT t, name, event, level, value FROM (SELECT id, t, name, event, level, value"
                             " FROM events WHERE t >= ?1 AND t < ?2 AND (?3 IS NULL OR name = ?3)"
                             " ORDER BY t DESC, id DESC LIMIT ?4) ORDER BY t, id",
                             &st);
        /* A store opened to read, written before the table existed: no events. */
        if (r == -EIO && strstr(sqlite3_errmsg(t->db), "no such table"))
                return 0;
        if (r < 0)
                return r;
        if (sqlite3_bind_int64(st, 1, from_ms) != SQLITE_OK || sqlite3_bind_int64(st, 2, to_ms) != SQLITE_OK ||
            (name ? sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC) : sqlite3_bind_null(st, 3)) != SQLITE_OK ||
            sqlite3_bind_int64(st, 4, max < 0 ? -1 : max) != SQLITE_OK)
                r = -ENOMEM;
        int rc = SQLITE_DONE;
        while (r >= 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
                struct tsdb_event ev = {
                        .t_ms = sqlite3_column_int64(st, 0),
                        .name = (const char *) sqlite3_column_text(st, 1),
                        .event = (const char *) sqlite3_column_text(st, 2),
                        .level = (const char *) sqlite3_column_text(st, 3),
                        .value = sqlite3_column_type(st, 4) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 4),
                };
                r = ev.name && ev.event && ev.level ? fn(&ev, userdata) : -ENOMEM;
        }
        if (r >= 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
                r = tsdb_errno(rc);
        sqlite3_finalize(st);
        return r;
}

int tsdb_event_prune(struct tsdb *t, int64_t before_ms, int64_t max, int64_t *ret_dropped) {
        sqlite3_stmt *st;
        int r = tsdb_prepare(t->db,
                             "DELETE FROM events WHERE t < ?1 OR id <= (SELECT id FROM events ORDER BY id DESC"
                             " LIMIT 1 OFFSET ?2)",
                             &st);
        if (r < 0)
                return r;
        if (sqlite3_bind_int64(st, 1, before_ms) != SQLITE_OK || sqlite3_bind_int64(st, 2, max) != SQLITE_OK)
                r = -ENOMEM;
        else
                r = tsdb_errno(sqlite3_step(st));
        if (r >= 0 && ret_dropped)
                *ret_dropped = sqlite3_changes(t->db);
        sqlite3_finalize(st);
        return r;
}
