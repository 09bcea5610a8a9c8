/* SPDX-License-Identifier: MIT */
/* skytune db: PostgreSQL workloads (docs/db.md). The subcommands are table entries; each parses
 * its options into a struct and calls into db/. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "macro.h"
#include "nearest.h"
#include "verb-db.h"
#include "verbs.h"

static const Verb db_verbs[] = {
        { "query", verb_db_query, "time statements over iterations: P50..P99.9, max, rows, errors" },
        { "load", verb_db_load, "N clients (closed model) or a fixed rate, a script or a built-in" },
        { "init", verb_db_init, "create and fill the built-in workloads' tables (--scale N)" },
        { "clean", verb_db_clean, "drop the tables that 'db init' created" },
        { "inspect", verb_db_inspect, "server figures: cache hits, unused indexes, seq scans, dead tuples" },
        { "explain", verb_db_explain, "a plan summarised: slowest nodes, misestimates, spills" },
};

static void db_usage(FILE *f) {
        fprintf(f, "Usage: skytune db COMMAND [OPTIONS] --dsn DSN\n\n"
                   "Measure a PostgreSQL server from the client side, with percentiles pgbench\n"
                   "does not give. Commands:\n");
        for (size_t i = 0; i < ELEMENTSOF(db_verbs); i++)
                fprintf(f, "  %-8s %s\n", db_verbs[i].name, db_verbs[i].summary);
        fprintf(f, "\nEach takes --help. The password never goes on the command line: use\n"
                   "--password-file F or libpq's own sources. See\n" CLI_DOC("db") ".\n");
}

bool db_cli_common_option(int c, const char *arg, DbCliCommon *o) {
        switch (c) {
        case DB_OPT_DSN:
                o->conn.dsn = arg;
                return true;
        case DB_OPT_PASSWORD_FILE:
                o->conn.password_file = arg;
                return true;
        case DB_OPT_DATABASE:
                o->conn.database = arg;
                return true;
        case DB_OPT_JSON:
                o->json = true;
                return true;
        default:
                return false;
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
        case DB_OPT_PREPARED:
                r->prepared = true;
                return 0;
        case DB_OPT_SIMPLE:
                r->simple = true;
                return 0;
        default:
                return -1;
        }
}

int db_cli_unavailable(void) {
        log_error("skytune was built without libpq, so 'skytune db' cannot connect: install libpq-dev "
                  "(Debian; libpq-devel on Fedora) and rebuild (cmake -DSKYTUNE_WITH_LIBPQ=ON)");
        return EXIT_FAIL;
}

int verb_db(int argc, char **argv) {
        if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                db_usage(argc < 2 ? stderr : stdout);
                return argc < 2 ? EXIT_USAGE : EXIT_OK;
        }
        bool help = false;
        for (int i = 2; i < argc; i++)
                help = help || strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0;
        for (size_t i = 0; i < ELEMENTSOF(db_verbs); i++)
                if (strcmp(db_verbs[i].name, argv[1]) == 0)
                        return db_available() || help ? db_verbs[i].run(argc - 1, argv + 1) : db_cli_unavailable();
        const char *names[ELEMENTSOF(db_verbs)];
        for (size_t i = 0; i < ELEMENTSOF(db_verbs); i++)
                names[i] = db_verbs[i].name;
        const char *near = nearest_name(argv[1], names, ELEMENTSOF(names));
        log_error("unknown db command '%s'%s%s%s (see 'skytune db --help')", argv[1], near ? ": did you mean '" : "",
                  near ? near : "", near ? "'?" : "");
        return EXIT_USAGE;
}
