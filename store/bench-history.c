/* SPDX-License-Identifier: MIT */
/* Opening the benchmark history: a missing or empty file becomes a fresh one; a file that is not
 * ours or is damaged is moved aside (tsdb_move_aside, as the monitor's store does) and replaced. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench-history-internal.h"
#include "macro.h"
#include "schema.h"

/* user_version 1; each later version's additions are in migrations[]. */
static const char schema_sql[] =
        "CREATE TABLE run(id INTEGER PRIMARY KEY, suite TEXT NOT NULL, suite_digest TEXT NOT NULL,"
        " started_us INTEGER NOT NULL, finished_us INTEGER NOT NULL, skytune_version TEXT NOT NULL,"
        " fingerprint TEXT NOT NULL);"
        "CREATE INDEX run_suite ON run(suite, started_us);"
        "CREATE TABLE bench(run INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE, pos INTEGER NOT NULL,"
        " name TEXT NOT NULL, kind TEXT NOT NULL, config_digest TEXT NOT NULL, PRIMARY KEY(run, pos)) WITHOUT ROWID;"
        "CREATE TABLE repetition(run INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE, bench INTEGER NOT NULL,"
        " idx INTEGER NOT NULL, started_us INTEGER NOT NULL, PRIMARY KEY(run, bench, idx)) WITHOUT ROWID;"
        "CREATE TABLE metric(run INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE, bench INTEGER NOT NULL,"
        " pos INTEGER NOT NULL, name TEXT NOT NULL, unit TEXT NOT NULL, higher_is_better INTEGER NOT NULL,"
        " max_regression REAL, alpha REAL, PRIMARY KEY(run, bench, pos)) WITHOUT ROWID;"
        "CREATE TABLE sample(run INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE, bench INTEGER NOT NULL,"
        " metric INTEGER NOT NULL, idx INTEGER NOT NULL, value REAL, PRIMARY KEY(run, bench, metric, idx))"
        " WITHOUT ROWID;"
        /* Named baselines of a suite; "accepted" marks a deliberate change taken as the new normal. */
        "CREATE TABLE baseline(suite TEXT NOT NULL, name TEXT NOT NULL, run INTEGER NOT NULL REFERENCES run(id),"
        " set_us INTEGER NOT NULL, accepted INTEGER NOT NULL, previous INTEGER, PRIMARY KEY(suite, name)) WITHOUT "
        "ROWID;";

/* What each user_version adds to the one before: a file of an older skytune is brought forward in
 * one transaction when opened to write, and read as it is when opened to read. A new file gets
 * schema_sql and then all of them. */
static const char *const migrations[BENCH_HISTORY_USER_VERSION + 1] = {
        [2] = "CREATE TABLE histogram(run INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE, bench INTEGER NOT"
              " NULL, idx INTEGER NOT NULL, name TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY(run, bench, idx, name))"
              " WITHOUT ROWID;",
        /* The active skytune transactions when the run started, as JSON; NULL: unknown. */
        [3] = "ALTER TABLE run ADD COLUMN transactions TEXT;",
};

static int create_schema(sqlite3 *db) {
        char ids[128];
        snprintf(ids, sizeof(ids), "PRAGMA application_id = %d; PRAGMA user_version = %d;",
                 BENCH_HISTORY_APPLICATION_ID, BENCH_HISTORY_USER_VERSION);
        int r = tsdb_begin(db);
        if (r == 0)
                r = tsdb_exec(db, schema_sql);
        for (size_t v = 2; r == 0 && v < ELEMENTSOF(migrations); v++)
                r = tsdb_exec(db, migrations[v]);
        if (r == 0)
                r = tsdb_exec(db, ids);
        return tsdb_end(db, r);
}

/* 0 and *ret_version the file's version after migrating it (when writable); 1: not an older
 * history of ours (tsdb_check_ids decides). A damaged file is not touched (-EBADMSG: moved aside).
 * The version is read again inside the transaction: another writer may have migrated it first. */
