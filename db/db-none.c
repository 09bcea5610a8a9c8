/* SPDX-License-Identifier: MIT */
/* A build without libpq: everything that needs a server says what to install. */
#include <errno.h>

#include "db-advise.h"
#include "db-inspect.h"
#include "db-run.h"
#include "db-sweep.h"
#include "db.h"

#define NO_LIBPQ "skytune was built without libpq: install libpq-dev (Debian; libpq-devel on Fedora) and " \
                 "rebuild (cmake -DSKYTUNE_WITH_LIBPQ=ON)"

bool db_available(void) {
        return false;
}

int db_connect(const DbConnOpts *o, DbConn **ret, uint64_t *connect_ns, Error *e) {
        *connect_ns = 0;
        return error_set(e, -EPROTONOSUPPORT, NO_LIBPQ);
}

DbConn *db_close(DbConn *c) {
        return NULL;
}

int db_cancel(DbConn *c) {
        return -EPROTONOSUPPORT;
}

const char *db_server_version(const DbConn *c) {
        return "";
}

int db_exec(DbConn *c, const char *sql, Error *e) {
        return error_set(e, -EPROTONOSUPPORT, NO_LIBPQ);
}

int db_query_int(DbConn *c, const char *sql, int64_t *ret, Error *e) {
        return error_set(e, -EPROTONOSUPPORT, NO_LIBPQ);
}

int db_run(const DbRunConfig *c, DbResult **ret, Error *e) {
        return error_set(e, -EPROTONOSUPPORT, NO_LIBPQ);
}

int db_query_json(DbConn *c, const char *sql, json_t **ret, Error *e) {
        return error_set(e, -EPROTONOSUPPORT, NO_LIBPQ);
}

int db_inspect_snapshot(DbConn *c, json_t **ret, Error *e) {
        return error_set(e, -EPROTONOSUPPORT, NO_LIBPQ);
}

int db_inspect(DbConn *c, const json_t *before, double window_s, long long min_rows, json_t **ret, Error *e) {
        return error_set(e, -EPROTONOSUPPORT, NO_LIBPQ);
}

int db_explain(DbConn *c, const char *sql, bool analyze, json_t **ret, Error *e) {
        return error_set(e, -EPROTONOSUPPORT, NO_LIBPQ);
}

int db_sweep(const DbSweepConfig *c, json_t **ret, Error *e) {
        return error_set(e, -EPROTONOSUPPORT, NO_LIBPQ);
}

int db_advise_settings(DbConn *c, DbAdviseFacts *f, Error *e) {
        return error_set(e, -EPROTONOSUPPORT, NO_LIBPQ);
}

int db_advise_evidence(DbConn *c, double window_s, bool (*stop)(void *), void *userdata, DbAdviseFacts *f, Error *e) {
        return error_set(e, -EPROTONOSUPPORT, NO_LIBPQ);
}
