/* SPDX-License-Identifier: MIT */
/* The run's result: allocation, merging the clients' results, and the skytune.db/1 document. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "db-run.h"
#include "macro.h"
#include "schema.h"

/* 1 ns .. 1000 s at 3 significant digits. */
#define LAT_HIGHEST 1000000000000ull
#define LAT_DIGITS 3

static const char *const protocol_names[_DB_PROTO_MAX] = {
        [DB_PROTO_SIMPLE] = "simple",
        [DB_PROTO_EXTENDED] = "extended",
        [DB_PROTO_PREPARED] = "prepared",
};

const char *db_protocol_name(DbProtocol p) {
        return p >= 0 && p < _DB_PROTO_MAX ? protocol_names[p] : "?";
}

DbResult *db_result_free(DbResult *r) {
        if (!r)
                return NULL;
        histogram_free(r->latency);
        histogram_free(r->connect);
        for (size_t i = 0; r->stmts && i < r->n_stmts; i++)
                histogram_free(r->stmts[i].latency);
        free(r->stmts);
        free(r->first_error);
        free(r->start_error);
        free(r->server_version);
        free(r);
        return NULL;
}

int db_result_new(size_t n_stmts, DbResult **ret) {
        DbResult *r = calloc(1, sizeof *r);
        if (!r)
                return -ENOMEM;
        r->n_stmts = n_stmts;
        int k = (r->stmts = calloc(n_stmts + 1, sizeof *r->stmts)) ? 0 : -ENOMEM;
        if (k >= 0)
                k = histogram_new(LAT_HIGHEST, LAT_DIGITS, &r->latency);
        if (k >= 0)
                k = histogram_new(LAT_HIGHEST, LAT_DIGITS, &r->connect);
        for (size_t i = 0; k >= 0 && i < n_stmts; i++)
                k = histogram_new(LAT_HIGHEST, LAT_DIGITS, &r->stmts[i].latency);
        if (k < 0) {
                db_result_free(r);
                return k;
        }
        *ret = r;
        return 0;
}

static void keep_first(char **dst, char **src) {
        if (!*dst && *src)
                *dst = TAKE_PTR(*src);
}

void db_result_merge(DbResult *dst, DbResult *src) {
        histogram_merge(dst->latency, src->latency);
        histogram_merge(dst->connect, src->connect);
        for (size_t i = 0; i < dst->n_stmts && i < src->n_stmts; i++) {
                histogram_merge(dst->stmts[i].latency, src->stmts[i].latency);
                dst->stmts[i].rows += src->stmts[i].rows;
                dst->stmts[i].errors += src->stmts[i].errors;
        }
        dst->transactions += src->transactions;
        dst->failed += src->failed;
        dst->skipped += src->skipped;
        dst->late += src->late;
        for (size_t i = 0; i < _DB_ERR_MAX; i++)
                dst->errors[i] += src->errors[i];
        dst->clients_lost += src->clients_lost;
        dst->clients_unstarted += src->clients_unstarted;
        keep_first(&dst->first_error, &src->first_error);
        keep_first(&dst->start_error, &src->start_error);
        keep_first(&dst->server_version, &src->server_version);
}

static json_t *real_or_null(double v) {
        return isfinite(v) ? json_real(v) : json_null();
}

/* {count, mean, p50, p90, p95, p99, p99_9, max} in ms. */
json_t *db_latency_json(const Histogram *h) {
        static const struct {
                const char *key;
                double p;
        } ps[] = { { "p50", 50 }, { "p90", 90 }, { "p95", 95 }, { "p99", 99 }, { "p99_9", 99.9 } };
        json_t *o = json_object();
        uint64_t n = histogram_count(h);
        json_object_set_new(o, "count", json_integer((json_int_t) n));
        json_object_set_new(o, "mean", n ? real_or_null(histogram_mean(h) / 1e6) : json_null());
        for (size_t i = 0; i < ELEMENTSOF(ps); i++)
                json_object_set_new(o, ps[i].key, n ? json_real((double) histogram_percentile(h, ps[i].p) / 1e6)
                                                    : json_null());
        json_object_set_new(o, "max", n ? json_real((double) histogram_max(h) / 1e6) : json_null());
        return o;
}

