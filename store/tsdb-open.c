/* SPDX-License-Identifier: MIT */
/* Opening the store: a missing or empty file becomes a fresh store; a file that is not ours (not
 * SQLite, corrupt, another application_id) is moved aside under a new name and replaced by a fresh
 * store; a newer schema is refused and left alone. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "schema.h"
#include "tsdb-internal.h"

static const char schema_sql[] =
        "CREATE TABLE series(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, scale INTEGER NOT NULL);"
        /* A rowid table, not WITHOUT ROWID: rows arrive in time order, so rowids append and pages fill;
         * keyed by (series, t0), blobs over ~1 KB went to overflow pages three quarters empty and the
         * interleaved series split pages in half (docs/store.md, Figures). */
        "CREATE TABLE chunk(id INTEGER PRIMARY KEY, series INTEGER NOT NULL, t0 INTEGER NOT NULL,"
        " t_last INTEGER NOT NULL, n INTEGER NOT NULL, codec INTEGER NOT NULL, blob BLOB NOT NULL);"
        "CREATE UNIQUE INDEX chunk_series ON chunk(series, t0, t_last);"
        /* The unsealed points, one row a flush holding every series' points (CHUNK_CODEC_FLUSH):
         * rows append, no index, no rollups, so that a flush writes a page or two; t0 and t_last over
         * all its series. tsdb_seal moves them into chunks. */
        "CREATE TABLE log(id INTEGER PRIMARY KEY, t0 INTEGER NOT NULL, t_last INTEGER NOT NULL,"
        " codec INTEGER NOT NULL, blob BLOB NOT NULL);"
        "CREATE TABLE r1m(series INTEGER NOT NULL, t INTEGER NOT NULL, min INTEGER NOT NULL,"
        " max INTEGER NOT NULL, sum INTEGER NOT NULL, count INTEGER NOT NULL, PRIMARY KEY(series, t))"
        " WITHOUT ROWID;"
        "CREATE TABLE r1h(series INTEGER NOT NULL, t INTEGER NOT NULL, min INTEGER NOT NULL,"
        " max INTEGER NOT NULL, sum INTEGER NOT NULL, count INTEGER NOT NULL, PRIMARY KEY(series, t))"
        " WITHOUT ROWID;";

/* A fresh file: incremental vacuum must be chosen before the first table. */
static int create_schema(sqlite3 *db) {
        int r = tsdb_exec(db, "PRAGMA auto_vacuum = INCREMENTAL");
        if (r < 0)
                return r;
        char ids[128];
        snprintf(ids, sizeof(ids), "PRAGMA application_id = %d; PRAGMA user_version = %d;", STORE_TSDB_APPLICATION_ID,
                 STORE_TSDB_USER_VERSION);
        r = tsdb_begin(db);
        if (r < 0)
                return r;
        r = tsdb_exec(db, schema_sql);
        if (r == 0)
                r = tsdb_exec(db, ids);
        return tsdb_end(db, r);
}

/* The one text a pragma answers must be want: mismatch otherwise. */
int tsdb_pragma_is(sqlite3 *db, const char *sql, const char *want, int mismatch) {
        sqlite3_stmt *st;
        int r = tsdb_prepare(db, sql, &st);
        if (r == 0) {
                int rc = sqlite3_step(st);
                const unsigned char *got = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
                r = rc != SQLITE_ROW ? tsdb_errno(rc) : got && strcmp((const char *) got, want) == 0 ? 0 : mismatch;
        }
        sqlite3_finalize(st);
        return r;
}

/* The writer's small named records (tsdb_state_put), its queue (tsdb_queue_push) and its events
 * (tsdb_event_add): made here rather than in schema_sql, so that a
 * store written before it gets the table too (and older readers, which never ask, keep reading). */
static const char state_sql[] = "CREATE TABLE IF NOT EXISTS state(key TEXT PRIMARY KEY, value TEXT NOT NULL)"
                                " WITHOUT ROWID;"
                                "CREATE TABLE IF NOT EXISTS queue(id INTEGER PRIMARY KEY AUTOINCREMENT,"
                                " receiver TEXT NOT NULL, created INTEGER NOT NULL, due INTEGER NOT NULL,"
                                " attempts INTEGER NOT NULL, body TEXT NOT NULL);"
                                "CREATE INDEX IF NOT EXISTS queue_receiver ON queue(receiver, id);"
                                "CREATE TABLE IF NOT EXISTS events(id INTEGER PRIMARY KEY AUTOINCREMENT,"
                                " t INTEGER NOT NULL, name TEXT NOT NULL, event TEXT NOT NULL, level TEXT NOT NULL,"
                                " value REAL);"
                                "CREATE INDEX IF NOT EXISTS events_t ON events(t);";