static int migrate(sqlite3 *db, bool writable, int64_t *ret_version) {
        int64_t app, version;
        int r = tsdb_query_int(db, "PRAGMA application_id", &app);
        if (r == 0)
                r = tsdb_query_int(db, "PRAGMA user_version", &version);
        if (r < 0 || app != BENCH_HISTORY_APPLICATION_ID || version < 1 || version >= BENCH_HISTORY_USER_VERSION)
                return r < 0 ? r : 1;
        *ret_version = version;
        if (!writable)
                return 0;
        r = tsdb_pragma_is(db, "PRAGMA quick_check(1)", "ok", -EBADMSG);
        if (r == 0)
                r = tsdb_begin(db);
        if (r < 0)
                return r;
        r = tsdb_query_int(db, "PRAGMA user_version", &version);
        for (int64_t v = version + 1; r == 0 && v <= BENCH_HISTORY_USER_VERSION; v++)
                r = tsdb_exec(db, migrations[v]);
        char ids[64];
        snprintf(ids, sizeof(ids), "PRAGMA user_version = %d;", BENCH_HISTORY_USER_VERSION);
        if (r == 0)
                r = tsdb_exec(db, ids);
        r = tsdb_end(db, r);
        if (r == 0)
                *ret_version = BENCH_HISTORY_USER_VERSION;
        return r;
}

static void close_untouched(sqlite3 *db) {
        if (db)
                (void) sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
        sqlite3_close(db);
}

static int open_checked(const char *path, int flags, sqlite3 **ret, int64_t *ret_version) {
        sqlite3 *db = NULL;
        *ret_version = BENCH_HISTORY_USER_VERSION;
        int r = tsdb_errno(sqlite3_open_v2(path, &db, flags, NULL));
        if (r == 0)
                r = tsdb_errno(sqlite3_extended_result_codes(db, 1));
        if (r == 0)
                r = tsdb_errno(sqlite3_busy_timeout(db, 5000));
        if (r == 0 && (r = migrate(db, flags & SQLITE_OPEN_READWRITE, ret_version)) == 1)
                r = tsdb_check_ids(db, BENCH_HISTORY_APPLICATION_ID, BENCH_HISTORY_USER_VERSION);
        if (r == 1)
                r = flags & SQLITE_OPEN_CREATE ? create_schema(db) : -ENOENT;
        else if (r == 0)
                r = tsdb_pragma_is(db, "PRAGMA quick_check(1)", "ok", -EBADMSG);
        if (r == 0 && (flags & SQLITE_OPEN_CREATE))
                r = tsdb_pragma_is(db, "PRAGMA journal_mode = WAL", "wal", -EIO);
        if (r == 0)
                r = tsdb_exec(db, "PRAGMA foreign_keys = ON");
        if (r < 0) {
                close_untouched(db);
                return r;
        }
        *ret = db;
        return 0;
}

int bench_history_open(const char *path, BenchHistory **ret, char **ret_moved) {
        char *moved = NULL;
        BenchHistory *h = calloc(1, sizeof(*h));
        if (!h)
                return -ENOMEM;
        int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
        int r = open_checked(path, flags, &h->db, &h->version);
        if (r == -EBADMSG && (r = tsdb_move_aside(path, &moved)) == 0)
                r = open_checked(path, flags, &h->db, &h->version);
        if (ret_moved)
                *ret_moved = moved;
        else
                free(moved);
        if (r < 0) {
                free(h);
                return r;
        }
        *ret = h;
        return 0;
}

int bench_history_open_reader(const char *path, BenchHistory **ret) {
        BenchHistory *h = calloc(1, sizeof(*h));
        if (!h)
                return -ENOMEM;
        int r = open_checked(path, SQLITE_OPEN_READONLY, &h->db, &h->version);
        if (r < 0) {
                free(h);
                return r;
        }
        *ret = h;
        return 0;
}

void bench_history_close(BenchHistory *h) {
        if (!h)
                return;
        sqlite3_close(h->db);
        free(h);
}
