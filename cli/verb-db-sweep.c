/* SPDX-License-Identifier: MIT */
/* skytune db pool-sweep: the sizes, repeats and workload into a DbSweepConfig, a progress line per
 * run, then the skytune.db-sweep/1 document or its table (docs/db.md, "Pool sweep"). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db-sweep.h"
#include "load-output.h"
#include "log.h"
#include "macro.h"
#include "render.h"
#include "verb-db.h"

static const char sweep_usage[] =
        "Usage: skytune db pool-sweep [--clients 1,2,4,8] [--repeats N] [--duration S]\n"
        "                             [--builtin NAME | --script FILE] [--slo-p95 MS]\n"
        "                             [--html FILE] --dsn DSN [--json]\n"
        "\n"
        "Run one workload at each pool size (clients = connections), every size once\n"
        "per repeat in turn (1 2 4 8 1 2 4 8 ...) after a warm-up, and sample the\n"
        "server's wait events from pg_stat_activity meanwhile. Per size: throughput\n"
        "median and its interval over the repeats (their range at 3 to 5 repeats, of\n"
        "75% to 94% confidence), P50 P95 P99, errors, wait events.\n"
        "Recommends the smallest size whose throughput median reaches the best size's\n"
        "interval and whose P95 meets --slo-p95 (none when an interval is wider than a\n"
        "quarter of its median); fits the USL when it fits (R^2 >= 0.9).\n"
        "\n"
        "  --clients LIST       pool sizes, comma-separated (default 1,2,4,8)\n"
        "  --repeats N          runs of each size (default 3; fewer cannot decide)\n"
        "  --duration S         seconds per run (default 5)\n"
        "  --warmup S           a first run at the largest size, not counted\n"
        "                       (default 1, 0: none)\n"
        "  --slo-p95 MS         the recommended size's P95 must be at most MS\n"
        "  --builtin NAME       tpcb-like (default), select-only or suite ('db init')\n"
        "  --script FILE        a script: statements and \\set lines (docs/db.md)\n"
        "  --scale N            :scale (default: the rows of pgbench_branches)\n"
        "  --param V            the value of $1, $2 ... in order\n"
        "  --prepared           prepare each statement once per client, then execute\n"
        "  --simple             the simple protocol (default: extended, unprepared)\n" DB_CONN_HELP
        "  --json               print a skytune.db-sweep/1 document\n"
        "  --html FILE          also write the sweep as one offline HTML page (charts of\n"
        "                       throughput and latency by pool size, the sizes' table)\n"
        "\n"
        "Exit codes: 0 the sweep completed, 1 the server could not be reached or went\n"
        "away (the sizes measured before are reported), 2 usage error, 130\n"
        "interrupted.\n";

typedef struct SweepArgs {
        const char *html;
        DbCliCommon common;
        DbCliRun opts;
        DbSweepConfig sweep;
        const char *builtin, *script;
        bool scale_given;
} SweepArgs;

enum {
        OPT_CLIENTS = 0x100,
        OPT_REPEATS,
        OPT_DURATION,
        OPT_WARMUP,
        OPT_SLO,
        OPT_BUILTIN,
        OPT_SCRIPT,
        OPT_SCALE,
        OPT_HTML
};

static int cmp_unsigned(const void *x, const void *y) {
        unsigned a = *(const unsigned *) x, b = *(const unsigned *) y;
        return a < b ? -1 : a > b;
}

/* "1,2,4,8": ascending after sorting, no size twice. */
static int parse_sizes(const char *list, DbSweepConfig *c) {
        _cleanup_free_ char *copy = strdup(list);
        if (!copy)
                return EXIT_FAIL;
        c->n_sizes = 0;
        char *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                uint64_t v;
                if (c->n_sizes >= DB_SWEEP_MAX_SIZES) {
                        log_error("--clients '%s': at most %d sizes", list, DB_SWEEP_MAX_SIZES);
                        return EXIT_USAGE;
                }
                if (db_cli_parse_u64("--clients", t, 1, 1000, &v) < 0)
                        return EXIT_USAGE;
                c->sizes[c->n_sizes++] = (unsigned) v;
        }
        qsort(c->sizes, c->n_sizes, sizeof c->sizes[0], cmp_unsigned);
        for (size_t i = 1; i < c->n_sizes; i++)
                if (c->sizes[i] == c->sizes[i - 1]) {
                        log_error("--clients '%s': %u is given twice", list, c->sizes[i]);
                        return EXIT_USAGE;
                }
        if (c->n_sizes == 0) {
                log_error("--clients '%s': a comma-separated list of pool sizes is expected (1,2,4,8)", list);
                return EXIT_USAGE;
        }
        return 0;
}