static int set_wal(sqlite3 *db) {
        int r = tsdb_pragma_is(db, "PRAGMA journal_mode = WAL", "wal", -EIO);
        if (r == 0)
                /* The writer's page cache at 512 KiB, not SQLite's 2 MB: a daemon's heap would grow to
                 * that as its store grows, and it writes the last pages of a few tables (readers keep
                 * the default). */
                r = tsdb_exec(db, "PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 4000; "
                                  "PRAGMA cache_size = -512");
        return r < 0 ? r : tsdb_exec(db, state_sql);
}

int tsdb_check_ids(sqlite3 *db, int64_t application_id, int64_t user_version) {
        int64_t app, version, tables;
        int r = tsdb_query_int(db, "PRAGMA application_id", &app);
        if (r == 0)
                r = tsdb_query_int(db, "PRAGMA user_version", &version);
        if (r == 0)
                r = tsdb_query_int(db, "SELECT count(*) FROM sqlite_schema", &tables);
        if (r < 0)
                return r;
        if (app == 0 && version == 0 && tables == 0)
                return 1;
        if (app != application_id)
                return -EBADMSG;
        if (version > user_version)
                return -EPROTO;
        return version < user_version ? -EBADMSG : 0;
}

static int check_or_create(sqlite3 *db) {
        int r = tsdb_check_ids(db, STORE_TSDB_APPLICATION_ID, STORE_TSDB_USER_VERSION);
        if (r < 0)
                return r;
        if (r == 1)
                return create_schema(db);
        return tsdb_pragma_is(db, "PRAGMA quick_check(1)", "ok", -EBADMSG);
}

/* The URI that opens path read-only; immutable when no -wal file is beside it. A read-only
 * connection to a WAL file otherwise creates the -wal and -shm files (and leaves them: it cannot
 * checkpoint), or fails when the directory is not writable. With no -wal no connection has the
 * store open and every row is in the file itself; a writer that starts meanwhile writes to a new
 * -wal, and only its checkpoint would change the file under the reader (then -EBADMSG). */
static char *reader_uri(const char *path) {
        char *wal;
        struct stat st;
        if (asprintf(&wal, "%s-wal", path) < 0)
                return NULL;
        bool immutable = stat(wal, &st) < 0 && errno == ENOENT;
        free(wal);
        size_t len = strlen(path);
        char *uri = malloc(3 * len + sizeof("file://?mode=ro&immutable=1"));
        if (!uri)
                return NULL;
        /* "file://" then an absolute path: an empty authority, so that "//x" stays a path. */
        char *q = stpcpy(uri, path[0] == '/' ? "file://" : "file:");
        for (const unsigned char *c = (const unsigned char *) path; *c; c++)
                if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                    strchr("-._~/", *c))
                        *q++ = (char) *c;
                else
                        q += sprintf(q, "%%%02X", *c);
        strcpy(q, immutable ? "?mode=ro&immutable=1" : "?mode=ro");
        return uri;
}

