/* SPDX-License-Identifier: MIT */
/* db: a short fixed PostgreSQL workload against the database the user names (--dsn), as rounds of
 * db/'s engine: pgbench's select-only (default) or tpcb-like transaction from --db-clients
 * connections in the closed model. Each round is one db_run of the round's duration (the clients
 * connect before the clock starts, so connecting is not in the figures); the rounds merged give the
 * summary, a skytune.db/1 document with the DSN redacted. The server is another process: its CPU is
 * the workload's, not contamination. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "db-run.h"
#include "macro.h"
#include "probe-db.h"

enum { DB_TPS, DB_SUCCESS, DB_P50, DB_P90, DB_P95, DB_P99, DB_P999, DB_MAX, DB_METRICS };

static const ProbeMetricDef db_metrics[] = {
        [DB_TPS] = { "tps", "tx/s", true },
        [DB_SUCCESS] = { "success_rate", "ratio", true },
        [DB_P50] = { "latency_p50_ms", "ms", false },
        [DB_P90] = { "latency_p90_ms", "ms", false },
        [DB_P95] = { "latency_p95_ms", "ms", false },
        [DB_P99] = { "latency_p99_ms", "ms", false },
        [DB_P999] = { "latency_p99_9_ms", "ms", false },
        [DB_MAX] = { "latency_max_ms", "ms", false },
};

typedef struct DbProbeState {
        DbScript *script;
        DbRunConfig run; /* the rounds' common configuration */
        const char *workload;
        DbResult *all; /* every round so far */
        unsigned rounds;
} DbProbeState;

static const DbProbeOptions no_options;

static const DbProbeOptions *options_of(const ProbeConfig *cfg) {
        return cfg->options ? cfg->options : &no_options;
}

/* pgbench's tables are there (db init made them): their scale, or why not. */
static int find_scale(const DbConnOpts *conn, int64_t *scale, Error *e) {
        DbConn *c = NULL;
        uint64_t ns;
        int r = db_connect(conn, &c, &ns, e);
        if (r < 0)
                return r;
        Error why = ERROR_NULL;
        r = db_query_int(c, "SELECT count(*) FROM pgbench_branches", scale, &why);
        db_close(c);
        if (r >= 0 && *scale < 1)
                r = error_set(&why, -ENOENT, "pgbench_branches is empty");
        if (r < 0)
                r = error_set(e, -ENOENT,
                              "%s: create pgbench's tables first with 'skytune db init --scale N' on that "
                              "database",
                              error_message(&why));
        error_done(&why);
        return r;
}

static int db_probe_setup(void *state, const ProbeConfig *cfg, Error *e) {
        DbProbeState *s = state;
        const DbProbeOptions *o = options_of(cfg);
        if (isempty(o->conn.dsn))
                return error_set(e, -EINVAL,
                                 "no database: name one with --dsn (for example --dsn "
                                 "'host=127.0.0.1 dbname=bench' --password-file F)");
        s->workload = o->builtin ? o->builtin : DB_PROBE_DEFAULT_BUILTIN;
        int r = db_script_parse(db_builtin_script(s->workload), s->workload, &s->script, e);
        if (r < 0)
                return r;
        s->run = (DbRunConfig) {
                .conn = o->conn,
                .script = s->script,
                .protocol = DB_PROTO_PREPARED,
                .clients = o->clients ? o->clients : DB_PROBE_DEFAULT_CLIENTS,
                .scale = 1,
                .seed = 1,
        };
        r = find_scale(&s->run.conn, &s->run.scale, e);
        if (r < 0)
                return r;
        return db_result_new(s->script->n_stmts, &s->all) < 0 ? error_set(e, -ENOMEM, "out of memory") : 0;
}

static void db_probe_teardown(void *state) {
        DbProbeState *s = state;
        s->all = db_result_free(s->all);
        s->script = db_script_free(s->script);
}

static bool stop_requested(void *userdata) {
        return probe_stopped(userdata);
}

