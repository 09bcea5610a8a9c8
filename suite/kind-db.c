/* SPDX-License-Identifier: MIT */
/* Kind "db": one `skytune db load` run per repetition, as a child (/proc/self/exe db load ... --json,
 * spawn-json.c), figures from its skytune.db/1 document. The DSN never enters the suite, the history
 * or argv: the suite names a file holding it (dsn_file, passed as --dsn-file) and db load reads it. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "db-script.h"
#include "macro.h"
#include "schema.h"
#include "spawn.h"
#include "suite-internal.h"

enum { M_TPS, M_P50, M_P95, M_P99, M_ERR };

static const SuiteMetricDef db_metrics[] = {
        [M_TPS] = { "tps", "1/s", true },    [M_P50] = { "p50_ms", "ms", false }, [M_P95] = { "p95_ms", "ms", false },
        [M_P99] = { "p99_ms", "ms", false }, [M_ERR] = { "errors", "errors", false },
};

static const char *const protocols[] = { "extended", "prepared", "simple" };

typedef struct DbSpec {
        char *dsn_file, *password_file, *database;            /* files resolved against the suite file's folder */
        char *builtin, *script;                               /* the workload: one of them */
        int protocol;                                         /* index into protocols */
        double clients, rate, transactions, latency_limit_ms; /* 0: db load's default */
        int64_t duration_ms, timeout_ms;
} DbSpec;

static int db_workload(const ConfRead *c, const config_setting_t *g, DbSpec *ds) {
        char *w = NULL;
        int r = suite_conf_text(c, g, "workload", false, "\"select-only\"", &w);
        if (r <= 0) {
                free(w); /* set when it is not printable */
                return r;
        }
        if (suite_names_file(w)) {
                free(w);
                return suite_conf_path(c, g, "workload", false, "", &ds->script);
        }
        ds->builtin = w;
        if (!db_builtin_script(w))
                return conf_fail(c, config_setting_get_member(g, "workload"),
                                 "workload '%s' is no built-in (%s) and no file name (a script ends in .sql or has a "
                                 "'/': docs/db.md, \"Scripts\")",
                                 w, db_builtin_names());
        return 0;
}

static int db_numbers(const ConfRead *c, const config_setting_t *g, DbSpec *ds) {
        int r = conf_number(c, g, "clients", 1, 1000, &ds->clients);
        if (r >= 0)
                r = conf_number(c, g, "rate", 0.001, 1e7, &ds->rate);
        if (r >= 0)
                r = conf_number(c, g, "transactions", 1, UINT32_MAX, &ds->transactions);
        if (r >= 0)
                r = conf_number(c, g, "latency_limit", 0.001, 3.6e6, &ds->latency_limit_ms);
        if (r >= 0)
                r = conf_duration_ms(c, g, "duration", &ds->duration_ms);
        if (r >= 0)
                r = conf_span_ms(c, g, "timeout", &ds->timeout_ms);
        if (r < 0)
                return r;
        const config_setting_t *n = config_setting_get_member(g, "transactions");
        if ((n && (ds->transactions != floor(ds->transactions))) ||
            (config_setting_get_member(g, "clients") && ds->clients != floor(ds->clients)))
                return conf_fail(c, n ? n : config_setting_get_member(g, "clients"),
                                 "'clients' and 'transactions' are whole numbers");
        if (n && ds->duration_ms > 0)
                return conf_fail(c, n,
                                 "'transactions' and 'duration' exclude each other: the run ends by a count or "
                                 "a time");
        return 0;
}

static int db_parse(const ConfRead *c, const config_setting_t *g, void **ret) {
        DbSpec *ds = calloc(1, sizeof(DbSpec));
        if (!ds)
                return error_set(c->e, -ENOMEM, "out of memory");
        *ret = ds;
        const config_setting_t *dsn = config_setting_get_member(g, "dsn");
        if (dsn)
                return conf_fail(c, dsn,
                                 "a DSN is not written into a suite (it would go into the history and on ps): "
                                 "put it in a file of mode 0600 and name it with dsn_file = \"FILE\";");
        int r = suite_conf_path(c, g, "dsn_file", true, "\"db.dsn\" (a file of mode 0600 beside the suite)",
                                &ds->dsn_file);
        if (r >= 0)
                r = suite_conf_path(c, g, "password_file", false, "", &ds->password_file);
        if (r >= 0)
                r = suite_conf_text(c, g, "database", false, "", &ds->database);
        if (r >= 0)
                r = db_workload(c, g, ds);
        if (r >= 0 && config_setting_get_member(g, "protocol"))
                r = conf_choice(c, g, "protocol", protocols, ELEMENTSOF(protocols), &ds->protocol);
        return r < 0 ? r : db_numbers(c, g, ds);
}

