/* SPDX-License-Identifier: MIT */
/* libpq, loaded at its first use (db-internal.h, db_pq_missing): the functions db/ calls, each
 * forwarding to libpq.so.5's. Linked, libpq and what it brings (libcrypto, libssl, Kerberos, LDAP,
 * SASL) cost every process that links db/ about 2.9 MB of RSS and 0.8 MB of private memory at
 * start (docs/monitor.md, Figures), skytune-monitor without a DSN and every CLI command included.
 * Without the library each function answers as libpq does for a failed connection. */
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "db-internal.h"
#include "dl-forward.h"

#define PQ_SONAME "libpq.so.5"

/* X(return type, name, parameters, arguments, the answer without libpq); V(...) for void ones. */
#define PQ_FUNCTIONS(X, V)                                                                                            \
        X(int, PQcancel, (PGcancel * k, char *buf, int n), (k, buf, n), 0)                                            \
        X(char *, PQcmdTuples, (PGresult * r), (r), NULL)                                                             \
        X(PGconn *, PQconnectdbParams, (const char *const *k, const char *const *v, int x), (k, v, x), NULL)          \
        X(PQconninfoOption *, PQconninfoParse, (const char *s, char **err), (s, err),                                 \
          (err ? (void) (*err = NULL) : (void) 0, NULL))                                                              \
        X(int, PQconsumeInput, (PGconn * c), (c), 0)                                                                  \
        X(char *, PQdb, (const PGconn *c), (c), NULL)                                                                 \
        X(char *, PQerrorMessage, (const PGconn *c), (c), NULL)                                                       \
        X(char *, PQescapeLiteral, (PGconn * c, const char *s, size_t n), (c, s, n), NULL)                            \
        X(PGresult *, PQexec, (PGconn * c, const char *q), (c, q), NULL)                                              \
        X(PGresult *, PQexecParams,                                                                                   \
          (PGconn * c, const char *q, int n, const Oid *t, const char *const *v, const int *l, const int *f, int rf), \
          (c, q, n, t, v, l, f, rf), NULL)                                                                            \
        X(PGresult *, PQexecPrepared,                                                                                 \
          (PGconn * c, const char *s, int n, const char *const *v, const int *l, const int *f, int rf),               \
          (c, s, n, v, l, f, rf), NULL)                                                                               \
        X(char *, PQfname, (const PGresult *r, int i), (r, i), NULL)                                                  \
        X(Oid, PQftype, (const PGresult *r, int i), (r, i), 0)                                                        \
        X(PGcancel *, PQgetCancel, (PGconn * c), (c), NULL)                                                           \
        X(PGresult *, PQgetResult, (PGconn * c), (c), NULL)                                                           \
        X(int, PQgetisnull, (const PGresult *r, int t, int i), (r, t, i), 1)                                          \
        X(char *, PQgetvalue, (const PGresult *r, int t, int i), (r, t, i), NULL)                                     \
        X(char *, PQhost, (const PGconn *c), (c), NULL)                                                               \
        X(int, PQisBusy, (PGconn * c), (c), 0)                                                                        \
        X(int, PQnfields, (const PGresult *r), (r), 0)                                                                \
        X(int, PQntuples, (const PGresult *r), (r), 0)                                                                \
        X(const char *, PQparameterStatus, (const PGconn *c, const char *p), (c, p), NULL)                            \
        X(PGresult *, PQprepare, (PGconn * c, const char *s, const char *q, int n, const Oid *t), (c, s, q, n, t),    \
          NULL)                                                                                                       \
        X(char *, PQresultErrorField, (const PGresult *r, int f), (r, f), NULL)                                       \
        X(char *, PQresultErrorMessage, (const PGresult *r), (r), NULL)                                               \
        X(ExecStatusType, PQresultStatus, (const PGresult *r), (r), PGRES_FATAL_ERROR)                                \
        X(int, PQsendQueryParams,                                                                                     \
          (PGconn * c, const char *q, int n, const Oid *t, const char *const *v, const int *l, const int *f, int rf), \
          (c, q, n, t, v, l, f, rf), 0)                                                                               \
        X(PQnoticeProcessor, PQsetNoticeProcessor, (PGconn * c, PQnoticeProcessor p, void *a), (c, p, a), NULL)       \
        X(int, PQsocket, (const PGconn *c), (c), -1)                                                                  \
        X(ConnStatusType, PQstatus, (const PGconn *c), (c), CONNECTION_BAD)                                           \
        X(PGTransactionStatusType, PQtransactionStatus, (const PGconn *c), (c), PQTRANS_UNKNOWN)                      \
        X(char *, PQuser, (const PGconn *c), (c), NULL)                                                               \
        V(PQclear, (PGresult * r), (r))                                                                               \
        V(PQconninfoFree, (PQconninfoOption * o), (o))                                                                \
        V(PQfinish, (PGconn * c), (c))                                                                                \
        V(PQfreeCancel, (PGcancel * k), (k))                                                                          \
        V(PQfreemem, (void *p), (p))

static struct { PQ_FUNCTIONS(DL_FIELD, DL_VFIELD) } pq;
static pthread_once_t pq_once = PTHREAD_ONCE_INIT;
static bool pq_loaded;
static char pq_why[600];

static void pq_load(void) {
        static const char *const names[] = { PQ_FUNCTIONS(DL_NAME, DL_VNAME) };
        char err[384] = "";
        pq_loaded = dl_forward_load(PQ_SONAME, names, &pq, sizeof(names) / sizeof(names[0]), err, sizeof(err));
        snprintf(pq_why, sizeof(pq_why),
                 "the PostgreSQL client library cannot be loaded (%s): install libpq5 (apt-get install libpq5; "
                 "dnf install libpq)",
                 err);
}

const char *db_pq_missing(void) {
        (void) pthread_once(&pq_once, pq_load);
        return pq_loaded ? NULL : pq_why;
}

#define DL_TABLE   pq
#define DL_MISSING db_pq_missing
PQ_FUNCTIONS(DL_WRAP, DL_VWRAP)
