/* SPDX-License-Identifier: MIT */
/* The db probe's own options (its option table is in db-options.c): which database (--dsn, the
 * target: one run per value; --password-file, --database, as `skytune db` takes them) and the fixed
 * workload run against it (a built-in of db/, --db-clients connections). Built only with libpq. */
#pragma once

#include "db.h"
#include "error.h"
#include "probe.h"

typedef struct DbProbeOptions {
        DbConnOpts conn;     /* conn.dsn: the current target */
        const char *builtin; /* NULL: select-only */
        unsigned clients;    /* 0: 4 */
} DbProbeOptions;

#define DB_PROBE_DEFAULT_BUILTIN "select-only"
#define DB_PROBE_DEFAULT_CLIENTS 4u

#define DB_PROBE_OPTION_COUNT 5
extern const ProbeOption db_probe_options[DB_PROBE_OPTION_COUNT];
void db_probe_options_init(void *options);