int tsdb_open_reader(const char *path, struct tsdb **ret) {
        if (!path || !*path)
                return -EINVAL;
        struct tsdb *t = calloc(1, sizeof(*t));
        char *uri = t ? reader_uri(path) : NULL;
        if (!uri) {
                free(t);
                return -ENOMEM;
        }
        t->lock_fd = -1;
        int r = tsdb_errno(sqlite3_open_v2(uri, &t->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL));
        free(uri);
        if (r == 0)
                r = tsdb_errno(sqlite3_extended_result_codes(t->db, 1));
        if (r == 0)
                r = tsdb_errno(sqlite3_busy_timeout(t->db, 2000));
        if (r == 0)
                r = tsdb_check_ids(t->db, STORE_TSDB_APPLICATION_ID, STORE_TSDB_USER_VERSION);
        if (r == 1)
                r = -ENOENT; /* an empty file: no store yet */
        if (r < 0) {
                /* Whatever the file is, a reader leaves it as it found it. */
                if (t->db)
                        (void) sqlite3_db_config(t->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
                tsdb_close(t);
                return r;
        }
        *ret = t;
        return 0;
}

static int open_checked(const char *path, sqlite3 **ret) {
        sqlite3 *db = NULL;
        int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
        int r = tsdb_errno(rc);
        if (r == 0)
                r = tsdb_errno(sqlite3_extended_result_codes(db, 1));
        if (r == 0)
                r = tsdb_errno(sqlite3_busy_timeout(db, 2000));
        if (r == 0)
                r = check_or_create(db);
        if (r == 0)
                r = set_wal(db);
        if (r < 0) {
                /* A file refused or about to be moved aside stays as it is: the last connection to a
                 * WAL file would otherwise checkpoint the -wal into it and delete the -wal. */
                if (db)
                        (void) sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
                sqlite3_close(db);
                return r;
        }
        *ret = db;
        return 0;
}

/* Renames from to to unless to exists: renameat2's RENAME_NOREPLACE, or link and unlink where the
 * file system has no such rename. */
static int rename_noreplace(const char *from, const char *to) {
        if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
                return 0;
        if (errno != EINVAL && errno != ENOSYS)
                return -errno;
        if (link(from, to) < 0)
                return -errno;
        return unlink(from) < 0 ? -errno : 0;
}

static const char *const sidecars[] = { "-wal", "-shm" };

/* name with suffix into buf: -ENAMETOOLONG. */
static int suffixed(char *buf, size_t size, const char *name, const char *suffix) {
        return snprintf(buf, size, "%s%s", name, suffix) >= (int) size ? -ENAMETOOLONG : 0;
}

/* dest's -wal or -shm name is taken (by a file or anything else): a rename there would fail
 * half way, after the file itself has moved. */
static int sidecar_taken(const char *dest) {
        for (size_t i = 0; i < ELEMENTSOF(sidecars); i++) {
                char to[4096];
                struct stat st;
                int r = suffixed(to, sizeof(to), dest, sidecars[i]);
                if (r < 0)
                        return r;
                if (lstat(to, &st) == 0)
                        return -EEXIST;
                if (errno != ENOENT)
                        return -errno;
        }
        return 0;
}

int tsdb_move_aside(const char *path, char **ret_moved) {
        char stamp[32];
        struct tm tm;
        time_t now = time(NULL);
        *ret_moved = NULL;
        if (!gmtime_r(&now, &tm) || strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm) == 0)
                return -EINVAL;
        char *dest = NULL;
        int r = -EEXIST;
        for (int i = 0; i < 1000 && r == -EEXIST; i++) {
                free(dest);
                dest = NULL;
                if ((i == 0 ? asprintf(&dest, "%s.corrupt-%s", path, stamp)
                            : asprintf(&dest, "%s.corrupt-%s.%d", path, stamp, i)) < 0)
                        return -ENOMEM;
                r = sidecar_taken(dest);
                if (r == 0)
                        r = rename_noreplace(path, dest);
        }
        if (r < 0) {
                free(dest);
                return r;
        }
        size_t moved = 0;
        for (; r == 0 && moved < ELEMENTSOF(sidecars); moved++) {
                char from[4096], to[4096];
                r = suffixed(from, sizeof(from), path, sidecars[moved]);
                if (r == 0)
                        r = suffixed(to, sizeof(to), dest, sidecars[moved]);
                if (r == 0)
                        r = rename_noreplace(from, to);
                if (r == -ENOENT)
                        r = 0;
                if (r < 0)
                        break;
        }
        if (r == 0) {
                *ret_moved = dest;
                return 0;
        }
        /* A -wal apart from its file is lost to it (a fresh file at path deletes a -wal it finds):
         * put back what moved, newest first. */
        bool back = true;
        while (moved-- > 0) {
                char from[4096], to[4096];
                int q = suffixed(from, sizeof(from), path, sidecars[moved]);
                if (q == 0)
                        q = suffixed(to, sizeof(to), dest, sidecars[moved]);
                if (q == 0)
                        q = rename_noreplace(to, from);
                if (q < 0 && q != -ENOENT)
                        back = false;
        }
        if (back && rename_noreplace(dest, path) == 0)
                free(dest);
        else
                *ret_moved = dest;
        return r;
}

/* One writer per file: the log's bounds live in the writer's memory (tsdb-log.c). A lock of its own
 * (flock, not SQLite's fcntl locks), taken before SQLite opens the file. Closing any fd of the file
 * drops every fcntl lock the process holds on it, SQLite's included: a second open in this process
 * is refused by the files this process holds, without an fd; an fd is closed only when no
 * connection of this process has the file open. */
