/* SPDX-License-Identifier: MIT */
/* db inspect and db explain on a connection: the statistics views read as JSON rows, deltas of
 * pg_stat_database over a window, findings from pg_stat_user_tables and _indexes (docs/db.md). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "db-inspect.h"
#include "db-internal.h"
#include "json-util.h"
#include "macro.h"
#include "schema.h"

enum { OID_BOOL = 16, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23, OID_OID = 26, OID_FLOAT4 = 700,
       OID_FLOAT8 = 701, OID_NUMERIC = 1700 };

static json_t *value_json(const PGresult *res, int row, int col) {
        if (PQgetisnull(res, row, col))
                return json_null();
        const char *v = PQgetvalue(res, row, col);
        switch (PQftype(res, col)) {
        case OID_BOOL:
                return json_boolean(v[0] == 't');
        case OID_INT2:
        case OID_INT4:
        case OID_INT8:
        case OID_OID:
                return json_integer(strtoll(v, NULL, 10));
        case OID_FLOAT4:
        case OID_FLOAT8:
        case OID_NUMERIC: {
                double d = strtod(v, NULL);
                return isfinite(d) ? json_real(d) : json_null();
        }
        default:
                return json_string(v);
        }
}

/* With at most one text parameter ($1). */
static int query_json(DbConn *c, const char *sql, const char *param, json_t **ret, Error *e) {
        PGresult *res = param ? PQexecParams(c->pg, sql, 1, NULL, &param, NULL, NULL, 0) : PQexec(c->pg, sql);
        if (PQresultStatus(res) != PGRES_TUPLES_OK) {
                _cleanup_free_ char *m = db_conn_message(c, res);
                PQclear(res);
                return error_set(e, -EIO, "PostgreSQL at %s: %s", c->dsn_shown, m ? m : "out of memory");
        }
        json_t *rows = json_array();
        for (int r = 0; r < PQntuples(res); r++) {
                json_t *o = json_object();
                for (int k = 0; k < PQnfields(res); k++)
                        json_object_set_new(o, PQfname(res, k), value_json(res, r, k));
                json_array_append_new(rows, o);
        }
        PQclear(res);
        *ret = rows;
        return 0;
}

int db_query_json(DbConn *c, const char *sql, json_t **ret, Error *e) {
        return query_json(c, sql, NULL, ret, e);
}

static const char snapshot_sql[] =
        "SELECT datname, blks_hit, blks_read, xact_commit, xact_rollback, deadlocks, temp_files, temp_bytes,"
        " conflicts, tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted"
        " FROM pg_stat_database WHERE datname = current_database()";

int db_inspect_snapshot(DbConn *c, json_t **ret, Error *e) {
        json_t *rows = NULL;
        /* The statistics of this transaction's snapshot are cached: take fresh ones. */
        PQclear(PQexec(c->pg, "SELECT pg_stat_clear_snapshot()"));
        int r = db_query_json(c, snapshot_sql, &rows, e);
        if (r < 0)
                return r;
        *ret = json_incref(json_array_get(rows, 0));
        json_decref(rows);
        return *ret ? 0 : error_set(e, -ENOENT, "pg_stat_database has no row for this database");
}

static json_t *deltas(const json_t *before, const json_t *after, double window_s) {
        json_t *d = json_object();
        const char *key;
        json_t *v;
        json_object_foreach((json_t *) after, key, v)
                if (json_is_integer(v))
                        json_object_set_new(d, key, json_integer(json_integer_value(v) -
                                                                 json_integer_value(json_object_get(before, key))));
        json_int_t hit = json_integer_value(json_object_get(d, "blks_hit")),
                   read = json_integer_value(json_object_get(d, "blks_read"));
        json_object_set_new(d, "cache_hit_ratio", hit + read > 0 ? json_real((double) hit / (double) (hit + read)) : json_null());
        json_object_set_new(d, "window_s", json_real(window_s));
        return d;
}

