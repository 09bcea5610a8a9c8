/* SPDX-License-Identifier: MIT */
/* A client's loop: connect, prepare, wait for the others, then transactions until the duration,
 * the count or a stop; in the rate model each starts at its scheduled time and its latency counts
 * from there. An error rolls the transaction back and is counted by its SQLSTATE class; a lost
 * connection ends this client (the run reports it); a statement the stop cancels is not counted. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db-client.h"
#include "macro.h"

static void client_error(DbClient *cl, DbErrClass cls, char *msg) {
        cl->res->errors[cls]++;
        if (!cl->res->first_error)
                cl->res->first_error = msg;
        else
                free(msg);
}

/* The value of a statement's slot for this transaction. */
static const char *slot_value(DbClient *cl, unsigned slot, unsigned k) {
        if (slot >= DB_SCRIPT_MAX_VARS)
                return cl->cfg->params[slot - DB_SCRIPT_MAX_VARS];
        snprintf(cl->ints[k], sizeof cl->ints[k], "%" PRId64, cl->vars[slot]);
        return cl->ints[k];
}

/* The simple protocol: values spliced in as literals (integers as they are, --param quoted). */
static char *simple_text(DbClient *cl, const DbStatement *st) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (!f)
                return NULL;
        bool ok = true;
        for (size_t k = 0; k <= st->n_args; k++) {
                fputs(st->segments[k], f);
                if (k == st->n_args)
                        break;
                const char *v = slot_value(cl, st->args[k], 0);
                if (st->args[k] < DB_SCRIPT_MAX_VARS) {
                        fputs(v, f);
                        continue;
                }
                char *lit = PQescapeLiteral(cl->conn->pg, v, strlen(v));
                ok = ok && lit;
                fputs(lit ? lit : "", f);
                PQfreemem(lit);
        }
        if (fclose(f) != 0 || !ok) {
                free(text);
                return NULL;
        }
        return text;
}

static PGresult *exec_stmt(DbClient *cl, const DbStatement *st, unsigned idx) {
        const char *vals[DB_SCRIPT_MAX_VARS + DB_SCRIPT_MAX_PARAMS];
        for (unsigned k = 0; k < st->n_params; k++)
                vals[k] = slot_value(cl, st->param_slot[k], k);
        switch (cl->cfg->protocol) {
        case DB_PROTO_SIMPLE: {
                _cleanup_free_ char *text = simple_text(cl, st);
                return text ? PQexec(cl->conn->pg, text) : NULL;
        }
        case DB_PROTO_PREPARED: {
                char name[32];
                snprintf(name, sizeof name, "skytune_%u", idx);
                return PQexecPrepared(cl->conn->pg, name, (int) st->n_params, vals, NULL, NULL, 0);
        }
        default: return PQexecParams(cl->conn->pg, st->text, (int) st->n_params, NULL, vals, NULL, NULL, 0);
        }
}

/* A statement cancelled by the run's own stop (Ctrl-C, an abort threshold): no error of the workload. */
static bool cancelled_by_stop(DbClient *cl, const PGresult *res) {
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        return state && strcmp(state, "57014") == 0 && atomic_load(cl->stop);
}

/* One statement: 0, or -EIO (counted), or -ECONNRESET when the connection is gone, or -ECANCELED
 * (not counted) when the stop cancelled it. */
