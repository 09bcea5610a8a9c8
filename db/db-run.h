/* SPDX-License-Identifier: MIT */
/* The workload engine of `db query` and `db load`: N client threads, one connection each, running a
 * script as transactions in the closed model (each starts when the last ended) or at a fixed rate
 * (loadgen's Poisson arrivals; latency counted from the scheduled start, as pgbench -R does; with a
 * latency limit, a transaction already later than the limit when its turn comes is skipped and one
 * that ends later than it is late). Latencies go into common/histogram.h histograms: per transaction,
 * per statement, and the connect times apart. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db-script.h"
#include "db.h"
#include "histogram.h"

typedef enum DbProtocol { DB_PROTO_SIMPLE, DB_PROTO_EXTENDED, DB_PROTO_PREPARED, _DB_PROTO_MAX } DbProtocol;
const char *db_protocol_name(DbProtocol p);

typedef struct DbProgress {
        double t_s;                     /* since the start */
        double interval_s;
        uint64_t transactions, failed, skipped;
        Histogram *latency;             /* this interval's transaction latencies (ns) */
} DbProgress;

typedef struct DbRunConfig {
        DbConnOpts conn;
        const DbScript *script;
        const char *const *params;      /* $1 .. */
        size_t n_params;
        DbProtocol protocol;
        unsigned clients;
        double rate;                    /* transactions per second over all clients; 0: closed model */
        double duration_s;              /* 0: until each client ran `transactions` */
        uint64_t transactions;          /* per client; 0: until the duration ends */
        double latency_limit_ms;        /* 0: none */
        int64_t scale;                  /* :scale */
        double progress_s;              /* 0: no progress callback */
        void (*progress)(const DbProgress *p, void *userdata);
        bool (*stop)(void *userdata);   /* polled: true ends the run early (Ctrl-C) */
        void *userdata;
        uint64_t seed;
} DbRunConfig;

typedef struct DbStmtStats {
        Histogram *latency;             /* ns */
        uint64_t rows, errors;
} DbStmtStats;

typedef struct DbResult {
        Histogram *latency;             /* transactions (ns), from the scheduled start at a rate */
        Histogram *connect;             /* ns, one per client connection */
        DbStmtStats *stmts;             /* script->n_stmts */
        size_t n_stmts;
        uint64_t transactions, failed, skipped, late;
        uint64_t errors[_DB_ERR_MAX];
        char *first_error;              /* the first statement error, scrubbed */
        unsigned clients_lost;          /* clients whose connection went away */
        unsigned clients_unstarted;     /* clients that could not connect or prepare */
        char *start_error;              /* why the first of them could not */
        double elapsed_s;
        bool interrupted;
        char *server_version;
} DbResult;

int db_result_new(size_t n_stmts, DbResult **ret);
DbResult *db_result_free(DbResult *r);
/* dst += src (histograms merged, counts added; the first messages move to dst if it has none). */
void db_result_merge(DbResult *dst, DbResult *src);

/* Run it. Fails only when nothing could run (no client connected, bad configuration); errors of
 * statements and lost connections are counted in the result. */
int db_run(const DbRunConfig *c, DbResult **ret, Error *e);

/* The skytune.db/1 document (docs/db.md); command is "query" or "load", dsn is shown redacted. */
json_t *db_result_json(const DbResult *r, const DbRunConfig *c, const char *command, const char *workload);
/* {count, mean, p50, p90, p95, p99, p99_9, max} in ms of a latency histogram (ns); null when empty. */
json_t *db_latency_json(const Histogram *h);
/* {serialization_failure, ..., other, total, first}: the errors by SQLSTATE class. */
json_t *db_errors_json(const DbResult *r);