static int seconds(const char *opt, const char *s, double min, double *ret) {
        if (cli_parse_seconds(s, ret) < 0 || *ret < min) {
                log_error("%s '%s': seconds%s are expected", opt, s, min > 0 ? " above 0" : "");
                return EXIT_USAGE;
        }
        return 0;
}

static int sweep_option(int c, void *userdata) {
        SweepArgs *a = userdata;
        DbSweepConfig *s = &a->sweep;
        uint64_t v;
        switch (c) {
        case OPT_CLIENTS: return parse_sizes(optarg, s);
        case OPT_REPEATS:
                return db_cli_parse_u64("--repeats", optarg, 1, DB_SWEEP_MAX_REPEATS, &v) < 0
                        ? EXIT_USAGE
                        : (s->repeats = (unsigned) v, 0);
        case OPT_DURATION: return seconds("--duration", optarg, 0.001, &s->run.duration_s);
        case OPT_WARMUP: return seconds("--warmup", optarg, 0, &s->warmup_s);
        case OPT_SLO: return db_cli_parse_double("--slo-p95", optarg, 0.001, &s->slo_p95_ms) < 0 ? EXIT_USAGE : 0;
        case OPT_BUILTIN: a->builtin = optarg; return 0;
        case OPT_HTML: a->html = optarg; return 0;
        case OPT_SCRIPT: a->script = optarg; return 0;
        case OPT_SCALE:
                a->scale_given = true;
                return db_cli_parse_u64("--scale", optarg, 1, 100000, &v) < 0 ? EXIT_USAGE
                                                                              : (s->run.scale = (int64_t) v, 0);
        default: {
                int k = db_cli_common_option(c, optarg, &a->common);
                return k != -1 ? k : db_cli_run_option(c, optarg, &a->opts);
        }
        }
}

static int sweep_parse(int argc, char **argv, SweepArgs *a) {
        static const struct option options[] = {
                { "clients", required_argument, NULL, OPT_CLIENTS },
                { "repeats", required_argument, NULL, OPT_REPEATS },
                { "duration", required_argument, NULL, OPT_DURATION },
                { "warmup", required_argument, NULL, OPT_WARMUP },
                { "slo-p95", required_argument, NULL, OPT_SLO },
                { "builtin", required_argument, NULL, OPT_BUILTIN },
                { "script", required_argument, NULL, OPT_SCRIPT },
                { "scale", required_argument, NULL, OPT_SCALE },
                { "html", required_argument, NULL, OPT_HTML },
                { "help", no_argument, NULL, 'h' },
                DB_COMMON_OPTIONS,
                DB_RUN_OPTIONS,
                {},
        };
        int code = db_cli_getopt(argc, argv, options, sweep_usage, sweep_option, a);
        if (code < 0)
                code = db_cli_protocol(&a->opts, &a->sweep.run.protocol);
        if (code >= 0)
                return code;
        if (optind < argc) {
                log_error("db pool-sweep takes no argument '%s': the workload is --builtin NAME or --script FILE",
                          argv[optind]);
                return EXIT_USAGE;
        }
        return a->builtin && a->script ? cli_flags_conflict("--builtin", "--script", "one workload per sweep") : -1;
}

