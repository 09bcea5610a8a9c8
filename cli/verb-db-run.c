/* SPDX-License-Identifier: MIT */
/* skytune db query: options into a DbRunConfig, the script (SQL or a file); for it and db load,
 * :scale from pgbench_branches when the script needs it and the script files. The run and its
 * report are db-report.c's. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "macro.h"
#include "render.h"
#include "verb-db.h"

/* :scale from the tables (pgbench's way: one branch per scale unit). */
int db_cli_find_scale(DbRunConfig *c) {
        DbConn *conn = NULL;
        uint64_t ns;
        Error e = ERROR_NULL;
        int r = db_connect(&c->conn, &conn, &ns, &e);
        if (r < 0) { /* the server, not the tables: db_connect's words say what to check */
                _cleanup_free_ char *msg = error_format(&e);
                log_error("%s", msg ?: error_message(&e));
                error_done(&e);
                return r;
        }
        r = db_query_int(conn, "SELECT count(*) FROM pgbench_branches", &c->scale, &e);
        db_close(conn);
        if (r >= 0 && c->scale < 1)
                r = error_set(&e, -ENOENT, "pgbench_branches is empty");
        if (r < 0)
                log_error("the script uses :scale and it cannot be found: %s (run 'skytune db init --scale N', "
                          "or pass --scale N)",
                          error_message(&e));
        error_done(&e);
        return r;
}

#define SCRIPT_MAX_BYTES (1u << 20)

/* A script or SQL file (at most 1 MiB). */
static int read_text(const char *path, char **ret, size_t *ret_len) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        char *buf = malloc(SCRIPT_MAX_BYTES + 1);
        if (!buf)
                return -ENOMEM;
        size_t n = fread(buf, 1, SCRIPT_MAX_BYTES + 1, f);
        if (ferror(f) || n > SCRIPT_MAX_BYTES) {
                free(buf);
                return ferror(f) ? -EIO : -EFBIG;
        }
        buf[n] = 0;
        *ret = buf;
        *ret_len = n;
        return 0;
}

int db_cli_script_from_file(const char *path, DbScript **ret) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r = read_text(path, &text, &len);
        if (r < 0)
                return log_error_errno(r, "cannot read the script %s: %m%s", path, r == -EFBIG ? " (over 1 MiB)" : "");
        if (strlen(text) != len) {
                log_error("the script %s holds a NUL byte: it is not a text file", path);
                return -EINVAL;
        }
        Error e = ERROR_NULL;
        r = db_script_parse(text, path, ret, &e);
        if (r < 0) {
                _cleanup_free_ char *m = error_format(&e);
                log_error("%s (the format: " CLI_DOC("db") ", \"Scripts\")", m ? m : error_message(&e));
        }
        error_done(&e);
        return r;
}

static const char query_usage[] =
        "Usage: skytune db query SQL | --file F [--param V]... [--iterations N]\n"
        "                        [--prepared | --simple] [--threshold EXPR]...\n"
        "                        [--junit F] [--html F] --dsn DSN [--json]\n"
        "\n"
        "Run the SQL (one statement; $1, $2 ... take the --param values in order) or\n"
        "the statements of a script file N times on one connection, and print each\n"
        "statement's latency (P50 P90 P95 P99 P99.9 max), rows and errors by SQLSTATE\n"
        "class; the connect time is shown apart.\n"
        "\n"
        "  --file F             statements (and \\set lines) of F: the format is in\n"
        "                       " CLI_DOC(
                "db") "\n"
                      "  --param V            the value of the next $N (repeat for $2, $3 ...)\n"
                      "  --iterations N       runs of the SQL (default 10)\n"
                      "  --prepared           prepare once, then execute (extended protocol)\n"
                      "  --simple             the simple query protocol (values spliced in, quoted)\n" DB_REPORT_HELP
                              DB_COMMON_HELP "\n"
                      "Exit codes: 0 every statement succeeded, 1 a statement failed or the server\n"
                      "could not be reached, 2 usage error, 4 a threshold failed, 130 interrupted.\n";

typedef struct QueryArgs {
        DbCliCommon common;
        DbCliRun run;
        DbCliReport report;
        const char *file, *sql;
        uint64_t iterations;
        DbProtocol protocol;
} QueryArgs;

enum { OPT_FILE = 0x100, OPT_ITERATIONS };

static int query_option(int c, void *userdata) {
        QueryArgs *a = userdata;
        switch (c) {
        case OPT_FILE: a->file = optarg; return 0;
        case OPT_ITERATIONS:
                return db_cli_parse_u64("--iterations", optarg, 1, 100000000, &a->iterations) < 0 ? EXIT_USAGE : 0;
        default: {
                int k = db_cli_common_option(c, optarg, &a->common);
                if (k != -1)
                        return k;
                k = db_cli_report_option(c, optarg, &a->report);
                return k >= 0 ? k : db_cli_run_option(c, optarg, &a->run);
        }
        }
}

static int query_parse(int argc, char **argv, QueryArgs *a) {
        static const struct option options[] = {
                { "file", required_argument, NULL, OPT_FILE },
                { "iterations", required_argument, NULL, OPT_ITERATIONS },
                { "help", no_argument, NULL, 'h' },
                DB_COMMON_OPTIONS,
                DB_RUN_OPTIONS,
                DB_REPORT_OPTIONS,
                {},
        };
        int code = db_cli_getopt(argc, argv, options, query_usage, query_option, a);
        if (code < 0)
                code = db_cli_protocol(&a->run, &a->protocol);
        if (code >= 0)
                return code;
        if (optind < argc)
                a->sql = argv[optind++];
        if (optind < argc || !!a->sql == !!a->file) {
                log_error("db query takes one SQL argument or --file F (see 'skytune db query --help')");
                return EXIT_USAGE;
        }
        return -1;
}

int verb_db_query(int argc, char **argv) {
        QueryArgs a = { .iterations = 10 };
        int code = query_parse(argc, argv, &a);
        if (code >= 0) {
                db_cli_report_done(&a.report);
                return code;
        }
        DbScript *s = NULL;
        Error e = ERROR_NULL;
        if (a.file ? db_cli_script_from_file(a.file, &s) < 0 : db_script_single(a.sql, &s, &e) < 0) {
                if (error_is_set(&e))
                        log_error("the SQL: %s", error_message(&e));
                error_done(&e);
                db_cli_report_done(&a.report);
                return EXIT_FAIL;
        }
        DbRunConfig c = { .conn = a.common.conn,
                          .script = s,
                          .params = a.run.params,
                          .n_params = a.run.n_params,
                          .protocol = a.protocol,
                          .clients = 1,
                          .transactions = a.iterations,
                          .scale = 1,
                          .seed = 1 };
        code = s->uses_scale && db_cli_find_scale(&c) < 0
                ? EXIT_FAIL
                : db_cli_run_and_judge(&c, &a.common, &a.report, "query", a.file ? a.file : "sql");
        db_script_free(s);
        db_cli_report_done(&a.report);
        return code;
}
