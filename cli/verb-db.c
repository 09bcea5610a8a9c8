/* SPDX-License-Identifier: MIT */
/* skytune db: PostgreSQL workloads (docs/db.md). The subcommands are table entries; each parses
 * its options into a struct and calls into db/. */
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
        { "pool-sweep", verb_db_pool_sweep, "a workload at several pool sizes: the smallest that is enough" },
        { "advise", verb_db_advise, "settings from the host and the statistics, as ALTER SYSTEM lines" },
};

static void db_usage(FILE *f) {
        fprintf(f, "Usage: skytune db COMMAND [OPTIONS] --dsn DSN\n\n"
                   "Measure a PostgreSQL server from the client side, with percentiles pgbench\n"
                   "does not give. Commands:\n");
        for (size_t i = 0; i < ELEMENTSOF(db_verbs); i++)
                fprintf(f, "  %-10s %s\n", db_verbs[i].name, db_verbs[i].summary);
        fprintf(f, "\nEach takes --help. The password never goes on the command line: use\n"
                   "--password-file F or libpq's own sources. See\n" CLI_DOC("db") ".\n");
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