static int run_stmt(DbClient *cl, unsigned idx) {
        const DbStatement *st = &cl->cfg->script->stmts[idx];
        DbStmtStats *ss = &cl->res->stmts[idx];
        uint64_t t = db_now_ns();
        PGresult *res = exec_stmt(cl, st, idx);
        ExecStatusType status = PQresultStatus(res);
        if (status == PGRES_FATAL_ERROR && cancelled_by_stop(cl, res)) {
                PQclear(res);
                return -ECANCELED;
        }
        histogram_record(ss->latency, db_now_ns() - t);
        int r = 0;
        if (status == PGRES_TUPLES_OK)
                ss->rows += (uint64_t) PQntuples(res);
        else if (status == PGRES_COMMAND_OK)
                ss->rows += strtoull(PQcmdTuples(res), NULL, 10);
        else {
                bool lost = PQstatus(cl->conn->pg) == CONNECTION_BAD;
                const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
                DbErrClass cls = lost ? DB_ERR_CONNECTION : db_sqlstate_class(state);
                char *m = db_conn_message(cl->conn, res), *line = NULL;
                if (asprintf(&line, "statement %u (line %u)%s%s: %s", idx + 1, st->line, state ? ", SQLSTATE " : "",
                             state ? state : "", m ? m : "out of memory") < 0)
                        line = NULL;
                free(m);
                client_error(cl, cls, line);
                ss->errors++;
                r = lost ? -ECONNRESET : -EIO;
        }
        PQclear(res);
        return r;
}

static int run_set(DbClient *cl, const DbCommand *cmd) {
        int r = db_expr_eval(cmd->expr, cl->vars, &cl->rng, &cl->vars[cmd->var]);
        if (r < 0) {
                char *m = NULL;
                if (asprintf(&m, "\\set %s: %s", cl->cfg->script->vars[cmd->var],
                             r == -ERANGE ? "overflow or division by zero" : "random(LO, HI) with HI < LO") < 0)
                        m = NULL;
                client_error(cl, DB_ERR_OTHER, m);
        }
        return r;
}

/* One run of the script. An error ends it and rolls back what it began. */
static int run_tx(DbClient *cl) {
        const DbScript *s = cl->cfg->script;
        int r = 0;
        for (size_t i = 0; i < s->n_cmds && r >= 0; i++)
                r = s->cmds[i].kind == DB_CMD_SET ? run_set(cl, &s->cmds[i]) : run_stmt(cl, s->cmds[i].stmt);
        if (r == -ECONNRESET)
                return r;
        if (PQtransactionStatus(cl->conn->pg) != PQTRANS_IDLE)
                PQclear(PQexec(cl->conn->pg, "ROLLBACK"));
        return r;
}

static bool sleep_until(DbClient *cl, uint64_t ns) {
        for (;;) {
                if (atomic_load(cl->stop) && atomic_load(cl->go))
                        return false;
                uint64_t now = db_now_ns();
                if (now >= ns)
                        return true;
                uint64_t step = MIN(ns - now, (uint64_t) 50000000);
                struct timespec ts = { .tv_sec = (time_t) (step / 1000000000u),
                                       .tv_nsec = (long) (step % 1000000000u) };
                nanosleep(&ts, NULL);
        }
}

/* Count one finished (or skipped) transaction where the progress reads it, and in the totals. */
static void account(DbClient *cl, int r, bool skipped, uint64_t latency_ns) {
        DbResult *res = cl->res;
        double limit_ns = cl->cfg->latency_limit_ms * 1e6;
        if (skipped)
                res->skipped++;
        else {
                res->transactions++;
                histogram_record(res->latency, latency_ns);
                if (r < 0)
                        res->failed++;
                if (limit_ns > 0 && (double) latency_ns > limit_ns)
                        res->late++;
        }
        pthread_mutex_lock(&cl->lock);
        if (skipped)
                cl->iv_skipped++;
        else {
                cl->iv_tx++;
                cl->iv_failed += r < 0;
                histogram_record(cl->iv_latency, latency_ns);
        }
        pthread_mutex_unlock(&cl->lock);
}