static pthread_mutex_t held_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct held {
        dev_t dev;
        ino_t ino;
} * held;
static size_t n_held, cap_held;

static bool is_held(dev_t dev, ino_t ino) {
        for (size_t i = 0; i < n_held; i++)
                if (held[i].dev == dev && held[i].ino == ino)
                        return true;
        return false;
}

static int lock_writer(const char *path, struct tsdb *t) {
        struct stat st;
        int r = 0, fd = -1;
        pthread_mutex_lock(&held_mutex);
        if (lstat(path, &st) == 0 && is_held(st.st_dev, st.st_ino))
                r = -EBUSY;
        if (r == 0 && n_held == cap_held) {
                size_t cap = cap_held ? 2 * cap_held : 4;
                struct held *more = realloc(held, cap * sizeof(*more));
                if (more) {
                        held = more;
                        cap_held = cap;
                } else
                        r = -ENOMEM;
        }
        /* Created when missing: an empty file is a fresh store to SQLite. */
        if (r == 0 && (fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644)) < 0)
                r = -errno;
        if (r == 0 && fstat(fd, &st) < 0)
                r = -errno;
        if (r == 0 && is_held(st.st_dev, st.st_ino)) {
                /* Replaced under us by a file this process holds: that fd may never close. */
                pthread_mutex_unlock(&held_mutex);
                return -EBUSY;
        }
        if (r == 0 && flock(fd, LOCK_EX | LOCK_NB) < 0)
                r = errno == EWOULDBLOCK ? -EBUSY : -errno;
        if (r == 0) {
                held[n_held++] = (struct held) { st.st_dev, st.st_ino };
                t->lock_fd = fd;
                t->lock_dev = st.st_dev;
                t->lock_ino = st.st_ino;
        } else if (fd >= 0)
                close(fd);
        pthread_mutex_unlock(&held_mutex);
        return r;
}

/* After SQLite's connection to the file has closed. */
static void unlock_writer(struct tsdb *t) {
        if (t->lock_fd < 0)
                return;
        pthread_mutex_lock(&held_mutex);
        close(t->lock_fd);
        t->lock_fd = -1;
        for (size_t i = 0; i < n_held; i++)
                if (held[i].dev == t->lock_dev && held[i].ino == t->lock_ino) {
                        held[i] = held[--n_held];
                        break;
                }
        pthread_mutex_unlock(&held_mutex);
}

/* The checked file and the log's bounds: a log that does not decode, or overlaps itself, makes the
 * file damaged (-EBADMSG) like a failed quick_check, closed untouched for the move aside. */
static int open_store(const char *path, struct tsdb *t) {
        int r = open_checked(path, &t->db);
        if (r == 0)
                r = tsdb_load_bounds(t);
        if (r == -EBADMSG && t->db) {
                (void) sqlite3_db_config(t->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
                tsdb_kept_free(t);
                sqlite3_close(t->db);
                t->db = NULL;
        }
        return r;
}

int tsdb_open(const char *path, struct tsdb **ret, char **ret_moved) {
        char *moved = NULL;
        struct tsdb *t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        t->lock_fd = -1;
        int r = lock_writer(path, t);
        if (r == 0)
                r = open_store(path, t);
        if (r == -EBADMSG) {
                /* The lock goes with the file moved aside (its connection is closed); the fresh
                 * file at path gets one of its own. */
                r = tsdb_move_aside(path, &moved);
                unlock_writer(t);
                if (r == 0)
                        r = lock_writer(path, t);
                if (r == 0)
                        r = open_store(path, t);
        }
        if (r < 0) {
                tsdb_close(t);
                /* The old file stays where it was moved; say so even on failure. */
                if (ret_moved)
                        *ret_moved = moved;
                else
                        free(moved);
                return r;
        }
        *ret = t;
        if (ret_moved)
                *ret_moved = moved;
        else
                free(moved);
        return 0;
}

void tsdb_release_memory(struct tsdb *t) {
        if (t)
                (void) sqlite3_db_release_memory(t->db);
}

void tsdb_close(struct tsdb *t) {
        if (!t)
                return;
        tsdb_kept_free(t); /* a statement left unfinalized would keep the connection open */
        sqlite3_close(t->db);
        unlock_writer(t);
        free(t->bound);
        free(t);
}
