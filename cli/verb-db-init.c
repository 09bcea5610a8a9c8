/* SPDX-License-Identifier: MIT */
/* skytune db init and db clean: the built-in workloads' tables in the named database. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "macro.h"
#include "verb-db.h"

static const char init_usage[] =
        "Usage: skytune db init [--scale N] [--database NAME] --dsn DSN\n"
        "       skytune db clean [--database NAME] --dsn DSN\n"
        "\n"
        "init creates the database NAME when it does not exist, then (again) the tables\n"
        "of the built-in workloads: pgbench's (pgbench_accounts, _branches, _tellers,\n"
        "_history: 100,000 accounts per scale unit, as 'pgbench -i -s N', so results\n"
        "compare with pgbench on the same tables) and the suite's (skytune_users,\n"
        "skytune_orders, skytune_events). clean drops those tables.\n"
        "\n"
        "  --scale N            scale units (default 1)\n"
        DB_COMMON_HELP;

enum { OPT_SCALE = 0x100 };

typedef struct InitArgs {
        DbCliCommon common;
        uint64_t scale;
        bool allow_scale;               /* init; clean takes no --scale */
} InitArgs;

static int init_option(int c, void *userdata) {
        InitArgs *a = userdata;
        if (c == OPT_SCALE)
                return !a->allow_scale ? -1 : db_cli_parse_u64("--scale", optarg, 1, 10000, &a->scale) < 0 ? EXIT_USAGE : 0;
        return db_cli_common_option(c, optarg, &a->common);
}

static int init_parse(int argc, char **argv, InitArgs *a) {
        static const struct option options[] = {
                { "scale", required_argument, NULL, OPT_SCALE }, { "help", no_argument, NULL, 'h' }, DB_COMMON_OPTIONS, {},
        };
        int code = db_cli_getopt(argc, argv, options, init_usage, init_option, a);
        if (code >= 0)
                return code;
        if (optind < argc) {
                log_error("'skytune db %s' takes no argument '%s'", argv[0], argv[optind]);
                return EXIT_USAGE;
        }
        return -1;
}

static int fail(const char *what, Error *e) {
        log_error("db %s: %s", what, error_message(e));
        error_done(e);
        return EXIT_FAIL;
}

/* CREATE DATABASE when it is missing (from the DSN's own database), then connect to it. */
static int connect_creating(const DbCliCommon *o, DbConn **ret, Error *e) {
        uint64_t ns;
        DbConnOpts base = o->conn;
        base.database = NULL;
        DbConn *c = NULL;
        int r = db_connect(&base, &c, &ns, e);
        if (r < 0)
                return r;
        int64_t n = 0;
        const char *name = o->conn.database;
        _cleanup_free_ char *q = NULL, *create = NULL;
        if (asprintf(&q, "SELECT count(*) FROM pg_database WHERE datname = '%s'", name) < 0 ||
            asprintf(&create, "CREATE DATABASE \"%s\"", name) < 0)
                r = error_set(e, -ENOMEM, "out of memory");
        if (r >= 0)
                r = db_query_int(c, q, &n, e);
        if (r >= 0 && n == 0)
                r = db_exec(c, create, e);
        db_close(c);
        return r < 0 ? r : db_connect(&o->conn, ret, &ns, e);
}

static bool plain_name(const char *s) {
        if (!*s || strlen(s) > 63)
                return false;
        for (; *s; s++)
                if (!(*s == '_' || *s == '-' || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
                        return false;
        return true;
}

int verb_db_init(int argc, char **argv) {
        InitArgs a = { .scale = 1, .allow_scale = true };
        int code = init_parse(argc, argv, &a);
        if (code >= 0)
                return code;
        const DbCliCommon o = a.common;
        uint64_t scale = a.scale;
        if (o.conn.database && !plain_name(o.conn.database)) {
                log_error("--database '%s': lower-case letters, digits, '_' and '-' only (at most 63)", o.conn.database);
                return EXIT_USAGE;
        }
        Error e = ERROR_NULL;
        DbConn *c = NULL;
        uint64_t ns;
        if ((o.conn.database ? connect_creating(&o, &c, &e) : db_connect(&o.conn, &c, &ns, &e)) < 0)
                return fail("init", &e);
        _cleanup_free_ char *sql = db_init_sql((int64_t) scale);
        int r = sql ? db_exec(c, sql, &e) : error_set(&e, -ENOMEM, "out of memory");
        if (r >= 0)
                r = db_exec(c, "VACUUM ANALYZE", &e);
        db_close(c);
        if (r < 0)
                return fail("init", &e);
        if (!o.json)
                printf("db init: scale %llu: %llu pgbench accounts, %llu suite users, ready for 'skytune db load'\n",
                       (unsigned long long) scale, (unsigned long long) scale * 100000, (unsigned long long) scale * 10000);
        return EXIT_OK;
}

int verb_db_clean(int argc, char **argv) {
        InitArgs a = {};
        int code = init_parse(argc, argv, &a);
        if (code >= 0)
                return code;
        const DbCliCommon o = a.common;
        Error e = ERROR_NULL;
        DbConn *c = NULL;
        uint64_t ns;
        if (db_connect(&o.conn, &c, &ns, &e) < 0)
                return fail("clean", &e);
        int r = db_exec(c, db_clean_sql(), &e);
        db_close(c);
        if (r < 0)
                return fail("clean", &e);
        if (!o.json)
                printf("db clean: the built-in workloads' tables are dropped\n");
        return EXIT_OK;
}
