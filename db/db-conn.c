/* SPDX-License-Identifier: MIT */
/* Connecting through libpq: the DSN expanded by libpq (dbname=DSN, expand_dbname), the password
 * from the user's file passed as a keyword after it (so it wins), a database override after that.
 * libpq's own sources (PGPASSWORD, PGPASSFILE, ~/.pgpass, a service file) apply otherwise. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db-internal.h"
#include "macro.h"

bool db_available(void) {
        return true;
}

uint64_t db_now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

char *db_conn_message(const DbConn *c, const PGresult *res) {
        const char *m = res ? PQresultErrorMessage(res) : NULL;
        if (!m || !*m)
                m = c->pg ? PQerrorMessage(c->pg) : db_pq_missing() ?: "out of memory";
        char *s = db_scrub(m, (const char *const *) c->secrets, ELEMENTSOF(c->secrets));
        if (s) {
                size_t n = strlen(s);
                while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
                        s[--n] = 0;
                for (char *p = s; *p; p++) /* one line: libpq's DETAIL/HINT lines joined */
                        if (*p == '\n')
                                *p = ' ';
        }
        return s;
}

DbConn *db_close(DbConn *c) {
        if (!c)
                return NULL;
        if (c->cancel)
                PQfreeCancel(c->cancel);
        if (c->pg)
                PQfinish(c->pg);
        for (size_t i = 0; i < ELEMENTSOF(c->secrets); i++)
                if (c->secrets[i]) {
                        explicit_bzero(c->secrets[i], strlen(c->secrets[i]));
                        free(c->secrets[i]);
                }
        free(c->dsn_shown);
        free(c);
        return NULL;
}

/* Whether libpq reads the DSN as connection parameters (a URI or key=value) rather than a name. */
static bool dsn_expands(const char *dsn) {
        return strchr(dsn, '=') || strncmp(dsn, "postgresql://", 13) == 0 || strncmp(dsn, "postgres://", 11) == 0;
}

/* The DSN's own password and sslpassword (parsed by libpq), to scrub them from messages too.
 * -EINVAL when libpq cannot parse it: its message would quote the bad token, a password maybe. */
static int dsn_secrets(const char *dsn, char **pw, char **sslpw) {
        if (!dsn || !dsn_expands(dsn))
                return 0;
        char *err = NULL;
        PQconninfoOption *opts = PQconninfoParse(dsn, &err);
        PQfreemem(err);
        if (!opts)
                return -EINVAL;
        for (PQconninfoOption *o = opts; o->keyword; o++) {
                char **to = strcmp(o->keyword, "password") == 0  ? pw
                        : strcmp(o->keyword, "sslpassword") == 0 ? sslpw
                                                                 : NULL;
                if (to && o->val && *o->val)
                        *to = strdup(o->val);
        }
        PQconninfoFree(opts);
        return 0;
}

static void notice_ignore(void *arg, const char *message) {
}

static int conn_new(const DbConnOpts *o, DbConn **ret, Error *e) {
        DbConn *c = calloc(1, sizeof *c);
        if (!c || !(c->dsn_shown = db_dsn_redact(o->dsn))) {
                db_close(c);
                return error_set(e, -ENOMEM, "out of memory");
        }
        if (o->password_file) {
                int r = db_read_password_file(o->password_file, &c->secrets[0], e);
                if (r < 0) {
                        db_close(c);
                        return r;
                }
        }
        const char *env = getenv("PGPASSWORD");
        c->secrets[1] = env && *env ? strdup(env) : NULL;
        if (dsn_secrets(o->dsn, &c->secrets[2], &c->secrets[3]) < 0) {
                int r = error_set(e, -EINVAL,
                                  "cannot connect to PostgreSQL at %s: the DSN does not parse "
                                  "(check %s: docs/db.md, \"Connecting\")",
                                  c->dsn_shown, o->dsn_from ? o->dsn_from : "--dsn");
                db_close(c);
                return r;
        }
        *ret = c;
        return 0;
}

int db_connect(const DbConnOpts *o, DbConn **ret, uint64_t *connect_ns, Error *e) {
        DbConn *c = NULL;
        uint64_t t0 = db_now_ns();
        *connect_ns = 0;
        const char *missing = db_pq_missing();
        if (missing)
                return error_set(e, -ENOPKG, "cannot connect to PostgreSQL: %s", missing);
        int r = conn_new(o, &c, e);
        if (r < 0)
                return r;
        const char *keys[7], *vals[7];
        char timeout[16];
        size_t n = 0;
        snprintf(timeout, sizeof timeout, "%d", o->connect_timeout_s);
        if (o->connect_timeout_s > 0) /* before the DSN: its own connect_timeout wins */
                keys[n] = "connect_timeout", vals[n++] = timeout;
        keys[n] = "dbname", vals[n++] = o->dsn ? o->dsn : "";
        keys[n] = "fallback_application_name", vals[n++] = "skytune";
        if (c->secrets[0])
                keys[n] = "password", vals[n++] = c->secrets[0];
        if (o->database)
                keys[n] = "dbname", vals[n++] = o->database;
        if (o->application_name) /* the pool sweep finds its backends by it */
                keys[n] = "application_name", vals[n++] = o->application_name;
        keys[n] = vals[n] = NULL;
        c->pg = PQconnectdbParams(keys, vals, 1);
        *connect_ns = db_now_ns() - t0;
        if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
                _cleanup_free_ char *m = db_conn_message(c, NULL);
                r = error_set(e, -ECONNREFUSED,
                              "cannot connect to PostgreSQL at %s: %s (check %s, the "
                              "server and the password source: docs/db.md, \"Connecting\")",
                              c->dsn_shown, m ? m : "out of memory", o->dsn_from ? o->dsn_from : "--dsn");
                db_close(c);
                return r;
        }
        /* NOTICEs (DROP ... IF EXISTS) are the server talking to people: library code stays quiet. */
        PQsetNoticeProcessor(c->pg, notice_ignore, NULL);
        c->cancel = PQgetCancel(c->pg);
        *ret = c;
        return 0;
}

int db_cancel(DbConn *c) {
        char err[256];
        return c && c->cancel && PQcancel(c->cancel, err, sizeof err) ? 0 : -EIO;
}

const char *db_server_version(const DbConn *c) {
        const char *v = PQparameterStatus(c->pg, "server_version");
        return v ? v : "";
}

int db_exec(DbConn *c, const char *sql, Error *e) {
        PGresult *res = PQexec(c->pg, sql);
        ExecStatusType st = PQresultStatus(res);
        int r = 0;
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
                _cleanup_free_ char *m = db_conn_message(c, res);
                r = error_set(e, -EIO, "PostgreSQL at %s: %s", c->dsn_shown, m ? m : "out of memory");
        }
        PQclear(res);
        return r;
}

int db_query_int(DbConn *c, const char *sql, int64_t *ret, Error *e) {
        PGresult *res = PQexec(c->pg, sql);
        int r = 0;
        if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) < 1 || PQnfields(res) < 1) {
                _cleanup_free_ char *m = db_conn_message(c, res);
                r = error_set(e, -EIO, "PostgreSQL at %s: '%s' gave no value: %s", c->dsn_shown, sql,
                              m && *m ? m : "no rows");
        } else
                *ret = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        PQclear(res);
        return r;
}
