/* SPDX-License-Identifier: MIT */
/* \set expressions: a recursive-descent parser into a small tree, evaluated per transaction with
 * overflow checked (a script is outside input: no expression may crash or wrap silently). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db-script.h"
#include "macro.h"

#define EXPR_MAX_DEPTH 32

typedef enum ExprOp { X_INT, X_VAR, X_ADD, X_SUB, X_MUL, X_DIV, X_MOD, X_NEG, X_RANDOM } ExprOp;

struct DbExpr {
        ExprOp op;
        int64_t value;          /* X_INT; X_VAR: the slot */
        DbExpr *a, *b;
};

typedef struct Parser {
        const char *p;
        DbScript *s;
        const char *file;
        unsigned line;
        unsigned depth;
        Error *e;
} Parser;

static DbExpr *parse_sum(Parser *ps);

DbExpr *db_expr_free(DbExpr *x) {
        if (x) {
                db_expr_free(x->a);
                db_expr_free(x->b);
                free(x);
        }
        return NULL;
}

static DbExpr *node(ExprOp op, DbExpr *a, DbExpr *b) {
        DbExpr *x = calloc(1, sizeof *x);
        if (!x) {
                db_expr_free(a);
                db_expr_free(b);
                return NULL;
        }
        *x = (DbExpr) { .op = op, .a = a, .b = b };
        return x;
}

static void skip_space(Parser *ps) {
        while (*ps->p == ' ' || *ps->p == '\t')
                ps->p++;
}

static DbExpr *fail(Parser *ps, const char *what) {
        error_set_input(ps->e, -EINVAL, ps->file, ps->line, "%s in a \\set expression at '%.20s'", what, ps->p);
        return NULL;
}

static DbExpr *parse_number(Parser *ps) {
        errno = 0;
        char *end;
        long long v = strtoll(ps->p, &end, 10);
        if (errno == ERANGE)
                return fail(ps, "a number out of range");
        ps->p = end;
        DbExpr *x = node(X_INT, NULL, NULL);
        if (x)
                x->value = v;
        return x;
}

static DbExpr *parse_var(Parser *ps) {
        const char *name = ++ps->p;
        while (isalnum((unsigned char) *ps->p) || *ps->p == '_')
                ps->p++;
        if (ps->p == name)
                return fail(ps, "a ':' without a variable name");
        int slot = db_script_var(ps->s, name, (size_t) (ps->p - name), false);
        if (slot < 0) {
                error_set_input(ps->e, -EINVAL, ps->file, ps->line,
                                "variable :%.*s is used before a \\set defines it", (int) (ps->p - name), name);
                return NULL;
        }
        DbExpr *x = node(X_VAR, NULL, NULL);
        if (x)
                x->value = slot;
        return x;
}

/* random(LO, HI): both ends included, as pgbench's. */
static DbExpr *parse_random(Parser *ps) {
        ps->p += STRLEN("random");
        skip_space(ps);
        if (*ps->p != '(')
                return fail(ps, "random needs '(' LO, HI ')'");
        ps->p++;
        DbExpr *lo = parse_sum(ps);
        if (!lo)
                return NULL;
        skip_space(ps);
        if (*ps->p != ',') {
                db_expr_free(lo);
                return fail(ps, "random needs two arguments");
        }
        ps->p++;
        DbExpr *hi = parse_sum(ps);
        if (!hi)
                return db_expr_free(lo);
        skip_space(ps);
        if (*ps->p != ')') {
                db_expr_free(lo);
                db_expr_free(hi);
                return fail(ps, "random's ')' is missing");
        }
        ps->p++;
        return node(X_RANDOM, lo, hi);
}

