/* SPDX-License-Identifier: MIT */
/* skytune db inspect and db explain: server-side figures and a plan summary (docs/db.md). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db-inspect.h"
#include "log.h"
#include "macro.h"
#include "render.h"
#include "profiler.h"
#include "verb-db.h"

static const char inspect_usage[] =
        "Usage: skytune db inspect [--duration S] [--min-rows N] --dsn DSN [--json]\n"
        "\n"
        "The database's statistics: pg_stat_database (cache hit ratio, commits,\n"
        "rollbacks, deadlocks, temp files) as deltas over --duration S when given, and\n"
        "since the last statistics reset; unused indexes (never scanned, not unique or\n"
        "primary key), sequential scans on large tables, dead-tuple ratios over 20%.\n"
        "\n"
        "  --duration S         a window: figures before and after, as deltas\n"
        "  --min-rows N         what counts as a large table (default 10000)\n"
        DB_COMMON_HELP;

static const char explain_usage[] =
        "Usage: skytune db explain SQL [--analyze] --dsn DSN [--json]\n"
        "\n"
        "EXPLAIN (FORMAT JSON) of SQL, summarised: the slowest nodes, estimates 10x\n"
        "off the actual rows, sequential scans that filter out many rows, sorts and\n"
        "hashes that spilled to disk.\n"
        "\n"
        "  --analyze            run the statement (EXPLAIN ANALYZE, BUFFERS) inside a\n"
        "                       transaction that is rolled back\n"
        DB_COMMON_HELP;

typedef struct InspectArgs {
        DbCliCommon common;
        double duration_s;
        uint64_t min_rows;
        bool analyze;
} InspectArgs;

enum { OPT_DURATION = 0x100, OPT_MIN_ROWS, OPT_ANALYZE };

static int inspect_option(int c, void *userdata) {
        InspectArgs *a = userdata;
        switch (c) {
        case OPT_DURATION:
                if (cli_parse_seconds(optarg, &a->duration_s) < 0) {
                        log_error("--duration '%s': seconds are expected", optarg);
                        return EXIT_USAGE;
                }
                return 0;
        case OPT_MIN_ROWS:
                return db_cli_parse_u64("--min-rows", optarg, 0, 1000000000000ull, &a->min_rows) < 0 ? EXIT_USAGE : 0;
        case OPT_ANALYZE:
                a->analyze = true;
                return 0;
        default:
                return db_cli_common_option(c, optarg, &a->common);
        }
}

static int print_doc(json_t *doc, const DbCliCommon *o, int (*render)(FILE *, const json_t *, const RenderView *)) {
        int code = o->json ? (cli_write_json(doc, NULL) < 0 ? EXIT_FAIL : EXIT_OK)
                           : (render(stdout, doc, &(RenderView) { .width = 80 }) < 0 ? EXIT_FAIL : EXIT_OK);
        json_decref(doc);
        return code;
}

static int fail(const char *what, Error *e) {
        log_error("db %s: %s", what, error_message(e));
        error_done(e);
        return EXIT_FAIL;
}

int verb_db_inspect(int argc, char **argv) {
        static const struct option options[] = {
                { "duration", required_argument, NULL, OPT_DURATION }, { "min-rows", required_argument, NULL, OPT_MIN_ROWS },
                { "help", no_argument, NULL, 'h' }, DB_COMMON_OPTIONS, {},
        };
        InspectArgs a = { .min_rows = 10000 };
        int code = db_cli_getopt(argc, argv, options, inspect_usage, inspect_option, &a);
        if (code >= 0)
                return code;
        if (optind < argc) {
                log_error("db inspect takes no argument '%s'", argv[optind]);
                return EXIT_USAGE;
        }
        cli_install_interrupt();
        Error e = ERROR_NULL;
        DbConn *c = NULL;
        json_t *before = NULL, *doc = NULL;
        uint64_t ns;
        if (db_connect(&a.common.conn, &c, &ns, &e) < 0)
                return fail("inspect", &e);
        int r = a.duration_s > 0 ? db_inspect_snapshot(c, &before, &e) : 0;
        if (r >= 0 && before)
                cli_sleep_until_usec(profiler_now_usec() + (uint64_t) (a.duration_s * 1e6));
        if (r >= 0 && cli_interrupted()) {
                db_close(c);
                json_decref(before);
                return cli_stop_if_interrupted("during the window: nothing was reported"), EXIT_INTERRUPTED;
        }
        if (r >= 0)
                r = db_inspect(c, before, a.duration_s, (long long) a.min_rows, &doc, &e);
        db_close(c);
        json_decref(before);
        return r < 0 ? fail("inspect", &e) : print_doc(doc, &a.common, render_db_inspect);
}

int verb_db_explain(int argc, char **argv) {
        static const struct option options[] = {
                { "analyze", no_argument, NULL, OPT_ANALYZE }, { "help", no_argument, NULL, 'h' }, DB_COMMON_OPTIONS, {},
        };
        InspectArgs a = {};
        int code = db_cli_getopt(argc, argv, options, explain_usage, inspect_option, &a);
        if (code >= 0)
                return code;
        if (optind + 1 != argc) {
                log_error("db explain takes one SQL statement (see 'skytune db explain --help')");
                return EXIT_USAGE;
        }
        Error e = ERROR_NULL;
        DbConn *c = NULL;
        json_t *doc = NULL;
        uint64_t ns;
        if (db_connect(&a.common.conn, &c, &ns, &e) < 0)
                return fail("explain", &e);
        int r = db_explain(c, argv[optind], a.analyze, &doc, &e);
        db_close(c);
        return r < 0 ? fail("explain", &e) : print_doc(doc, &a.common, render_db_explain);
}
