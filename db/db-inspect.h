/* SPDX-License-Identifier: MIT */
/* Server-side figures (db inspect) and plans (db explain), as JSON documents (docs/db.md). */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "db.h"

/* Every row of a query as an object (column name: value; integers, floats and numerics as
 * numbers, booleans as booleans, NULL as null, the rest as strings). */
int db_query_json(DbConn *c, const char *sql, json_t **ret, Error *e);

/* One snapshot of pg_stat_database for the connection's database. */
int db_inspect_snapshot(DbConn *c, json_t **ret, Error *e);
/* skytune.db-inspect/1: the pg_stat_database deltas from before to after (cache hit ratio,
 * commits, rollbacks, deadlocks, temp files and bytes over window_s) and the findings of the
 * table and index statistics: unused indexes (no scan, not unique or primary key, on a table of at
 * least min_rows), sequential scans on tables of at least min_rows, dead-tuple ratios over 20%. */
int db_inspect(DbConn *c, const json_t *before, double window_s, long long min_rows, json_t **ret, Error *e);

/* skytune.db-explain/1 from EXPLAIN (FORMAT JSON[, ANALYZE, BUFFERS]) of sql; with analyze the
 * statement runs inside a transaction that is rolled back. */
int db_explain(DbConn *c, const char *sql, bool analyze, json_t **ret, Error *e);
/* The summary of an EXPLAIN (FORMAT JSON) result (the array PostgreSQL returns): the nodes by
 * time (or cost), misestimates of 10x or more, sequential scans that filter out many rows, sorts
 * and hashes that spilled to disk. Needs no server (db-explain-sum.c). */
json_t *db_explain_summary(const json_t *explain, bool analyze);
