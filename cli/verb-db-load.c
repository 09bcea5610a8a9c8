/* SPDX-License-Identifier: MIT */
/* skytune db load: N clients on a built-in or a script, closed or at a rate (docs/db.md). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "macro.h"
#include "verb-db.h"

static const char load_usage[] =
        "Usage: skytune db load [--builtin NAME | --script FILE] [--clients N]\n"
        "                       [--rate R] [--duration S] [--latency-limit MS] --dsn DSN\n"
        "\n"
        "Run a workload from N clients (one connection each): in the closed model each\n"
        "starts its next transaction when the last ended; with --rate, transactions\n"
        "start on a Poisson schedule and latency counts from the scheduled start (as\n"
        "pgbench -R). Progress each second on stderr, then TPS, P50..P99.9 and max of\n"
        "the transactions and of each statement, and errors by SQLSTATE class.\n"
        "\n"
        "  --builtin NAME       tpcb-like (default), select-only (pgbench's, on the\n"
        "                       pgbench_* tables) or suite (select, join, aggregate,\n"
        "                       CTE, window, insert, update, delete); see 'db init'\n"
        "  --script FILE        a script: statements and \\set lines (docs/db.md)\n"
        "  --clients N          concurrent clients (default 1)\n"
        "  --rate R             transactions per second over all clients\n"
        "  --duration S         seconds (default 10)\n"
        "  --transactions N     per client, instead of a duration\n"
        "  --latency-limit MS   count transactions over MS as late; with --rate, skip\n"
        "                       those already late when their turn comes\n"
        "  --scale N            :scale (default: the rows of pgbench_branches)\n"
        "  --param V            the value of $1, $2 ... in order\n"
        "  --prepared           prepare each statement once per client, then execute\n"
        "  --simple             the simple protocol (default: extended, unprepared)\n"
        "  --progress S         progress interval (default 1, 0: none)\n" DB_REPORT_HELP DB_COMMON_HELP "\n"
        "Exit codes: 0 the run completed (its errors are counted), 1 a client lost its\n"
        "connection or could not connect, or every transaction failed, 2 usage error,\n"
        "4 a threshold failed, 130 interrupted.\n";

typedef struct LoadArgs {
        DbCliCommon common;
        DbRunConfig run;
        DbCliRun opts;
        DbCliReport report;
        const char *builtin, *script;
        bool scale_given;
} LoadArgs;

enum {
        OPT_BUILTIN = 0x100,
        OPT_SCRIPT,
        OPT_CLIENTS,
        OPT_RATE,
        OPT_DURATION,
        OPT_TRANSACTIONS,
        OPT_LIMIT,
        OPT_SCALE,
        OPT_PROGRESS
};

static int load_option(int c, void *userdata) {
        LoadArgs *a = userdata;
        DbRunConfig *r = &a->run;
        uint64_t v;
        switch (c) {
        case OPT_BUILTIN: a->builtin = optarg; return 0;
        case OPT_SCRIPT: a->script = optarg; return 0;
        case OPT_CLIENTS:
                return db_cli_parse_u64("--clients", optarg, 1, 1000, &v) < 0 ? EXIT_USAGE
                                                                              : (r->clients = (unsigned) v, 0);
        case OPT_RATE: return db_cli_parse_double("--rate", optarg, 0.001, &r->rate) < 0 ? EXIT_USAGE : 0;
        case OPT_DURATION:
                return cli_parse_seconds(optarg, &r->duration_s) < 0 || r->duration_s <= 0
                        ? (log_error("--duration '%s': seconds above 0 are expected", optarg), EXIT_USAGE)
                        : 0;
        case OPT_TRANSACTIONS:
                return db_cli_parse_u64("--transactions", optarg, 1, UINT32_MAX, &r->transactions) < 0 ? EXIT_USAGE : 0;
        case OPT_LIMIT:
                return db_cli_parse_double("--latency-limit", optarg, 0.001, &r->latency_limit_ms) < 0 ? EXIT_USAGE : 0;
        case OPT_SCALE:
                a->scale_given = true;
                return db_cli_parse_u64("--scale", optarg, 1, 100000, &v) < 0 ? EXIT_USAGE
                                                                              : (r->scale = (int64_t) v, 0);
        case OPT_PROGRESS:
                return cli_parse_seconds(optarg, &r->progress_s) < 0
                        ? (log_error("--progress '%s': seconds are expected", optarg), EXIT_USAGE)
                        : 0;
        default: {
                int k = db_cli_common_option(c, optarg, &a->common);
                if (k != -1)
                        return k;
                k = db_cli_report_option(c, optarg, &a->report);
                return k >= 0 ? k : db_cli_run_option(c, optarg, &a->opts);
        }
        }
}

static int load_parse(int argc, char **argv, LoadArgs *a) {
        static const struct option options[] = {
                { "builtin", required_argument, NULL, OPT_BUILTIN },
                { "script", required_argument, NULL, OPT_SCRIPT },
                { "clients", required_argument, NULL, OPT_CLIENTS },
                { "rate", required_argument, NULL, OPT_RATE },
                { "duration", required_argument, NULL, OPT_DURATION },
                { "transactions", required_argument, NULL, OPT_TRANSACTIONS },
                { "latency-limit", required_argument, NULL, OPT_LIMIT },
                { "scale", required_argument, NULL, OPT_SCALE },
                { "progress", required_argument, NULL, OPT_PROGRESS },
                { "help", no_argument, NULL, 'h' },
                DB_COMMON_OPTIONS,
                DB_RUN_OPTIONS,
                DB_REPORT_OPTIONS,
                {},
        };
        int code = db_cli_getopt(argc, argv, options, load_usage, load_option, a);
        if (code < 0)
                code = db_cli_protocol(&a->opts, &a->run.protocol);
        if (code >= 0)
                return code;
        if (optind < argc) {
                log_error("db load takes no argument '%s': the workload is --builtin NAME or --script FILE",
                          argv[optind]);
                return EXIT_USAGE;
        }
        if (a->builtin && a->script)
                return cli_flags_conflict("--builtin", "--script", "one workload per run");
        if (a->run.transactions && a->run.duration_s > 0)
                return cli_flags_conflict("--transactions", "--duration", "the run ends by a count or a time");
        return -1;
}

static int load_script(const LoadArgs *a, DbScript **s) {
        return db_cli_workload(a->builtin, a->script, s);
}

int verb_db_load(int argc, char **argv) {
        LoadArgs a = { .run = { .clients = 1, .progress_s = 1, .scale = 1, .seed = 1 } };
        int code = load_parse(argc, argv, &a);
        DbScript *s = NULL;
        if (code < 0 && load_script(&a, &s) < 0)
                code = EXIT_FAIL;
        if (code >= 0) {
                db_cli_report_done(&a.report);
                return code;
        }
        DbRunConfig *c = &a.run;
        c->conn = a.common.conn;
        c->script = s;
        c->params = a.opts.params;
        c->n_params = a.opts.n_params;
        if (!c->transactions && c->duration_s <= 0)
                c->duration_s = 10;
        if (c->progress_s > 0)
                c->progress = db_cli_progress;
        code = s->uses_scale && !a.scale_given && db_cli_find_scale(c) < 0
                ? EXIT_FAIL
                : db_cli_run_and_judge(c, &a.common, &a.report, "load",
                                       a.script            ? a.script
                                               : a.builtin ? a.builtin
                                                           : "tpcb-like");
        db_script_free(s);
        db_cli_report_done(&a.report);
        return code;
}