static void db_metrics_of(const void *spec, const SuiteMetricDef **ret, size_t *ret_n) {
        *ret = db_metrics;
        *ret_n = ELEMENTSOF(db_metrics);
}

static json_t *db_json(const void *spec) {
        const DbSpec *ds = spec;
        return json_pack("{s:s, s:s?, s:s?, s:s, s:s, s:f, s:f, s:f, s:f, s:f, s:f}", "dsn_file", ds->dsn_file,
                         "password_file", ds->password_file, "database", ds->database, "workload",
                         ds->script            ? ds->script
                                 : ds->builtin ? ds->builtin
                                               : "tpcb-like",
                         "protocol", protocols[ds->protocol], "clients", ds->clients, "rate", ds->rate, "transactions",
                         ds->transactions, "latency_limit_ms", ds->latency_limit_ms, "duration_s",
                         (double) ds->duration_ms / 1000, "timeout_s", (double) ds->timeout_ms / 1000);
}

static void add_opt(SuiteArgv *a, const char *opt, const char *value) {
        if (value) {
                suite_argv_add(a, opt);
                suite_argv_add(a, value);
        }
}

static void add_num(SuiteArgv *a, const char *opt, double v) {
        if (v > 0) {
                suite_argv_add(a, opt);
                suite_argv_addf(a, "%.17g", v);
        }
}

/* The transactions' figures: a missing one (no transaction succeeded) fails, not a NaN sample. */
static const SuiteFigure db_at[] = {
        [M_TPS] = { "transactions.tps", 1 },
        [M_P50] = { "transactions.latency_ms.p50", 1 },
        [M_P95] = { "transactions.latency_ms.p95", 1 },
        [M_P99] = { "transactions.latency_ms.p99", 1 },
        [M_ERR] = { "errors.total", 1 },
};

static int db_run(const void *spec, SuiteRepOut *out, const volatile sig_atomic_t *stop, Error *e) {
        const DbSpec *ds = spec;
        SuiteArgv a = {};
        suite_argv_add(&a, "/proc/self/exe");
        suite_argv_add(&a, "db");
        suite_argv_add(&a, "load");
        add_opt(&a, "--dsn-file", ds->dsn_file);
        add_opt(&a, "--password-file", ds->password_file);
        add_opt(&a, "--database", ds->database);
        add_opt(&a, "--script", ds->script);
        add_opt(&a, "--builtin", ds->builtin);
        if (ds->protocol > 0)
                suite_argv_addf(&a, "--%s", protocols[ds->protocol]);
        add_num(&a, "--clients", ds->clients);
        add_num(&a, "--rate", ds->rate);
        add_num(&a, "--transactions", ds->transactions);
        add_num(&a, "--latency-limit", ds->latency_limit_ms);
        add_num(&a, "--duration", (double) ds->duration_ms / 1000);
        add_opt(&a, "--progress", "0");
        suite_argv_add(&a, "--json");
        /* Only 0 measured: 1 is a lost or refused connection or no transaction done, 2 a mistake in
         * the benchmark (a bad script, an unreadable dsn_file), and no thresholds are passed (4). */
        double run_s = ds->duration_ms > 0 ? (double) ds->duration_ms / 1000 : ds->transactions > 0 ? 60 : 10;
        const SuiteSelfRun how = {
                .timeout_ms = ds->timeout_ms > 0 ? ds->timeout_ms : (int64_t) (run_s * 3000) + 30000,
                .accept = 1u << 0,
                .why = { [1] = "a client could not connect or lost its connection, or every transaction failed",
                         [2] = "a usage error: check the benchmark's keys, its dsn_file and its workload" },
                .schema = DB_SCHEMA,
                .what = "db load",
        };
        json_t *doc;
        int r = suite_self_doc(&a, &how, stop, &doc, e);
        suite_argv_done(&a);
        if (r == 0)
                r = suite_doc_figures(doc, "db load", db_metrics, db_at, ELEMENTSOF(db_at), out->values, e);
        json_decref(doc);
        return r;
}

static void db_free(void *spec) {
        DbSpec *ds = spec;
        free(ds->dsn_file);
        free(ds->password_file);
        free(ds->database);
        free(ds->builtin);
        free(ds->script);
        free(ds);
}

/* "dsn" is a key so that it is refused with what to do instead, not as an unknown one. */
static const char *const db_keys[] = { "dsn_file", "password_file", "database",      "workload", "protocol", "clients",
                                       "rate",     "transactions",  "latency_limit", "duration", "timeout",  "dsn" };

const SuiteKind suite_kind_db = {
        .name = "db",
        .summary = "one skytune db load run per repetition (tps, p50/p95/p99 ms, errors)",
        .keys = db_keys,
        .n_keys = ELEMENTSOF(db_keys),
        .parse = db_parse,
        .metrics = db_metrics_of,
        .spec_json = db_json,
        .run = db_run,
        .spec_free = db_free,
};