/* Each query is one kind of finding; its rows are the objects it names. */
static const struct {
        const char *kind, *sql;
} table_checks[] = {
        { "unused_index",
          "SELECT s.relname AS table, s.indexrelname AS index, pg_relation_size(s.indexrelid) AS bytes, t.n_live_tup AS rows"
          " FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid"
          " JOIN pg_stat_user_tables t ON t.relid = s.relid"
          " WHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary AND t.n_live_tup >= $1::bigint"
          " ORDER BY bytes DESC" },
        { "seq_scan_large",
          "SELECT relname AS table, seq_scan, seq_tup_read, idx_scan, n_live_tup AS rows FROM pg_stat_user_tables"
          " WHERE seq_scan > 0 AND n_live_tup >= $1::bigint ORDER BY seq_tup_read DESC LIMIT 20" },
        { "dead_tuples",
          "SELECT relname AS table, n_dead_tup AS dead, n_live_tup AS rows,"
          " round(n_dead_tup::numeric / greatest(n_live_tup + n_dead_tup, 1), 3) AS dead_ratio, last_autovacuum::text"
          " FROM pg_stat_user_tables WHERE n_dead_tup >= 1000 AND n_dead_tup > 0.2 * (n_live_tup + n_dead_tup)"
          " AND n_live_tup + n_dead_tup >= $1::bigint ORDER BY dead DESC LIMIT 20" },
};

int db_inspect(DbConn *c, const json_t *before, double window_s, long long min_rows, json_t **ret, Error *e) {
        json_t *after = NULL, *findings = json_object();
        int r = db_inspect_snapshot(c, &after, e);
        char min[32];
        snprintf(min, sizeof min, "%lld", min_rows);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(table_checks); i++) {
                json_t *rows = NULL;
                if ((r = query_json(c, table_checks[i].sql, min, &rows, e)) >= 0)
                        json_object_set_new(findings, table_checks[i].kind, rows);
        }
        if (r < 0) {
                json_decref(after);
                json_decref(findings);
                return r;
        }
        json_t *doc = json_object();
        json_object_set_new(doc, "schema", json_string(DB_INSPECT_SCHEMA));
        json_object_set_new(doc, "database", json_string(jstr_or(after, "datname", "")));
        json_object_set_new(doc, "server_version", json_string(db_server_version(c)));
        json_object_set_new(doc, "min_rows", json_integer(min_rows));
        json_object_set_new(doc, "lifetime", json_incref(after));
        json_object_set_new(doc, "window", before ? deltas(before, after, window_s) : json_null());
        json_object_set_new(doc, "findings", findings);
        json_decref(after);
        *ret = doc;
        return 0;
}

int db_explain(DbConn *c, const char *sql, bool analyze, json_t **ret, Error *e) {
        _cleanup_free_ char *q = NULL;
        if (asprintf(&q, "EXPLAIN (FORMAT JSON%s) %s", analyze ? ", ANALYZE, BUFFERS" : "", sql) < 0)
                return error_set(e, -ENOMEM, "out of memory");
        /* ANALYZE runs the statement: what it changes is rolled back. */
        int r = analyze ? db_exec(c, "BEGIN", e) : 0;
        json_t *rows = NULL;
        if (r >= 0)
                r = db_query_json(c, q, &rows, e);
        if (analyze)
                PQclear(PQexec(c->pg, "ROLLBACK"));
        if (r < 0)
                return r;
        json_t *plan = json_loads(jstr_or(json_array_get(rows, 0), "QUERY PLAN", ""), 0, NULL);
        json_decref(rows);
        if (!plan)
                return error_set(e, -EBADMSG, "EXPLAIN gave no JSON plan");
        json_t *doc = db_explain_summary(plan, analyze);
        json_object_set_new(doc, "sql", json_string(sql));
        json_object_set_new(doc, "plan", plan);
        *ret = doc;
        return 0;
}
