/* SPDX-License-Identifier: MIT */
/* The db probe's options. The names do not reuse db's --clients: the CLI hands a value to every
 * backend that has an option of that name, so each backend's names are its own. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db-script.h"
#include "probe-db.h"

static int parse_dsn(void *options, const char *v, Error *e) {
        if (!*v)
                return error_set(e, -EINVAL,
                                 "--dsn is empty: give a libpq connection string or URI, for example "
                                 "--dsn 'host=127.0.0.1 dbname=bench'");
        ((DbProbeOptions *) options)->conn.dsn = v;
        return 0;
}

static int parse_password_file(void *options, const char *v, Error *e) {
        ((DbProbeOptions *) options)->conn.password_file = v;
        return 0;
}

static int parse_database(void *options, const char *v, Error *e) {
        ((DbProbeOptions *) options)->conn.database = v;
        return 0;
}

static int parse_builtin(void *options, const char *v, Error *e) {
        if (strcmp(v, "select-only") != 0 && strcmp(v, "tpcb-like") != 0)
                return error_set(e, -EINVAL,
                                 "--db-workload '%s': use select-only or tpcb-like (pgbench's, on the "
                                 "tables 'skytune db init' makes)",
                                 v);
        ((DbProbeOptions *) options)->builtin = v;
        return 0;
}

static int parse_clients(void *options, const char *v, Error *e) {
        char *end;
        unsigned long n = strtoul(v, &end, 10);
        if (*end || end == v || *v == '-' || n < 1 || n > 256)
                return error_set(e, -EINVAL, "--db-clients '%s' is not a number from 1 to 256", v);
        ((DbProbeOptions *) options)->clients = (unsigned) n;
        return 0;
}

const ProbeOption db_probe_options[DB_PROBE_OPTION_COUNT] = {
        { "dsn", "DSN",
          "target database (libpq connection string or URI, no password in it);\n"
          "repeat for several (each is probed on its own)",
          parse_dsn },
        { "password-file", "F",
          "the password, first line of F (mode 0600); else libpq's\n"
          "PGPASSWORD, PGPASSFILE, ~/.pgpass",
          parse_password_file },
        { "database", "NAME", "this database instead of the DSN's", parse_database },
        { "db-workload", "W",
          "select-only (default, read-only) or tpcb-like (writes):\n"
          "pgbench's, on the tables 'skytune db init' makes",
          parse_builtin },
        { "db-clients", "N", "concurrent connections (default 4)", parse_clients },
};

void db_probe_options_init(void *options) {
        *(DbProbeOptions *) options = (DbProbeOptions) {};
}