static void on_run(const DbSweepRunInfo *r, void *userdata) {
        const DbResult *res = r->result;
        if (r->warmup)
                fprintf(stderr, "sweep: warm-up, %u client%s", r->clients, r->clients == 1 ? "" : "s");
        else
                fprintf(stderr, "sweep: run %u/%u, %u client%s (repeat %u)", r->index, r->total, r->clients,
                        r->clients == 1 ? "" : "s", r->repeat);
        if (!res) {
                fprintf(stderr, ": %s\n", r->error ? r->error : "did not run");
                return;
        }
        fprintf(stderr, ": %.1f tps, p95 %.3f ms, %llu failed%s\n",
                res->elapsed_s > 0 ? (double) (res->transactions - res->failed) / res->elapsed_s : 0,
                (double) histogram_percentile(res->latency, 95) / 1e6, (unsigned long long) res->failed,
                res->clients_lost ? ", a client lost its connection" : "");
}

static bool stop_requested(void *userdata) {
        return cli_interrupted();
}

static int sweep_exit(const json_t *doc) {
        if (json_is_true(json_object_get(doc, "interrupted"))) {
                cli_stop_if_interrupted("during the sweep: the runs that finished are reported");
                return EXIT_INTERRUPTED;
        }
        const char *err = json_string_value(json_object_get(doc, "error"));
        if (err) {
                log_error("db pool-sweep stopped at %s (check the server; the sizes measured before are reported)",
                          err);
                return EXIT_FAIL;
        }
        size_t i;
        json_t *s;
        json_array_foreach(json_object_get(doc, "sizes"), i, s)
                if (json_integer_value(json_object_get(s, "ok_repeats")) > 0)
                        return EXIT_OK;
        log_error("db pool-sweep: no run succeeded: every transaction failed (see errors.first in --json)");
        return EXIT_FAIL;
}

static int sweep_report(SweepArgs *a) {
        cli_install_interrupt();
        Error e = ERROR_NULL;
        json_t *doc = NULL;
        if (db_sweep(&a->sweep, &doc, &e) < 0) {
                log_error("db pool-sweep: %s", error_message(&e));
                error_done(&e);
                return cli_interrupted() ? EXIT_INTERRUPTED : EXIT_FAIL;
        }
        int code = sweep_exit(doc);
        if (a->common.json ? cli_write_json(doc, NULL) < 0
                           : render_db_sweep(stdout, doc, &(RenderView) { .width = 80 }) < 0)
                code = EXIT_FAIL;
        if (a->html && cli_render_to_file(doc, a->html, "HTML report", render_db_sweep_html) < 0 &&
            code != EXIT_INTERRUPTED)
                code = EXIT_FAIL;
        json_decref(doc);
        return code;
}

int verb_db_pool_sweep(int argc, char **argv) {
        SweepArgs a = { .sweep = { .sizes = { 1, 2, 4, 8 },
                                   .n_sizes = 4,
                                   .repeats = 3,
                                   .warmup_s = 1,
                                   .sample_s = 0.1,
                                   .run = { .duration_s = 5, .scale = 1, .seed = 1 } } };
        int code = sweep_parse(argc, argv, &a);
        if (code >= 0)
                return code;
        DbScript *s = NULL;
        if (db_cli_workload(a.builtin, a.script, &s) < 0)
                return EXIT_FAIL;
        DbSweepConfig *c = &a.sweep;
        c->run.conn = a.common.conn;
        c->run.script = s;
        c->run.params = a.opts.params;
        c->run.n_params = a.opts.n_params;
        c->run.stop = stop_requested;
        c->on_run = on_run;
        c->workload = a.script ? a.script : a.builtin ? a.builtin : "tpcb-like";
        code = s->uses_scale && !a.scale_given && db_cli_find_scale(&c->run) < 0 ? EXIT_FAIL : sweep_report(&a);
        db_script_free(s);
        return code;
}