static int client_start(DbClient *cl) {
        const DbRunConfig *c = cl->cfg;
        uint64_t ns = 0;
        Error e = ERROR_NULL;
        int r = db_connect(&c->conn, &cl->conn, &ns, &e);
        histogram_record(cl->res->connect, ns);
        if (r >= 0 && !(cl->res->server_version = strdup(db_server_version(cl->conn))))
                r = error_set(&e, -ENOMEM, "out of memory");
        for (size_t i = 0; r >= 0 && c->protocol == DB_PROTO_PREPARED && i < c->script->n_stmts; i++) {
                const DbStatement *st = &c->script->stmts[i];
                char name[32];
                snprintf(name, sizeof name, "skytune_%zu", i);
                PGresult *res = PQprepare(cl->conn->pg, name, st->text, (int) st->n_params, NULL);
                if (PQresultStatus(res) != PGRES_COMMAND_OK) {
                        _cleanup_free_ char *m = db_conn_message(cl->conn, res);
                        r = error_set(&e, -EINVAL, "cannot prepare statement %zu (line %u): %s", i + 1, st->line,
                                      m ? m : "out of memory");
                }
                PQclear(res);
        }
        if (r >= 0) {
                pthread_mutex_lock(&cl->lock);
                cl->cancel = PQgetCancel(cl->conn->pg);
                pthread_mutex_unlock(&cl->lock);
        }
        if (r < 0) {
                cl->res->clients_unstarted = 1;
                cl->res->start_error = error_format(&e);
                error_done(&e);
        }
        return r;
}

/* The time this transaction is due (rate model), or -1 to stop. */
static int next_start(DbClient *cl, LoadgenArrivals *arr, uint64_t *ret) {
        if (!arr) {
                *ret = db_now_ns();
                return *ret < *cl->end_ns ? 0 : -1;
        }
        uint64_t due = loadgen_arrivals_next(arr);
        if (due >= *cl->end_ns || !sleep_until(cl, due))
                return -1;
        *ret = due;
        return 0;
}

void *db_client_main(void *userdata) {
        DbClient *cl = userdata;
        const DbRunConfig *c = cl->cfg;
        int r = client_start(cl);
        atomic_store(&cl->ready, true);
        while (!atomic_load(cl->go))
                sleep_until(cl, db_now_ns() + 1000000);
        if (r < 0 || atomic_load(cl->stop))
                goto done;
        cl->vars[DB_VAR_SCALE] = c->scale;
        cl->vars[DB_VAR_CLIENT_ID] = cl->id;
        LoadgenSchedule sched = { .model = LOADGEN_OPEN, .shape = LOADGEN_CONSTANT, .poisson = true, .value = c->rate };
        LoadgenArrivals arrivals, *arr = NULL;
        if (c->rate > 0) {
                loadgen_arrivals_init(&arrivals, &sched, c->clients, cl->id, *cl->t0_ns, &cl->rng);
                arr = &arrivals;
        }
        double limit_ns = c->latency_limit_ms * 1e6;
        for (uint64_t n = 0; !atomic_load(cl->stop) && (c->transactions == 0 || n < c->transactions); n++) {
                uint64_t start;
                if (next_start(cl, arr, &start) < 0)
                        break;
                /* pgbench -R -L: a transaction already later than the limit is not sent at all. */
                if (arr && limit_ns > 0 && (double) (db_now_ns() - start) > limit_ns) {
                        account(cl, 0, true, 0);
                        continue;
                }
                r = run_tx(cl);
                if (r == -ECANCELED) /* cut short by the stop: neither done nor failed */
                        break;
                account(cl, r, false, db_now_ns() - start);
                if (r == -ECONNRESET) {
                        cl->res->clients_lost = 1;
                        break;
                }
        }
done:
        pthread_mutex_lock(&cl->lock);
        PQfreeCancel(cl->cancel);
        cl->cancel = NULL;
        pthread_mutex_unlock(&cl->lock);
        cl->conn = db_close(cl->conn);
        atomic_store(&cl->done, true);
        return NULL;
}

void db_client_cancel(DbClient *cl) {
        char err[256];
        pthread_mutex_lock(&cl->lock);
        if (cl->cancel)
                (void) PQcancel(cl->cancel, err, sizeof err); /* best effort: the statement may have ended */
        pthread_mutex_unlock(&cl->lock);
}