static double ms(const Histogram *h, double p) {
        return histogram_count(h) ? (double) histogram_percentile(h, p) / 1e6 : NAN;
}

static json_t *round_detail(const DbResult *r) {
        json_t *d = json_object(), *errors = json_object();
        if (!d || !errors) {
                json_decref(d);
                json_decref(errors);
                return NULL;
        }
        for (size_t i = 0; i < _DB_ERR_MAX; i++)
                json_object_set_new(errors, db_err_class_name((DbErrClass) i), json_integer((json_int_t) r->errors[i]));
        json_object_set_new(d, "transactions", json_integer((json_int_t) r->transactions));
        json_object_set_new(d, "failed", json_integer((json_int_t) r->failed));
        json_object_set_new(d, "errors", errors);
        json_object_set_new(d, "clients_lost", json_integer(r->clients_lost));
        json_object_set_new(d, "clients_unstarted", json_integer(r->clients_unstarted));
        json_object_set_new(d, "elapsed_s", json_real(r->elapsed_s));
        if (r->first_error)
                json_object_set_new(d, "first_error", json_string(r->first_error));
        return d;
}

static int db_probe_round(void *state, const ProbeConfig *cfg, ProbeRoundOut *out) {
        DbProbeState *s = state;
        DbRunConfig c = s->run;
        c.duration_s = cfg->duration_s;
        c.stop = stop_requested;
        c.userdata = (void *) cfg;
        c.seed = s->run.seed + s->rounds;
        DbResult *r = NULL;
        Error e = ERROR_NULL;
        int k = db_run(&c, &r, &e);
        if (k < 0)
                out->error = error_format(&e); /* db's messages are scrubbed of the passwords */
        error_done(&e);
        if (k < 0)
                return k;
        double *v = out->values;
        uint64_t ok = r->transactions - r->failed;
        v[DB_TPS] = r->elapsed_s > 0 ? (double) ok / r->elapsed_s : NAN;
        v[DB_SUCCESS] = r->transactions ? (double) ok / (double) r->transactions : NAN;
        v[DB_P50] = ms(r->latency, 50);
        v[DB_P90] = ms(r->latency, 90);
        v[DB_P95] = ms(r->latency, 95);
        v[DB_P99] = ms(r->latency, 99);
        v[DB_P999] = ms(r->latency, 99.9);
        v[DB_MAX] = histogram_count(r->latency) ? (double) histogram_max(r->latency) / 1e6 : NAN;
        out->foreign_expected = true;
        out->ops = r->transactions;
        out->failed_ops = r->failed;
        out->detail = round_detail(r);
        s->all->elapsed_s += r->elapsed_s;
        db_result_merge(s->all, r);
        db_result_free(r);
        s->rounds++;
        return 0;
}

static json_t *db_probe_summary(void *state) {
        DbProbeState *s = state;
        json_t *d = db_result_json(s->all, &s->run, "probe", s->workload);
        if (d)
                json_object_set_new(d, "rounds", json_integer(s->rounds));
        return d;
}

const ProbeBackend probe_db = {
        .name = "db",
        .summary = "PostgreSQL: pgbench's select-only or tpcb-like from N connections, tps and latency percentiles",
        .metrics = db_metrics,
        .n_metrics = DB_METRICS,
        .primary = DB_TPS,
        .state_size = sizeof(DbProbeState),
        .setup = db_probe_setup,
        .round = db_probe_round,
        .overall = db_probe_summary,
        .teardown = db_probe_teardown,
        .options = db_probe_options,
        .n_options = DB_PROBE_OPTION_COUNT,
        .options_heading = "db (PostgreSQL; the password never goes on the command line):",
        .options_size = sizeof(DbProbeOptions),
        .options_init = db_probe_options_init,
        .target_option = "dsn",
        .target_example = "--dsn 'host=127.0.0.1 dbname=bench'",
        .failure_hint = "the errors by SQLSTATE class and first_error in each round's detail, and the server's log",
        .target_shown = db_dsn_redact,
};