static DbExpr *parse_atom(Parser *ps) {
        skip_space(ps);
        if (++ps->depth > EXPR_MAX_DEPTH)
                return fail(ps, "nesting deeper than 32");
        DbExpr *x;
        if (isdigit((unsigned char) *ps->p))
                x = parse_number(ps);
        else if (*ps->p == ':')
                x = parse_var(ps);
        else if (*ps->p == '-') {
                ps->p++;
                DbExpr *a = parse_atom(ps);
                x = a ? node(X_NEG, a, NULL) : NULL;
        } else if (*ps->p == '(') {
                ps->p++;
                x = parse_sum(ps);
                skip_space(ps);
                if (x && *ps->p != ')')
                        x = db_expr_free(x), fail(ps, "a ')' is missing");
                else if (x)
                        ps->p++;
        } else if (strncmp(ps->p, "random", 6) == 0)
                x = parse_random(ps);
        else
                x = fail(ps, "a number, :variable, '(' or random(LO, HI) is expected");
        ps->depth--;
        return x;
}

static DbExpr *parse_binary(Parser *ps, const char *ops, const ExprOp *codes, DbExpr *(*next)(Parser *)) {
        DbExpr *x = next(ps);
        for (;;) {
                if (!x)
                        return NULL;
                skip_space(ps);
                const char *op = *ps->p ? strchr(ops, *ps->p) : NULL;
                if (!op)
                        return x;
                ps->p++;
                DbExpr *b = next(ps);
                if (!b)
                        return db_expr_free(x);
                x = node(codes[op - ops], x, b);
        }
}

static DbExpr *parse_product(Parser *ps) {
        static const ExprOp codes[] = { X_MUL, X_DIV, X_MOD };
        return parse_binary(ps, "*/%", codes, parse_atom);
}

static DbExpr *parse_sum(Parser *ps) {
        static const ExprOp codes[] = { X_ADD, X_SUB };
        return parse_binary(ps, "+-", codes, parse_product);
}

DbExpr *db_expr_parse(const char **p, DbScript *s, const char *file, unsigned line, Error *e) {
        Parser ps = { .p = *p, .s = s, .file = file, .line = line, .e = e };
        DbExpr *x = parse_sum(&ps);
        if (!x && !error_is_set(e))
                error_set_input(e, -ENOMEM, file, line, "out of memory");
        *p = ps.p;
        return x;
}

static int eval_random(int64_t lo, int64_t hi, StatsRng *rng, int64_t *ret) {
        if (hi < lo)
                return -EINVAL;
        uint64_t span = (uint64_t) hi - (uint64_t) lo;
        uint64_t r = span == UINT64_MAX ? stats_rng_next(rng) : stats_rng_below(rng, span + 1);
        *ret = (int64_t) ((uint64_t) lo + r);
        return 0;
}

int db_expr_eval(const DbExpr *x, const int64_t *vars, StatsRng *rng, int64_t *ret) {
        int64_t a = 0, b = 0;
        int r;
        if (x->op == X_INT || x->op == X_VAR) {
                *ret = x->op == X_INT ? x->value : vars[x->value];
                return 0;
        }
        if ((r = db_expr_eval(x->a, vars, rng, &a)) < 0 || (x->b && (r = db_expr_eval(x->b, vars, rng, &b)) < 0))
                return r;
        switch (x->op) {
        case X_ADD:
                return __builtin_add_overflow(a, b, ret) ? -ERANGE : 0;
        case X_SUB:
                return __builtin_sub_overflow(a, b, ret) ? -ERANGE : 0;
        case X_MUL:
                return __builtin_mul_overflow(a, b, ret) ? -ERANGE : 0;
        case X_NEG:
                return __builtin_sub_overflow((int64_t) 0, a, ret) ? -ERANGE : 0;
        case X_DIV:
        case X_MOD:
                if (b == 0 || (a == INT64_MIN && b == -1))
                        return -ERANGE;
                *ret = x->op == X_DIV ? a / b : a % b;
                return 0;
        case X_RANDOM:
                return eval_random(a, b, rng, ret);
        default:
                return -EINVAL;
        }
}
