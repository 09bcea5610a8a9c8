/* SPDX-License-Identifier: MIT */
/* The options and helpers every `skytune db` subcommand shares (verb-db.h): apart from the
 * dispatcher (verb-db.c), which calls the subcommands, so that they never call back into it. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "macro.h"
#include "verb-db.h"

/* The DSN read from --dsn-file and where it came from, for errors: kept (and reachable) until the
 * process ends. */
static char *dsn_read, *dsn_from;

static int dsn_file(const char *path, DbCliCommon *o) {
        if (o->conn.dsn && !o->dsn_file)
                return cli_flags_conflict("--dsn", "--dsn-file", "one connection string");
        Error e = ERROR_NULL;
        char *dsn = NULL;
        if (db_read_dsn_file(path, &dsn, &e) < 0) {
                log_error("--dsn-file: %s", error_message(&e));
                error_done(&e);
                return EXIT_USAGE;
        }
        if (dsn_read) {
                explicit_bzero(dsn_read, strlen(dsn_read));
                free(dsn_read);
        }
        free(dsn_from);
        if (asprintf(&dsn_from, "the DSN file %s (--dsn-file)", path) < 0)
                dsn_from = NULL; /* then "--dsn" stands in */
        o->conn.dsn = dsn_read = dsn;
        o->conn.dsn_from = dsn_from;
        o->dsn_file = path;
        return 0;
}

int db_cli_common_option(int c, const char *arg, DbCliCommon *o) {
        switch (c) {
        case DB_OPT_DSN:
                if (o->dsn_file)
                        return cli_flags_conflict("--dsn", "--dsn-file", "one connection string");
                o->conn.dsn = arg;
                return 0;
        case DB_OPT_DSN_FILE: return dsn_file(arg, o);
        case DB_OPT_PASSWORD_FILE: o->conn.password_file = arg; return 0;
        case DB_OPT_DATABASE: o->conn.database = arg; return 0;
        case DB_OPT_JSON: o->json = true; return 0;
        default: return -1;
        }
}

int db_cli_parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *ret) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno || end == s || *end || *s == '-' || v < min || v > max) {
                log_error("%s '%s': a whole number from %llu to %llu is expected", opt, s, (unsigned long long) min,
                          (unsigned long long) max);
                return -EINVAL;
        }
        *ret = v;
        return 0;
}

int db_cli_parse_double(const char *opt, const char *s, double min, double *ret) {
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (errno || end == s || *end || !isfinite(v) || v < min) {
                log_error("%s '%s': a number of at least %g is expected", opt, s, min);
                return -EINVAL;
        }
        *ret = v;
        return 0;
}

int db_cli_getopt(int argc, char **argv, const struct option *options, const char *usage,
                  int (*option)(int c, void *userdata), void *userdata) {
        optind = 1;
        opterr = 0;
        for (int c; (c = getopt_long(argc, argv, "h", options, NULL)) != -1;) {
                if (c == 'h') {
                        fputs(usage, stdout);
                        return EXIT_OK;
                }
                int r = c == '?' ? -1 : option(c, userdata);
                if (r > 0)
                        return r;
                if (r < 0) {
                        log_error("unknown or incomplete option '%s' (see 'skytune db %s --help')", argv[optind - 1],
                                  argv[0]);
                        return EXIT_USAGE;
                }
        }
        return -1;
}

int db_cli_protocol(const DbCliRun *r, DbProtocol *ret) {
        if (r->simple && r->prepared)
                return cli_flags_conflict("--simple", "--prepared", "the simple protocol cannot prepare");
        *ret = r->simple ? DB_PROTO_SIMPLE : r->prepared ? DB_PROTO_PREPARED : DB_PROTO_EXTENDED;
        return -1;
}

int db_cli_run_option(int c, const char *arg, DbCliRun *r) {
        switch (c) {
        case DB_OPT_PARAM:
                if (r->n_params >= DB_SCRIPT_MAX_PARAMS) {
                        log_error("more than %d --param values", DB_SCRIPT_MAX_PARAMS);
                        return EXIT_USAGE;
                }
                r->params[r->n_params++] = arg;
                return 0;
        case DB_OPT_PREPARED: r->prepared = true; return 0;
        case DB_OPT_SIMPLE: r->simple = true; return 0;
        default: return -1;
        }
}

int db_cli_unavailable(void) {
        log_error("skytune was built without libpq, so 'skytune db' cannot connect: install libpq-dev "
                  "(Debian; libpq-devel on Fedora) and rebuild (cmake -DSKYTUNE_WITH_LIBPQ=ON)");
        return EXIT_FAIL;
}
