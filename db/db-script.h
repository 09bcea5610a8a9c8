/* SPDX-License-Identifier: MIT */
/* A workload script (docs/db.md, "Scripts"): SQL statements and pgbench-like \set lines. A
 * statement ends at a line ending with ';' (or at a blank line or the end); `-- ` lines are comments.
 * `:name` in SQL is a variable (\set NAME EXPR, or the built-in :scale and :client_id), `$N` the
 * N-th --param. Expressions: integers, :variables, + - * / %, parentheses, random(LO, HI). One run
 * of the script is one transaction of the workload. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "stats.h"

enum { DB_VAR_SCALE, DB_VAR_CLIENT_ID, _DB_VAR_BUILTIN };
#define DB_SCRIPT_MAX_VARS 64
#define DB_SCRIPT_MAX_PARAMS 64

typedef struct DbExpr DbExpr;

/* One SQL statement as a template: segments[0] arg[0] segments[1] ... segments[n_args]. An arg
 * is a slot: a variable (slot < DB_SCRIPT_MAX_VARS) or a user parameter (DB_SCRIPT_MAX_VARS + i). */
typedef struct DbStatement {
        char **segments;                /* n_args + 1 */
        unsigned *args;
        size_t n_args;
        char *text;                     /* the extended-protocol text ($1, $2 ...) */
        unsigned n_params;              /* distinct $N in text */
        unsigned *param_slot;           /* slot of $1 .. $n_params */
        unsigned line;
} DbStatement;

typedef enum DbCommandKind { DB_CMD_SQL, DB_CMD_SET } DbCommandKind;

typedef struct DbCommand {
        DbCommandKind kind;
        unsigned stmt;                  /* SQL: index into statements */
        unsigned var;                   /* SET: the variable's slot */
        DbExpr *expr;
} DbCommand;

typedef struct DbScript {
        char *name;
        DbCommand *cmds;
        size_t n_cmds;
        DbStatement *stmts;
        size_t n_stmts;
        char *vars[DB_SCRIPT_MAX_VARS];
        size_t n_vars;
        unsigned max_user_param;        /* highest $N used; 0: none */
        bool uses_scale;
} DbScript;

/* Parse a script; file names the input in errors (file:line). -EINVAL with e set when malformed. */
int db_script_parse(const char *text, const char *file, DbScript **ret, Error *e);
/* One statement taken as it is (skytune db query SQL): $N are parameters, ':' is not special. */
int db_script_single(const char *sql, DbScript **ret, Error *e);
DbScript *db_script_free(DbScript *s);

/* Expressions (db-expr.c). Parse from *p, which moves past it; NULL with e set on error. */
DbExpr *db_expr_parse(const char **p, DbScript *s, const char *file, unsigned line, Error *e);
DbExpr *db_expr_free(DbExpr *x);
/* Evaluate with vars[slot] values; -ERANGE on division by zero or overflow, -EINVAL on an empty
 * random range. */
int db_expr_eval(const DbExpr *x, const int64_t *vars, StatsRng *rng, int64_t *ret);
/* Find or add a variable's slot (db-vars.c); -E2BIG when there are too many. */
int db_script_var(DbScript *s, const char *name, size_t len, bool define);

/* The built-in workloads (db-builtin.c): "tpcb-like", "select-only" (pgbench's) and "suite" (the
 * seed's query types on the tables `db init` creates). NULL when unknown. */
const char *db_builtin_script(const char *name);
/* "tpcb-like, select-only, suite" */
const char *db_builtin_names(void);
/* The SQL that creates (and fills, for scale) or drops the tables of every built-in workload. */
char *db_init_sql(int64_t scale);
const char *db_clean_sql(void);