json_t *db_errors_json(const DbResult *r) {
        json_t *o = json_object();
        uint64_t total = 0;
        for (size_t i = 0; i < _DB_ERR_MAX; i++) {
                json_object_set_new(o, db_err_class_name((DbErrClass) i), json_integer((json_int_t) r->errors[i]));
                total += r->errors[i];
        }
        json_object_set_new(o, "total", json_integer((json_int_t) total));
        json_object_set_new(o, "first", r->first_error ? json_string(r->first_error) : json_null());
        return o;
}

static json_t *config_json(const DbRunConfig *c, const char *workload) {
        json_t *o = json_object();
        json_object_set_new(o, "workload", json_string(workload ? workload : ""));
        json_object_set_new(o, "protocol", json_string(db_protocol_name(c->protocol)));
        json_object_set_new(o, "clients", json_integer(c->clients));
        json_object_set_new(o, "model", json_string(c->rate > 0 ? "rate" : "closed"));
        json_object_set_new(o, "rate", c->rate > 0 ? json_real(c->rate) : json_null());
        json_object_set_new(o, "duration_s", c->duration_s > 0 ? json_real(c->duration_s) : json_null());
        json_object_set_new(o, "transactions_per_client", c->transactions ? json_integer((json_int_t) c->transactions)
                                                                          : json_null());
        json_object_set_new(o, "latency_limit_ms", c->latency_limit_ms > 0 ? json_real(c->latency_limit_ms)
                                                                            : json_null());
        json_object_set_new(o, "scale", json_integer(c->scale));
        return o;
}

static json_t *statements_json(const DbResult *r, const DbScript *s) {
        json_t *a = json_array();
        for (size_t i = 0; i < r->n_stmts && i < s->n_stmts; i++) {
                json_t *o = json_object();
                json_object_set_new(o, "sql", json_string(s->stmts[i].text));
                json_object_set_new(o, "line", json_integer(s->stmts[i].line));
                json_object_set_new(o, "rows", json_integer((json_int_t) r->stmts[i].rows));
                json_object_set_new(o, "errors", json_integer((json_int_t) r->stmts[i].errors));
                json_object_set_new(o, "latency_ms", db_latency_json(r->stmts[i].latency));
                json_array_append_new(a, o);
        }
        return a;
}

json_t *db_result_json(const DbResult *r, const DbRunConfig *c, const char *command, const char *workload) {
        json_t *doc = json_object(), *tx = json_object(), *srv = json_object();
        _cleanup_free_ char *dsn = db_dsn_redact(c->conn.dsn);
        json_object_set_new(doc, "schema", json_string(DB_SCHEMA));
        json_object_set_new(doc, "command", json_string(command));
        json_object_set_new(srv, "dsn", json_string(dsn ? dsn : ""));
        json_object_set_new(srv, "database", c->conn.database ? json_string(c->conn.database) : json_null());
        json_object_set_new(srv, "version", json_string(r->server_version ? r->server_version : ""));
        json_object_set_new(doc, "server", srv);
        json_object_set_new(doc, "config", config_json(c, workload));
        json_object_set_new(doc, "elapsed_s", json_real(r->elapsed_s));
        json_object_set_new(doc, "interrupted", json_boolean(r->interrupted));
        json_object_set_new(doc, "connect_ms", db_latency_json(r->connect));
        json_object_set_new(tx, "count", json_integer((json_int_t) r->transactions));
        json_object_set_new(tx, "failed", json_integer((json_int_t) r->failed));
        json_object_set_new(tx, "skipped", json_integer((json_int_t) r->skipped));
        json_object_set_new(tx, "late", json_integer((json_int_t) r->late));
        json_object_set_new(tx, "tps", r->elapsed_s > 0 ? json_real((double) (r->transactions - r->failed) / r->elapsed_s)
                                                        : json_null());
        json_object_set_new(tx, "latency_ms", db_latency_json(r->latency));
        json_object_set_new(doc, "transactions", tx);
        json_object_set_new(doc, "statements", statements_json(r, c->script));
        json_object_set_new(doc, "errors", db_errors_json(r));
        json_t *cl = json_object();
        json_object_set_new(cl, "lost", json_integer(r->clients_lost));
        json_object_set_new(cl, "unstarted", json_integer(r->clients_unstarted));
        json_object_set_new(cl, "start_error", r->start_error ? json_string(r->start_error) : json_null());
        json_object_set_new(doc, "clients", cl);
        return doc;
}
