/* SPDX-License-Identifier: MIT */
/* The writer's outgoing queue (tsdb.h, tsdb_queue_*): the table `queue`, made at the writer's open.
 * AUTOINCREMENT keeps ids growing after the newest item is removed, so that id order is push order
 * across restarts. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tsdb-internal.h"

static bool receiver_ok(const char *receiver) {
        size_t n = receiver ? strlen(receiver) : 0;
        return n >= 1 && n <= 256;
}

/* Prepares sql and binds ?1 to text (when not NULL). */
static int prepare_text(struct tsdb *t, const char *sql, const char *text, sqlite3_stmt **st) {
        int r = tsdb_prepare(t->db, sql, st);
        if (r == 0 && text && sqlite3_bind_text(*st, 1, text, -1, SQLITE_STATIC) != SQLITE_OK)
                r = -ENOMEM;
        return r;
}

int tsdb_queue_push(struct tsdb *t, const char *receiver, int64_t now_ms, const char *body) {
        if (!receiver_ok(receiver) || !body)
                return -EINVAL;
        sqlite3_stmt *st;
        int r = prepare_text(t, "INSERT INTO queue(receiver, created, due, attempts, body) VALUES(?1, ?2, ?2, 0, ?3)",
                             receiver, &st);
        if (r == 0 &&
            (sqlite3_bind_int64(st, 2, now_ms) != SQLITE_OK ||
             sqlite3_bind_text(st, 3, body, -1, SQLITE_STATIC) != SQLITE_OK))
                r = -ENOMEM;
        if (r == 0)
                r = tsdb_errno(sqlite3_step(st));
        sqlite3_finalize(st);
        return r;
}

int tsdb_queue_head(struct tsdb *t, const char *receiver, struct tsdb_queue_item *ret) {
        if (!receiver_ok(receiver))
                return -EINVAL;
        sqlite3_stmt *st;
        int r = prepare_text(
                t, "SELECT id, created, due, attempts, body FROM queue WHERE receiver = ?1 ORDER BY id LIMIT 1",
                receiver, &st);
        if (r == 0) {
                int rc = sqlite3_step(st);
                if (rc == SQLITE_ROW) {
                        const char *body = (const char *) sqlite3_column_text(st, 4);
                        *ret = (struct tsdb_queue_item) {
                                .id = sqlite3_column_int64(st, 0),
                                .created_ms = sqlite3_column_int64(st, 1),
                                .due_ms = sqlite3_column_int64(st, 2),
                                .attempts = sqlite3_column_int(st, 3),
                                .body = body ? strdup(body) : NULL,
                        };
                        r = ret->body ? 0 : -ENOMEM;
                } else
                        r = rc == SQLITE_DONE ? -ENOENT : tsdb_errno(rc);
        }
        sqlite3_finalize(st);
        return r;
}

int tsdb_queue_retry(struct tsdb *t, int64_t id, int attempts, int64_t due_ms) {
        sqlite3_stmt *st;
        int r = tsdb_prepare(t->db, "UPDATE queue SET attempts = ?3, due = ?2 WHERE id = ?1", &st);
        if (r == 0)
                r = tsdb_bind2(st, id, due_ms);
        if (r == 0)
                r = tsdb_errno(sqlite3_bind_int(st, 3, attempts));
        if (r == 0)
                r = tsdb_errno(sqlite3_step(st));
        sqlite3_finalize(st);
        return r;
}

int tsdb_queue_del(struct tsdb *t, int64_t id) {
        sqlite3_stmt *st;
        int r = tsdb_prepare(t->db, "DELETE FROM queue WHERE id = ?1", &st);
        if (r == 0)
                r = tsdb_errno(sqlite3_bind_int64(st, 1, id));
        if (r == 0)
                r = tsdb_errno(sqlite3_step(st));
        sqlite3_finalize(st);
        return r;
}

int tsdb_queue_count(struct tsdb *t, const char *receiver, int64_t *ret) {
        if (receiver && !receiver_ok(receiver))
                return -EINVAL;
        sqlite3_stmt *st = NULL;
        if (!receiver) { /* every flush: the notifications' own figures */
                int r = tsdb_kept(t, TSDB_KEPT_QUEUE_COUNT, &st);
                if (r == 0)
                        r = tsdb_step_int(st, ret);
                tsdb_kept_done(st);
                return r;
        }
        int r = prepare_text(t, "SELECT count(*) FROM queue WHERE receiver = ?1", receiver, &st);
        if (r == 0)
                r = tsdb_step_int(st, ret);
        sqlite3_finalize(st);
        return r;
}

int tsdb_queue_trim(struct tsdb *t, const char *receiver, int64_t max, int64_t *ret_dropped) {
        if (!receiver_ok(receiver) || max < 0)
                return -EINVAL;
        sqlite3_stmt *st;
        int r = prepare_text(t,
                             "DELETE FROM queue WHERE receiver = ?1 AND id NOT IN"
                             " (SELECT id FROM queue WHERE receiver = ?1 ORDER BY id DESC LIMIT ?2)",
                             receiver, &st);
        if (r == 0)
                r = tsdb_errno(sqlite3_bind_int64(st, 2, max));
        if (r == 0)
                r = tsdb_errno(sqlite3_step(st));
        if (r == 0 && ret_dropped)
                *ret_dropped = sqlite3_changes(t->db);
        sqlite3_finalize(st);
        return r;
}

int tsdb_queue_forget(struct tsdb *t, const char *const *keep, size_t n_keep, int64_t *ret_dropped) {
        sqlite3_stmt *st;
        int64_t dropped = 0;
        /* The receivers in the table are few: one delete per receiver that is not kept. */
        int r = tsdb_prepare(t->db, "SELECT DISTINCT receiver FROM queue", &st);
        char **gone = NULL;
        size_t n_gone = 0;
        int rc = SQLITE_DONE;
        while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
                const char *name = (const char *) sqlite3_column_text(st, 0);
                bool kept = false;
                for (size_t i = 0; name && i < n_keep && !kept; i++)
                        kept = strcmp(keep[i], name) == 0;
                if (!name || kept)
                        continue;
                char **g = realloc(gone, (n_gone + 1) * sizeof(*g));
                if (!g || !(g[n_gone] = strdup(name))) {
                        gone = g ?: gone;
                        r = -ENOMEM;
                        break;
                }
                gone = g;
                n_gone++;
        }
        if (r == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
                r = tsdb_errno(rc);
        sqlite3_finalize(st);
        for (size_t i = 0; r == 0 && i < n_gone; i++) {
                if ((r = prepare_text(t, "DELETE FROM queue WHERE receiver = ?1", gone[i], &st)) == 0)
                        r = tsdb_errno(sqlite3_step(st));
                if (r == 0)
                        dropped += sqlite3_changes(t->db);
                sqlite3_finalize(st);
        }
        for (size_t i = 0; i < n_gone; i++)
                free(gone[i]);
        free(gone);
        if (r == 0 && ret_dropped)
                *ret_dropped = dropped;
        return r;
}
