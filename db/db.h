/* SPDX-License-Identifier: MIT */
/* db: PostgreSQL workloads over libpq (docs/db.md). The connection (a DSN and libpq's own password
 * sources, or a password file), the error classes of SQLSTATEs, and the redaction of secrets from
 * everything shown. Built without libpq (SKYTUNE_WITH_LIBPQ=OFF, or no libpq-dev found), the parsing
 * parts still work and db_connect() fails with -EPROTONOSUPPORT and a message saying what to
 * install. Library code: nothing here prints. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* What the run counts errors by: the SQLSTATE classes that mean something different to a workload. */
typedef enum DbErrClass {
        DB_ERR_SERIALIZATION,   /* 40001: retry the transaction */
        DB_ERR_DEADLOCK,        /* 40P01 */
        DB_ERR_CANCELED,        /* 57014: statement_timeout or a cancel request */
        DB_ERR_CONNECTION,      /* 08xxx, or the connection went away without a SQLSTATE */
        DB_ERR_OTHER,
        _DB_ERR_MAX,
} DbErrClass;

/* NULL or an empty SQLSTATE (libpq gives none when the server went away): DB_ERR_CONNECTION. */
DbErrClass db_sqlstate_class(const char *sqlstate);
/* "serialization_failure", "deadlock", "query_canceled", "connection", "other". */
const char *db_err_class_name(DbErrClass c);

/* The DSN as it may be shown: a URI's user:password@ loses the password, a password= keyword (in a
 * connection string or a URI's query) its value ("***"). A string that cannot be read is never shown
 * in part: "(a connection string skytune cannot read)". malloc'ed; NULL on OOM. */
char *db_dsn_redact(const char *dsn);
/* s with every occurrence of each non-empty secret replaced by "***" (libpq's messages are shown
 * through this). malloc'ed; NULL on OOM. */
char *db_scrub(const char *s, const char *const *secrets, size_t n_secrets);
/* The first line of a password file (without its newline). Refuses a file that is not a regular
 * file, that the group or others can read (like libpq's .pgpass), or that is empty. */
int db_read_password_file(const char *path, char **ret, Error *e);
/* The same of a DSN file (--dsn-file, a bench suite's dsn_file): a DSN may hold a password. */
int db_read_dsn_file(const char *path, char **ret, Error *e);

typedef struct DbConnOpts {
        const char *dsn;                /* libpq connection string or URI; NULL: libpq's defaults (PG*) */
        const char *password_file;      /* NULL: libpq's own sources (PGPASSWORD, PGPASSFILE, service) */
        const char *database;           /* NULL: the DSN's; else overrides it */
        int connect_timeout_s;          /* 0: libpq's (none); else a default the DSN's own may override */
        const char *dsn_from;           /* where the DSN was given, naming the file it was read from, for
                                         * errors ("check DSN_FROM"); NULL: "--dsn" */
        const char *application_name;   /* NULL: the DSN's, else "skytune"; set: wins over the DSN's */
} DbConnOpts;

typedef struct DbConn DbConn;

/* Whether this build has libpq. */
bool db_available(void);
/* Connect (blocking); *connect_ns is the time it took, successful or not. Messages carry the
 * redacted DSN, never a password. */
int db_connect(const DbConnOpts *o, DbConn **ret, uint64_t *connect_ns, Error *e);
DbConn *db_close(DbConn *c);
/* Ask the server to cancel the statement c runs: callable from another thread than the one that
 * runs it (libpq's PQcancel), as long as c is not closed meanwhile. Best effort: -EIO when the
 * request could not be sent. */
int db_cancel(DbConn *c);
/* "15.18" (the server_version parameter); "" when unknown. */
const char *db_server_version(const DbConn *c);
/* Run one or more statements for their effect (init, clean), in the simple protocol. */
int db_exec(DbConn *c, const char *sql, Error *e);
/* The first column of the first row of a one-value query, as a number. */
int db_query_int(DbConn *c, const char *sql, int64_t *ret, Error *e);
