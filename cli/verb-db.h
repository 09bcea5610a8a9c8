/* SPDX-License-Identifier: MIT */
/* skytune db: the subcommands (verb-db.c dispatches), their shared connection options and helpers
 * (db-options.c). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "db-judge.h"
#include "db-run.h"

/* --dsn or --dsn-file, --password-file, --database, --json: the options every db subcommand takes. */
typedef struct DbCliCommon {
        DbConnOpts conn;
        const char *dsn_file; /* --dsn-file: conn.dsn was read from it */
        bool json;
} DbCliCommon;

enum { DB_OPT_DSN = 0x200, DB_OPT_PASSWORD_FILE, DB_OPT_DATABASE, DB_OPT_JSON, DB_OPT_DSN_FILE };
#define DB_COMMON_OPTIONS                                                              \
        { "dsn", required_argument, NULL, DB_OPT_DSN },                                \
        { "dsn-file", required_argument, NULL, DB_OPT_DSN_FILE },                      \
        { "password-file", required_argument, NULL, DB_OPT_PASSWORD_FILE },            \
        { "database", required_argument, NULL, DB_OPT_DATABASE },                      \
        { "json", no_argument, NULL, DB_OPT_JSON }
#define DB_COMMON_HELP DB_CONN_HELP "  --json               print a skytune.db/1 document\n"
/* The connection options' help alone, for a command whose --json prints another document. */
#define DB_CONN_HELP                                                                   \
        "  --dsn DSN            libpq connection string or URI (host=... dbname=...,\n" \
        "                       postgresql://user@host/db?sslmode=require); no\n"      \
        "                       password in it: see --password-file\n"                 \
        "  --dsn-file F         the DSN, first line of F (mode 0600), not on ps\n"     \
        "  --password-file F    the password, first line of F (mode 0600); else\n"     \
        "                       libpq's PGPASSWORD, PGPASSFILE, ~/.pgpass, services\n" \
        "  --database NAME      this database instead of the DSN's\n"

/* --param, --prepared, --simple: the options of the commands that run statements. */
typedef struct DbCliRun {
        const char *params[DB_SCRIPT_MAX_PARAMS];
        size_t n_params;
        bool simple, prepared;
} DbCliRun;

enum { DB_OPT_PARAM = 0x280, DB_OPT_PREPARED, DB_OPT_SIMPLE };
#define DB_RUN_OPTIONS                                                                 \
        { "param", required_argument, NULL, DB_OPT_PARAM },                            \
        { "prepared", no_argument, NULL, DB_OPT_PREPARED },                            \
        { "simple", no_argument, NULL, DB_OPT_SIMPLE }

/* --threshold, --junit, --html: what db load and db query judge and report (db-report.c). */
typedef struct DbCliReport {
        DbJudge judge;
        const char *junit, *html;
        bool print_progress;            /* the run's progress lines on stderr */
        bool abort;                     /* an `abort` threshold failed: the run stops */
} DbCliReport;

enum { DB_OPT_THRESHOLD = 0x2c0, DB_OPT_JUNIT, DB_OPT_HTML };
#define DB_REPORT_OPTIONS                                                              \
        { "threshold", required_argument, NULL, DB_OPT_THRESHOLD },                    \
        { "junit", required_argument, NULL, DB_OPT_JUNIT },                            \
        { "html", required_argument, NULL, DB_OPT_HTML }
#define DB_REPORT_HELP                                                                 \
        "  --threshold EXPR     pass/fail on the run, as skytune load's (repeatable):\n" \
        "                       p95<50ms, errors_pct<1, tps>100, p99<20ms for 5s abort\n" \
        "  --junit FILE         JUnit XML: a test case per threshold\n"                 \
        "  --html FILE          an offline HTML report: latency and tps over time,\n"   \
        "                       statements, errors by SQLSTATE class, server figures\n"

/* c into r: 0 taken, -1 not one of them, EXIT_USAGE a threshold that does not parse (logged). */
int db_cli_report_option(int c, const char *arg, DbCliReport *r);
void db_cli_report_done(DbCliReport *r);
/* db_cli_run_and_report with thresholds and reports: exit THRESHOLD_EXIT_FAILED (4) when the run
 * completed and a threshold failed. r may be NULL. */
int db_cli_run_and_judge(DbRunConfig *c, const DbCliCommon *o, DbCliReport *r, const char *command,
                         const char *workload);

/* c into r: 0 taken, -1 not one of them, EXIT_USAGE too many --param. */
int db_cli_run_option(int c, const char *arg, DbCliRun *r);

/* The common option c (from getopt_long) into o: 0 taken, -1 not one of them, EXIT_USAGE (logged):
 * --dsn with --dsn-file, or a DSN file that cannot be read. */
int db_cli_common_option(int c, const char *arg, DbCliCommon *o);
/* A whole number in [min, max] for option opt; logs and returns -EINVAL otherwise. */
int db_cli_parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *ret);
int db_cli_parse_double(const char *opt, const char *s, double min, double *ret);
struct option;
/* getopt_long over options ("h" for --help, which prints usage): each option goes to option(),
 * which returns 0 (taken), -1 (not an option of this command) or an exit code. Returns -1 to go
 * on, else the exit code (EXIT_OK after --help, EXIT_USAGE with the reason logged). */
int db_cli_getopt(int argc, char **argv, const struct option *options, const char *usage,
                  int (*option)(int c, void *userdata), void *userdata);
/* --simple / --prepared into *ret; -1 to go on, else EXIT_USAGE (both given). */
int db_cli_protocol(const DbCliRun *r, DbProtocol *ret);
/* The libpq-less build's message and exit code (1). */
int db_cli_unavailable(void);

int verb_db_query(int argc, char **argv);
int verb_db_load(int argc, char **argv);
int verb_db_init(int argc, char **argv);
int verb_db_clean(int argc, char **argv);
int verb_db_inspect(int argc, char **argv);
int verb_db_explain(int argc, char **argv);
int verb_db_pool_sweep(int argc, char **argv);
int verb_db_advise(int argc, char **argv);
struct DbAdviseHost;
struct Sysroot;
/* db advise's host facts through root: memory and huge pages, the data directory's disk. */
void db_cli_advise_host(const struct Sysroot *root, const char *data_directory, struct DbAdviseHost *h);
/* --script FILE, else the --builtin NAME (default tpcb-like), parsed (logs why not). */
int db_cli_workload(const char *builtin, const char *script, DbScript **ret);
/* Run c, then print the result (text or JSON); the exit code (docs/db.md). */
int db_cli_run_and_report(DbRunConfig *c, const DbCliCommon *o, const char *command, const char *workload);
/* :scale from pgbench_branches (logs why not). */
int db_cli_find_scale(DbRunConfig *c);
/* Read and parse a script file (logs file:line errors). */
int db_cli_script_from_file(const char *path, DbScript **ret);
/* A progress line on stderr. */
void db_cli_progress(const DbProgress *p, void *userdata);
