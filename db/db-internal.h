/* SPDX-License-Identifier: MIT */
/* Inside db/: the connection struct (libpq builds only). */
#pragma once

#include <libpq-fe.h>

#include "db.h"

struct DbConn {
        PGconn *pg;
        PGcancel *cancel; /* made at connect, for db_cancel from another thread */
        /* the password file's, PGPASSWORD, the DSN's password and sslpassword: scrubbed from messages */
        char *secrets[4];
        char *dsn_shown; /* redacted */
};

/* libpq's message for c (or a result's), scrubbed of c's secrets and of its trailing newline. */
char *db_conn_message(const DbConn *c, const PGresult *res);
uint64_t db_now_ns(void);
/* libpq is loaded at its first use (db-pq.c): NULL once it is, else why not (a sentence). */
const char *db_pq_missing(void);
